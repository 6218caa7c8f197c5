import sqlite3 from 'sqlite3';

/** A value SQLite can bind as a parameter. */
export type SqlValue = string | number | null;

/** What a write reports back. */
export interface RunOutcome {
  /** Rows changed by the statement. */
  changes: number;
  /** Row id of the last inserted row. */
  lastId: number;
}

/**
 * The demo helpdesk's SQLite connection, promisified. Writes that must read
 * and then write (refunds) go through `transaction`, which runs one at a time
 * so two tool calls on the same connection never interleave inside one.
 */
export interface HelpdeskDatabase {
  run(sql: string, params?: SqlValue[]): Promise<RunOutcome>;
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Run several statements (schema); no parameters. */
  exec(sql: string): Promise<void>;
  /** Run `work` inside BEGIN IMMEDIATE … COMMIT, rolling back if it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Open (creating if needed) the SQLite file at `filename`. */
export async function openHelpdeskDatabase(filename: string): Promise<HelpdeskDatabase> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(filename, (err) => (err ? reject(err) : resolve(opened)));
  });

  const run = (sql: string, params: SqlValue[] = []) =>
    new Promise<RunOutcome>((resolve, reject) => {
      db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastId: this.lastID });
      });
    });
  const get = <T>(sql: string, params: SqlValue[] = []) =>
    new Promise<T | undefined>((resolve, reject) => {
      db.get<T>(sql, params, (err, row) => (err ? reject(err) : resolve(row)));
    });
  const all = <T>(sql: string, params: SqlValue[] = []) =>
    new Promise<T[]>((resolve, reject) => {
      db.all<T>(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)));
    });
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      db.exec(sql, (err) => (err ? reject(err) : resolve()));
    });

  // One connection, so transactions are queued rather than nested.
  let queue: Promise<unknown> = Promise.resolve();
  const transaction = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      await exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await exec('COMMIT');
        return result;
      } catch (error) {
        await exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };

  await exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');

  let closing: Promise<void> | undefined;
  return {
    run,
    get,
    all,
    exec,
    transaction,
    // Idempotent: shutdown paths may close twice.
    close: () =>
      (closing ??= queue.then(() => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))))),
  };
}

/** True when SQLite refused a write because a UNIQUE constraint already holds the value. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /SQLITE_CONSTRAINT/.test(error.message) && /UNIQUE/.test(error.message);
}
