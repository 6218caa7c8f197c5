/** Port: key/value with TTL plus the atomic operations the engine needs, and the locks it hands out. */
import type { CounterIncrement, NewEntry, StoreWrites } from './store-entries';

/** A held lock; renew it before `ttlMs` runs out or another holder may take it. */
export interface Lock {
  /** The locked key. */
  readonly key: string;
  /** This holder's token; only it can renew or release. */
  readonly token: string;
  /** Extend the lock; false if it was lost. */
  renew(ttlMs: number): Promise<boolean>;
  /** Release it if still ours. */
  release(): Promise<void>;
}

/**
 * Key/value with TTL plus the atomic operations the engine needs.
 * Values are JSON-serialisable. Implemented over keyv+SQLite and keyv+Redis.
 */
export interface Store {
  /** The live value at `key`, undefined when absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Store a value; `ttlMs` makes it expire. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Delete; true if something was there. */
  delete(key: string): Promise<boolean>;
  /** Store only if no live value exists; true if this call stored it. */
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  /**
   * Several `setIfAbsent`s in one round trip (one statement or one MULTI),
   * each decided on its own; returns, in the order given, whether each was
   * stored. A key listed twice can be stored only by its first entry.
   */
  setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]>;
  /** Add `by` (may be fractional or negative) to a counter and return the new value. TTL applies when created. */
  increment(key: string, by: number, ttlMs?: number): Promise<number>;
  /**
   * Several increments applied atomically in one round trip (one statement or
   * script); returns the new values in the order given. A key listed twice is
   * incremented by the sum.
   */
  incrementMany(entries: readonly CounterIncrement[]): Promise<number[]>;
  /**
   * Several writes applied together, all or none, in one round trip (one
   * SQLite transaction, one Redis script): sets, then deletes, then counter
   * increments as `incrementMany`. Returns the counters' new values in the
   * order given. When any part fails (a bad argument, a counter key holding a
   * value, the backend) nothing is written.
   */
  commit(writes: StoreWrites): Promise<number[]>;
  /** Current counter value, 0 when absent. */
  counter(key: string): Promise<number>;
  /** Take an exclusive lock with expiry; undefined if someone else holds it. */
  acquireLock(key: string, ttlMs: number): Promise<Lock | undefined>;
  /**
   * Read-modify-write by compare-and-set: read the value, apply `fn`, and
   * write only if the stored value is still the one read; on conflict `fn`
   * runs again on the fresh value (bounded attempts, then an `AppError`
   * `store_conflict`). `fn` returning undefined means "no change": nothing is
   * written and the current value is returned. `fn` may run several times, so
   * it must not have side effects. `ttlMs` as in `set` (omitted: no expiry).
   * Returns the value stored afterwards.
   */
  update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined>;
  /**
   * Put `member` in the due-time index `index` at `dueAt` (epoch ms),
   * replacing its previous due time. Sweeps read what is due instead of
   * scanning the keyspace.
   */
  schedule(index: string, member: string, dueAt: number): Promise<void>;
  /** Remove `member` from `index`; absent members are ignored. */
  unschedule(index: string, member: string): Promise<void>;
  /** Up to `limit` members of `index` due at or before `upTo`, earliest first. */
  due(index: string, upTo: number, limit: number): Promise<string[]>;
  /** How many members `index` holds (due or not). */
  indexSize(index: string): Promise<number>;
  /** Live entries whose key starts with `prefix` (JSON values, not counters). */
  scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]>;
  /** Close connections; called once by the store's owner. */
  close(): Promise<void>;
}
