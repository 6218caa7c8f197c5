import BetterSqlite3 from 'better-sqlite3';
import sqlite3 from 'sqlite3';

/** Named parameters as written in the SQL (`$key`). */
export type SqlParams = Record<string, string | number>;

/** One statement of a transaction. */
export interface SqlStep {
  sql: string;
  params?: SqlParams;
}

/** One SQLite connection as `SqliteStore` uses it: run a statement, get its rows. */
export interface SqlConnection {
  /** Run one statement; rows it returns (SELECT, RETURNING, some PRAGMAs), else []. */
  query<Row = unknown>(sql: string, params?: SqlParams): Promise<Row[]>;
  /**
   * Run `steps` in one transaction, nothing else on this connection in
   * between; `check` sees each step's rows and may throw to roll it all back.
   */
  transaction(steps: readonly SqlStep[], check: (rows: unknown[][]) => void): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** Which driver opens the store's file. */
export type SqliteDriver = 'better-sqlite3' | 'sqlite3';

/**
 * Open `file` with `driver`. better-sqlite3 runs each statement synchronously
 * on the calling thread with statements prepared once; node-sqlite3 sends
 * each through libuv's thread pool and prepares it every time.
 */
export async function openSqlConnection(file: string, driver: SqliteDriver, busyTimeoutMs: number): Promise<SqlConnection> {
  return driver === 'better-sqlite3' ? openBetter(file, busyTimeoutMs) : openNodeSqlite3(file, busyTimeoutMs);
}

function openBetter(file: string, busyTimeoutMs: number): SqlConnection {
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  // The store builds a few dozen distinct statements (multi-row batches vary by size), so a plain map stays small.
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (prepared.size >= 500) prepared.clear();
      prepared.set(sql, stmt);
    }
    return stmt;
  };
  const execute = (sql: string, params?: SqlParams): unknown[] => {
    const stmt = statement(sql);
    // better-sqlite3 names parameters without their `$`.
    const bound = params === undefined ? [] : [Object.fromEntries(Object.entries(params).map(([name, value]) => [name.slice(1), value]))];
    if (stmt.reader) return stmt.all(...bound);
    stmt.run(...bound);
    return [];
  };
  // Synchronous: nothing else can run on the connection until it commits or rolls back.
  const inTransaction = db.transaction((steps: readonly SqlStep[], check: (rows: unknown[][]) => void) => {
    const rows = steps.map((step) => execute(step.sql, step.params));
    check(rows);
    return rows;
  });
  return {
    async query<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
      return execute(sql, params) as Row[];
    },
    async transaction(steps, check) {
      return inTransaction.immediate(steps, check);
    },
    async close() {
      prepared.clear();
      db.close();
    },
  };
}

async function openNodeSqlite3(file: string, busyTimeoutMs: number): Promise<SqlConnection> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', busyTimeoutMs);
  const execute = <Row>(sql: string, params?: SqlParams): Promise<Row[]> =>
    new Promise((resolve, reject) => {
      const done = (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows));
      if (params === undefined) db.all(sql, done);
      else db.all(sql, params, done);
    });
  // While a transaction runs, later statements wait for it, so none of them joins (or is rolled back with) it.
  // Each step is a thread-pool hop: another connection writing hard meanwhile waits on the busy timeout.
  let open: Promise<void> | undefined;
  return {
    async query<Row>(sql: string, params?: SqlParams): Promise<Row[]> {
      while (open) await open;
      return execute<Row>(sql, params);
    },
    async transaction(steps, check) {
      while (open) await open;
      let done = () => undefined as void;
      open = new Promise<void>((resolve) => (done = resolve));
      try {
        await execute('BEGIN IMMEDIATE');
        try {
          const rows: unknown[][] = [];
          for (const step of steps) rows.push(await execute(step.sql, step.params));
          check(rows);
          await execute('COMMIT');
          return rows;
        } catch (error) {
          await execute('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        open = undefined;
        done();
      }
    },
    close: () => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  };
}
