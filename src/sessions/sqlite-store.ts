import { randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import { AppError } from '../errors';
import type { CounterIncrement, Lock, NewEntry, Store, StoreWrites } from '../ports';
import { updateByCompareAndSet } from './compare-and-set';
import { openSqlConnection, type SqlConnection, type SqliteDriver, type SqlParams, type SqlStep } from './sqlite-connection';
import { WalCheckpointer } from './wal-checkpointer';
import { NANOS, checkDueAt, checkLimit, checkNamespace, checkTtl, checkWrites, mergeIncrements, toNanos, wrongType } from './store-arguments';

/** Options for {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Absolute path of the database file; created if missing (its directory must exist). */
  path: string;
  /** Key prefix, so several apps or tests can share one file. Letters, digits, `_`, `.`, `-`. Default `keyv`. */
  namespace?: string;
  /** How long a write waits for another connection's lock before failing, ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Minimum gap between opportunistic purges of expired rows, ms; 0 disables purging. Default 60000. */
  purgeIntervalMs?: number;
  /** Most rows one purge deletes, so a purge never stalls other statements for long. Default 500. */
  purgeBatchSize?: number;
  /**
   * Checkpoint the WAL from a background connection every this many ms
   * instead of inside whichever write crosses SQLite's threshold. Default 0:
   * SQLite's automatic checkpoints (every 1,000 pages). Measured with 10k and
   * 100k stored sessions, the background copy (and its fsync of a large file)
   * stalled the writer more often than the writer's own short checkpoints:
   * engine p99 17–20 ms against 6.7–8 ms (README, issue 13).
   */
  checkpointIntervalMs?: number;
  /**
   * SQLite driver. Default `better-sqlite3` (synchronous, statements prepared
   * once: measured faster per turn than node-sqlite3's thread pool; README).
   */
  driver?: SqliteDriver;
}

// Counters are stored as integer billionths (`{"counterNanos":…}`) so sums of
// fractional amounts are exact and identical to the Redis store's INCRBY.
const SCAN_PAGE = 500;

// keyv's own rule: an entry is expired once now > expires.
const LIVE = `(json_extract(value, '$.expires') IS NULL OR json_extract(value, '$.expires') >= $now)`;
const EXPIRED_OLD = `json_extract(keyv.value, '$.expires') < $now`;

// node-sqlite3 binds numbers beyond 32 bits as REAL, hence the CAST in `increment`.
const SQL = {
  // The table @keyv/sqlite created in earlier releases, so existing files open unchanged.
  table: `CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )`,
  get: `SELECT value FROM keyv WHERE key = $key`,
  set: `INSERT INTO keyv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  // Partial index so purges find expired rows without walking the table.
  expiresIndex: `CREATE INDEX IF NOT EXISTS keyv_expires ON keyv (json_extract(value, '$.expires')) WHERE json_extract(value, '$.expires') IS NOT NULL`,
  insertIfAbsent: `INSERT INTO keyv (key, value) VALUES ($key, $value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${EXPIRED_OLD}
    RETURNING 1 AS stored`,
  increment: `INSERT INTO keyv (key, value) VALUES ($key, $fresh)
    ON CONFLICT (key) DO UPDATE SET value = CASE
        WHEN ${EXPIRED_OLD} THEN excluded.value
        ELSE json_set(keyv.value, '$.counterNanos', json_extract(keyv.value, '$.counterNanos') + CAST($by AS INTEGER)) END
      WHERE json_type(keyv.value, '$.counterNanos') = 'integer' OR ${EXPIRED_OLD}
    RETURNING json_extract(value, '$.counterNanos') AS nanos`,
  counter: `SELECT json_extract(value, '$.counterNanos') AS nanos, ${LIVE} AS live FROM keyv WHERE key = $key`,
  delete: `DELETE FROM keyv WHERE key = $key RETURNING ${LIVE} AS live`,
  remove: `DELETE FROM keyv WHERE key = $key`,
  renew: `UPDATE keyv SET value = $value WHERE key = $key AND json_extract(value, '$.value') = $token AND ${LIVE} RETURNING 1 AS renewed`,
  release: `DELETE FROM keyv WHERE key = $key AND json_extract(value, '$.value') = $token`,
  // Two statements rather than one with both bounds: SQLite would seek on only one lower bound.
  scanFirst: `SELECT key, value FROM keyv WHERE key >= $from AND key < $to AND json_type(value, '$.value') IS NOT NULL AND ${LIVE} ORDER BY key LIMIT $limit`,
  scanNext: `SELECT key, value FROM keyv WHERE key > $from AND key < $to AND json_type(value, '$.value') IS NOT NULL AND ${LIVE} ORDER BY key LIMIT $limit`,
  // update(): the stored text itself is the compare-and-set token.
  readRaw: `SELECT value FROM keyv WHERE key = $key`,
  replaceIf: `UPDATE keyv SET value = $value WHERE key = $key AND value = $expected RETURNING 1 AS stored`,
  insertNew: `INSERT INTO keyv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING RETURNING 1 AS stored`,
  // The due-time index: one row per member, found by (namespace, index, due time).
  dueTable: `CREATE TABLE IF NOT EXISTS store_due (ns TEXT NOT NULL, idx TEXT NOT NULL, member TEXT NOT NULL, due_at INTEGER NOT NULL,
    PRIMARY KEY (ns, idx, member)) WITHOUT ROWID`,
  dueIndex: `CREATE INDEX IF NOT EXISTS store_due_at ON store_due (ns, idx, due_at)`,
  schedule: `INSERT INTO store_due (ns, idx, member, due_at) VALUES ($ns, $idx, $member, $dueAt)
    ON CONFLICT (ns, idx, member) DO UPDATE SET due_at = excluded.due_at`,
  unschedule: `DELETE FROM store_due WHERE ns = $ns AND idx = $idx AND member = $member`,
  due: `SELECT member FROM store_due WHERE ns = $ns AND idx = $idx AND due_at <= $upTo ORDER BY due_at, member LIMIT $limit`,
  indexSize: `SELECT COUNT(*) AS n FROM store_due WHERE ns = $ns AND idx = $idx`,
  purge: `DELETE FROM keyv WHERE key IN (SELECT key FROM keyv WHERE json_extract(value, '$.expires') < $now LIMIT $limit)`,
};

type Serialize = (data: { value?: unknown; expires?: number }) => string | Promise<string>;
type Deserialize = (raw: string) => { value?: unknown; expires?: number | null } | undefined | Promise<{ value?: unknown; expires?: number | null } | undefined>;

/**
 * `Store` over SQLite, in the document format keyv wrote (`<namespace>:<key>`
 * keys, `{"value":…,"expires":…}` JSON), so files from earlier releases open
 * unchanged. Atomic operations are single SQL statements on the same table,
 * so they stay atomic across processes sharing the file.
 */
export class SqliteStore implements Store {
  /** Every statement goes through `adapter.query` (benches count and time them there). */
  private readonly adapter: Pick<SqlConnection, 'query' | 'transaction'>;
  private connection: SqlConnection | undefined;
  private readonly prefix: string;
  private readonly namespace: string;
  private readonly serialize: Serialize;
  private readonly deserialize: Deserialize;
  private readonly ready: Promise<void>;
  private readonly purgeIntervalMs: number;
  private readonly purgeBatchSize: number;
  private lastPurgeAt = 0;
  private purging: Promise<void> | undefined;
  private closed = false;
  private readonly path: string;
  private readonly checkpointIntervalMs: number;
  private checkpointer: WalCheckpointer | undefined;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 0;
    const namespace = checkNamespace(options.namespace);
    this.prefix = `${namespace}:`;
    this.namespace = namespace;
    this.purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    this.purgeBatchSize = options.purgeBatchSize ?? 500;
    // keyv's serializer only, so documents keep the format earlier releases wrote through keyv.
    const { serialize, deserialize } = new Keyv();
    if (!serialize || !deserialize) throw new AppError('store_invalid_argument', 'keyv serializer missing');
    this.serialize = serialize;
    this.deserialize = deserialize;
    const connecting = openSqlConnection(options.path, options.driver ?? 'better-sqlite3', options.busyTimeoutMs ?? 5_000).then((connection) => {
      this.connection = connection;
      return connection;
    });
    connecting.catch(() => undefined);
    this.adapter = {
      query: async (sql, params) => (await connecting).query(sql, params),
      transaction: async (steps, check) => (await connecting).transaction(steps, check),
    };
    this.ready = this.init();
    this.ready.catch(() => undefined); // surfaced by the first operation instead
  }

  /** Open the file and prepare it, failing fast if it cannot be used. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const store = new SqliteStore(options);
    try {
      await store.run('open', async () => undefined);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return this.run('get', async () => {
      const rows = await this.query<{ value: unknown }>(SQL.get, { $key: this.prefix + key });
      const raw = rows[0]?.value;
      if (typeof raw !== 'string') return undefined;
      const doc = await this.deserialize(raw);
      if (!doc || typeof doc !== 'object' || !('value' in doc)) return undefined;
      if (typeof doc.expires === 'number' && Date.now() > doc.expires) return undefined;
      return doc.value as T;
    });
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const ttl = checkTtl(ttlMs);
    await this.run('set', async () => {
      const doc = await this.serialize(ttl === undefined ? { value } : { value, expires: Date.now() + ttl });
      await this.query(SQL.set, { $key: this.prefix + key, $value: doc });
    });
    this.maybePurge();
  }

  async delete(key: string): Promise<boolean> {
    // One statement instead of keyv's SELECT + DELETE, and an expired row does not count as "there".
    const rows = await this.run('delete', () => this.query<{ live: number }>(SQL.delete, { $key: this.prefix + key, $now: Date.now() }));
    return rows[0]?.live === 1;
  }

  async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    const stored = await this.run('setIfAbsent', () => this.insertIfAbsent(this.prefix + key, value, ttl));
    this.maybePurge();
    return stored;
  }

  async setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const ttls = entries.map((entry) => checkTtl(entry.ttlMs));
    const now = Date.now();
    const params: Record<string, string | number> = { $now: now };
    const rows = await Promise.all(
      entries.map(async (entry, i) => {
        const ttl = ttls[i];
        params[`$k${i}`] = this.prefix + entry.key;
        params[`$v${i}`] = await this.serialize(ttl === undefined ? { value: entry.value } : { value: entry.value, expires: now + ttl });
        return `($k${i}, $v${i})`;
      }),
    );
    // One multi-row upsert: a repeated key meets its own first row, which is live, so only the first can store.
    const sql = `INSERT INTO keyv (key, value) VALUES ${rows.join(', ')}
      ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${EXPIRED_OLD}
      RETURNING key`;
    const stored = await this.run('setIfAbsentMany', () => this.query<{ key: string }>(sql, params));
    this.maybePurge();
    const fresh = new Set(stored.map((row) => row.key));
    return entries.map((entry) => fresh.delete(this.prefix + entry.key));
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const nanos = toNanos(by);
    const ttl = checkTtl(ttlMs);
    const now = Date.now();
    const fresh = JSON.stringify(ttl === undefined ? { counterNanos: nanos } : { counterNanos: nanos, expires: now + ttl });
    const rows = await this.run('increment', () =>
      this.query<{ nanos: number }>(SQL.increment, { $key: this.prefix + key, $fresh: fresh, $by: nanos, $now: now }),
    );
    const row = rows[0];
    if (!row) throw wrongType(key);
    this.maybePurge();
    return row.nanos / NANOS;
  }

  async incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    if (entries.length === 0) return [];
    const step = incrementStep(this.prefix, mergeIncrements(entries), Date.now());
    const rows = await this.run('incrementMany', () => this.query<{ key: string; nanos: number }>(step.sql, step.params));
    this.maybePurge();
    return this.countersOf(entries, rows);
  }

  async commit(writes: StoreWrites): Promise<number[]> {
    const { sets, ttls, deletes, increments, merged } = checkWrites(writes);
    const now = Date.now();
    const steps: SqlStep[] = [];
    for (const [i, entry] of sets.entries()) {
      const ttl = ttls[i];
      const doc = await this.serialize(ttl === undefined ? { value: entry.value } : { value: entry.value, expires: now + ttl });
      steps.push({ sql: SQL.set, params: { $key: this.prefix + entry.key, $value: doc } });
    }
    for (const key of deletes) steps.push({ sql: SQL.remove, params: { $key: this.prefix + key } });
    if (merged.length > 0) steps.push(incrementStep(this.prefix, merged, now));
    if (steps.length === 0) return [];
    let counted: Array<{ key: string; nanos: number }> = [];
    await this.run('commit', () =>
      this.adapter.transaction(steps, (rows) => {
        if (merged.length === 0) return;
        counted = rows.at(-1) as Array<{ key: string; nanos: number }>;
        // A counter key holding a value is left out of RETURNING: roll the whole batch back.
        if (counted.length !== merged.length) throw wrongType(merged.find((entry) => !counted.some((row) => row.key === this.prefix + entry.key))?.key ?? '');
      }),
    );
    this.maybePurge();
    return this.countersOf(increments, counted);
  }

  /** Counter values in the order asked, from the rows an increment statement returned. */
  private countersOf(entries: readonly CounterIncrement[], rows: ReadonlyArray<{ key: string; nanos: number }>): number[] {
    const byKey = new Map(rows.map((row) => [row.key, row.nanos]));
    return entries.map((entry) => {
      const nanos = byKey.get(this.prefix + entry.key);
      if (typeof nanos !== 'number') throw wrongType(entry.key);
      return nanos / NANOS;
    });
  }

  async counter(key: string): Promise<number> {
    const rows = await this.run('counter', () => this.query<{ nanos: number | null; live: number }>(SQL.counter, { $key: this.prefix + key, $now: Date.now() }));
    const row = rows[0];
    if (!row || row.live !== 1) return 0;
    if (typeof row.nanos !== 'number') throw wrongType(key);
    return row.nanos / NANOS;
  }

  async acquireLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    const ttl = checkTtl(ttlMs) ?? 0;
    const fullKey = this.prefix + key;
    const token = randomBytes(16).toString('hex');
    const taken = await this.run('acquireLock', () => this.insertIfAbsent(fullKey, token, ttl));
    if (!taken) return undefined;
    return {
      key,
      token,
      renew: async (renewMs: number) => {
        const ms = checkTtl(renewMs) ?? 0;
        const now = Date.now();
        const rows = await this.run('renewLock', async () =>
          this.query(SQL.renew, { $key: fullKey, $token: token, $value: await this.serialize({ value: token, expires: now + ms }), $now: now }),
        );
        return rows.length > 0;
      },
      release: async () => {
        await this.run('releaseLock', () => this.query(SQL.release, { $key: fullKey, $token: token }));
      },
    };
  }

  async update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined> {
    const ttl = checkTtl(ttlMs);
    const fullKey = this.prefix + key;
    const result = await updateByCompareAndSet<T>(key, fn, {
      read: () =>
        this.run('update', async () => {
          const rows = await this.query<{ value: string }>(SQL.readRaw, { $key: fullKey });
          const raw = rows[0]?.value;
          if (raw === undefined) return { raw: undefined, value: undefined };
          const doc = await this.deserialize(raw);
          if (!doc || typeof doc !== 'object') return { raw, value: undefined };
          if (!('value' in doc)) throw wrongType(key);
          // An expired row still holds the token: replacing it must not race a concurrent writer.
          if (typeof doc.expires === 'number' && Date.now() > doc.expires) return { raw, value: undefined };
          return { raw, value: doc.value as T };
        }),
      write: (expected, next) =>
        this.run('update', async () => {
          const value = await this.serialize(ttl === undefined ? { value: next } : { value: next, expires: Date.now() + ttl });
          const rows =
            expected === undefined
              ? await this.query(SQL.insertNew, { $key: fullKey, $value: value })
              : await this.query(SQL.replaceIf, { $key: fullKey, $value: value, $expected: expected });
          return rows.length > 0;
        }),
    });
    this.maybePurge();
    return result;
  }

  async schedule(index: string, member: string, dueAt: number): Promise<void> {
    await this.run('schedule', () => this.query(SQL.schedule, { $ns: this.namespace, $idx: index, $member: member, $dueAt: checkDueAt(dueAt) }));
  }

  async unschedule(index: string, member: string): Promise<void> {
    await this.run('unschedule', () => this.query(SQL.unschedule, { $ns: this.namespace, $idx: index, $member: member }));
  }

  async due(index: string, upTo: number, limit: number): Promise<string[]> {
    const rows = await this.run('due', () =>
      this.query<{ member: string }>(SQL.due, { $ns: this.namespace, $idx: index, $upTo: checkDueAt(upTo), $limit: checkLimit(limit) }),
    );
    return rows.map((row) => row.member);
  }

  async indexSize(index: string): Promise<number> {
    const rows = await this.run('indexSize', () => this.query<{ n: number }>(SQL.indexSize, { $ns: this.namespace, $idx: index }));
    return rows[0]?.n ?? 0;
  }

  async *scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]> {
    const from = this.prefix + prefix;
    const to = prefixUpperBound(from);
    let sql = SQL.scanFirst;
    let cursor = from;
    for (;;) {
      const params = { $from: cursor, $to: to, $now: Date.now(), $limit: SCAN_PAGE };
      const rows = await this.run('scan', () => this.query<{ key: string; value: string }>(sql, params));
      for (const row of rows) {
        const doc = await this.run('scan', async () => this.deserialize(row.value));
        if (doc && 'value' in doc) yield [row.key.slice(this.prefix.length), doc.value as T];
      }
      const last = rows.at(-1);
      if (!last || rows.length < SCAN_PAGE) return;
      sql = SQL.scanNext;
      cursor = last.key;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.purging;
    try {
      await this.connection?.close();
      // Last connection out folds the log into the database and removes it.
      await this.checkpointer?.stop();
    } catch (error) {
      throw storeError('close', error);
    }
  }

  private async insertIfAbsent(fullKey: string, value: unknown, ttl: number | undefined): Promise<boolean> {
    const now = Date.now();
    const doc = await this.serialize(ttl === undefined ? { value } : { value, expires: now + ttl });
    const rows = await this.query(SQL.insertIfAbsent, { $key: fullKey, $value: doc, $now: now });
    return rows.length > 0;
  }

  private async init(): Promise<void> {
    await this.query(SQL.table);
    // WAL lets readers run during writes.
    await this.query('PRAGMA journal_mode = WAL');
    await this.query('PRAGMA synchronous = NORMAL');
    await this.query(SQL.expiresIndex);
    await this.query(SQL.dueTable);
    await this.query(SQL.dueIndex);
    if (this.checkpointIntervalMs > 0 && this.path !== ':memory:') {
      // A backstop, not the main mechanism: under sustained writes a background PASSIVE checkpoint never
      // sees the log's end idle, so the log could not restart and would grow without bound. The writer's
      // own checkpoint at 4,000 pages (16 MB) finds most frames already copied, so it stays cheap.
      await this.query('PRAGMA wal_autocheckpoint = 4000');
      await this.query('PRAGMA journal_size_limit = 67108864');
      this.checkpointer = await WalCheckpointer.open(this.path, this.checkpointIntervalMs);
    }
  }

  private query<Row = unknown>(sql: string, params?: SqlParams): Promise<Row[]> {
    return this.adapter.query<Row>(sql, params);
  }

  /** Run an operation once the database is ready, turning backend failures into `AppError`s. */
  private async run<R>(op: string, fn: () => Promise<R>): Promise<R> {
    if (this.closed) throw new AppError('store_closed', `Store is closed (${op})`);
    try {
      await this.ready;
      return await fn();
    } catch (error) {
      throw storeError(op, error);
    }
  }

  /** Delete a bounded batch of expired rows now and then, off the caller's path. */
  private maybePurge(): void {
    const now = Date.now();
    if (this.purgeIntervalMs <= 0 || this.purging || this.closed || now - this.lastPurgeAt < this.purgeIntervalMs) return;
    this.lastPurgeAt = now;
    // Best effort: a failed purge is retried at the next interval.
    this.purging = this.query(SQL.purge, { $now: now, $limit: this.purgeBatchSize })
      .then(() => undefined, () => undefined)
      .finally(() => {
        this.purging = undefined;
      });
  }
}

/**
 * One multi-row upsert for a batch of increments: the amount rides in the
 * fresh document, so every row is one atomic statement. A row whose key holds
 * a value (not a counter) is left out of RETURNING.
 */
function incrementStep(prefix: string, merged: ReadonlyArray<{ key: string; nanos: number; ttl: number | undefined }>, now: number): SqlStep & { params: SqlParams } {
  const params: SqlParams = { $now: now };
  const values = merged.map((entry, i) => {
    params[`$k${i}`] = prefix + entry.key;
    params[`$f${i}`] = JSON.stringify(entry.ttl === undefined ? { counterNanos: entry.nanos } : { counterNanos: entry.nanos, expires: now + entry.ttl });
    return `($k${i}, $f${i})`;
  });
  const sql = `INSERT INTO keyv (key, value) VALUES ${values.join(', ')}
    ON CONFLICT (key) DO UPDATE SET value = CASE
        WHEN ${EXPIRED_OLD} THEN excluded.value
        ELSE json_set(keyv.value, '$.counterNanos', json_extract(keyv.value, '$.counterNanos') + json_extract(excluded.value, '$.counterNanos')) END
      WHERE json_type(keyv.value, '$.counterNanos') = 'integer' OR ${EXPIRED_OLD}
    RETURNING key, json_extract(value, '$.counterNanos') AS nanos`;
  return { sql, params };
}

/** Smallest string above every string that starts with `prefix`; UTF-8 byte order equals code point order. */
function prefixUpperBound(prefix: string): string {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // skip the surrogate range
      return String.fromCodePoint(...points, next);
    }
  }
  // Unreachable for store keys: every prefix contains the namespace's ':'.
  throw new AppError('store_invalid_argument', 'Cannot scan an all-U+10FFFF prefix');
}




function storeError(op: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // Another connection holding the write lock past the busy timeout is worth a retry; the rest is not.
  const retryable = code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError('store_unavailable', `SQLite store ${op} failed: ${detail}`, { cause: error, retryable });
}
