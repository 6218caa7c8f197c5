/**
 * Bench-only prototypes of changes suggested for src/, applied to the running
 * engine's store instance (never to the source), so their gain is measured on
 * the same database and turns rather than guessed.
 */
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';
import type { Store } from '../../src/ports';

type Query = (sql: string, params?: Record<string, string | number>) => Promise<Array<{ key: string; nanos: number | null }>>;

const NANOS = 1e9;
const EXPIRED_OLD = `json_extract(keyv.value, '$.expires') < $now`;

interface Pending {
  key: string;
  nanos: number;
  ttl: number | undefined;
  resolve: (value: number) => void;
  reject: (error: unknown) => void;
}

/**
 * What-if "increment many in one statement": increments issued in the same
 * tick (the `Promise.all` groups in BudgetGuard.reserve/settle) become one
 * multi-row upsert with RETURNING, atomic as a single statement, instead of
 * one statement each. Same row format and expiry rule as SqliteStore.increment.
 * Returns a function that restores the store's own `increment`.
 */
export function coalesceIncrements(store: Store): () => void {
  const internals = store as unknown as { adapter: { query: Query }; prefix: string; increment?: Store['increment'] };
  let queue: Pending[] = [];
  const flush = async (batch: Pending[]) => {
    // A key may appear once per statement; repeats go to the next statement.
    const seen = new Set<string>();
    const now = Date.now();
    const rows: string[] = [];
    const params: Record<string, string | number> = { $now: now };
    const here: Pending[] = [];
    const later: Pending[] = [];
    for (const p of batch) {
      if (seen.has(p.key)) {
        later.push(p);
        continue;
      }
      seen.add(p.key);
      const i = here.length;
      here.push(p);
      rows.push(`($k${i}, $f${i})`);
      params[`$k${i}`] = internals.prefix + p.key;
      params[`$f${i}`] = JSON.stringify(p.ttl === undefined ? { counterNanos: p.nanos } : { counterNanos: p.nanos, expires: now + p.ttl });
    }
    const sql = `INSERT INTO keyv (key, value) VALUES ${rows.join(', ')}
      ON CONFLICT (key) DO UPDATE SET value = CASE
          WHEN ${EXPIRED_OLD} THEN excluded.value
          ELSE json_set(keyv.value, '$.counterNanos', json_extract(keyv.value, '$.counterNanos') + json_extract(excluded.value, '$.counterNanos')) END
        WHERE json_type(keyv.value, '$.counterNanos') = 'integer' OR ${EXPIRED_OLD}
      RETURNING key, json_extract(value, '$.counterNanos') AS nanos`;
    try {
      const result = await internals.adapter.query(sql, params);
      const byKey = new Map(result.map((r) => [r.key, r.nanos]));
      for (const p of here) {
        const nanos = byKey.get(internals.prefix + p.key);
        if (typeof nanos === 'number') p.resolve(nanos / NANOS);
        else p.reject(new Error(`increment ${p.key}: not a counter`));
      }
    } catch (error) {
      for (const p of here) p.reject(error);
    }
    if (later.length > 0) await flush(later);
  };
  internals.increment = (key, by, ttlMs) =>
    new Promise<number>((resolve, reject) => {
      if (queue.length === 0) {
        queueMicrotask(() => {
          const batch = queue;
          queue = [];
          void flush(batch);
        });
      }
      queue.push({ key, nanos: Math.round(by * NANOS), ttl: ttlMs === undefined ? undefined : Math.ceil(ttlMs), resolve, reject });
    });
  return () => {
    delete internals.increment;
  };
}

/**
 * What-if "checkpoint off the request path": the engine's connection stops
 * auto-checkpointing and a second connection runs PASSIVE checkpoints on a
 * timer. Returns a stop function that restores auto-checkpointing and
 * reports how long each background checkpoint took.
 */
export async function backgroundCheckpoints(
  storeFile: string,
  raw: (sql: string) => Promise<unknown>,
  intervalMs = 1_000,
): Promise<() => Promise<number[]>> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(storeFile, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', 5_000);
  const durations: number[] = [];
  let running: Promise<void> | undefined;
  const checkpoint = () => {
    if (running) return;
    const started = performance.now();
    running = new Promise<void>((resolve) =>
      db.all('PRAGMA wal_checkpoint(PASSIVE)', () => {
        durations.push(performance.now() - started);
        running = undefined;
        resolve();
      }),
    );
  };
  await raw('PRAGMA wal_autocheckpoint = 0');
  const timer = setInterval(checkpoint, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
    await raw('PRAGMA wal_autocheckpoint = 1000');
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    return durations;
  };
}

/** The store's counter upsert, as SqliteStore.increment sends it (see src/sessions/sqlite-store.ts). */
const INCREMENT_SQL = `INSERT INTO keyv (key, value) VALUES ($key, $fresh)
    ON CONFLICT (key) DO UPDATE SET value = CASE
        WHEN ${EXPIRED_OLD} THEN excluded.value
        ELSE json_set(keyv.value, '$.counterNanos', json_extract(keyv.value, '$.counterNanos') + CAST($by AS INTEGER)) END
      WHERE json_type(keyv.value, '$.counterNanos') = 'integer' OR ${EXPIRED_OLD}
    RETURNING json_extract(value, '$.counterNanos') AS nanos`;

/**
 * What-if "prepare once": the same counter upsert sent as `db.all(sql)` (what
 * @keyv/sqlite does: prepare, step, finalize every time) versus a statement
 * prepared once and reused. Own connection on the same file while the engine
 * is idle; interleaved; ms per statement.
 */
export async function preparedStatementCost(storeFile: string, reps: number): Promise<{ fresh: number[]; prepared: number[] }> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(storeFile, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', 5_000);
  const params = (i: number) => ({ $key: `keyv:bench-probe:${i % 8}`, $fresh: JSON.stringify({ counterNanos: 1000, expires: Date.now() + 3_600_000 }), $by: 1000, $now: Date.now() });
  const statement = db.prepare(INCREMENT_SQL);
  const fresh: number[] = [];
  const prepared: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      let started = performance.now();
      await new Promise<void>((resolve, reject) => db.all(INCREMENT_SQL, params(i), (error) => (error ? reject(error) : resolve())));
      fresh.push(performance.now() - started);
      started = performance.now();
      await new Promise<void>((resolve, reject) => statement.all(params(i), (error) => (error ? reject(error) : resolve())));
      prepared.push(performance.now() - started);
    }
    await new Promise<void>((resolve, reject) => db.all(`DELETE FROM keyv WHERE key LIKE 'keyv:bench-probe:%'`, (error) => (error ? reject(error) : resolve())));
  } finally {
    await new Promise<void>((resolve) => statement.finalize(() => resolve()));
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
  }
  return { fresh, prepared };
}

type AdapterQuery = (sql: string, ...params: unknown[]) => Promise<unknown[]>;

/**
 * What-if "prepare once": the engine's statements go to a fresh connection on
 * the same file that prepares each distinct SQL text once and reuses it
 * (today @keyv/sqlite prepares, steps and finalizes every call). The store's
 * own connection sits idle meanwhile. Returns the undo.
 */
export async function preparedStatements(store: Store, storeFile: string): Promise<() => Promise<void>> {
  const adapter = (store as unknown as { adapter: { query: AdapterQuery } }).adapter;
  const original = adapter.query;
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(storeFile, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', 5_000);
  await new Promise<void>((resolve, reject) => db.run('PRAGMA synchronous = NORMAL', (error) => (error ? reject(error) : resolve())));
  const cache = new Map<string, sqlite3.Statement>();
  adapter.query = (sql, ...params) =>
    new Promise<unknown[]>((resolve, reject) => {
      let statement = cache.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      statement.all(...params, (error: Error | null, rows: unknown[]) => (error ? reject(error) : resolve(rows)));
    });
  return async () => {
    adapter.query = original;
    await Promise.all([...cache.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
  };
}

/**
 * What-if "no store lock on a single-process store": the in-process per-session
 * queue (KeyedQueue) already orders turns, so the lock row written and deleted
 * per turn only matters when several processes share the store.
 */
export function inProcessLocks(store: Store): () => void {
  const internals = store as unknown as { acquireLock?: Store['acquireLock'] };
  internals.acquireLock = async (key) => ({ key, token: 'in-process', renew: async () => true, release: async () => undefined });
  return () => {
    delete internals.acquireLock;
  };
}
