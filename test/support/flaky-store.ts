import type { CounterIncrement, Lock, Store } from '../../src/ports';

/** Decides whether one `set` should fail; returns true to throw. */
export type SetFault = (key: string, value: unknown) => boolean;

/**
 * A Store (our own port) that forwards to a real store but fails chosen
 * writes once, so tests can lose a session save or a journal entry the way a
 * crash or an unreachable database would.
 */
export class FlakyStore implements Store {
  private readonly faults: SetFault[] = [];
  /** Keys whose writes were made to fail, in order. */
  readonly failed: string[] = [];
  /** Keys of every `set` that reached the real store, in order (to count statements). */
  readonly writes: string[] = [];

  constructor(private readonly inner: Store) {}

  /** Fail the next `set` the predicate matches (once). */
  failNextSet(match: SetFault): void {
    this.faults.push(match);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const index = this.faults.findIndex((fault) => fault(key, value));
    if (index >= 0) {
      this.faults.splice(index, 1);
      this.failed.push(key);
      throw new Error(`injected store failure writing ${key}`);
    }
    this.writes.push(key);
    return this.inner.set(key, value, ttlMs);
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.inner.get<T>(key);
  }
  delete(key: string): Promise<boolean> {
    return this.inner.delete(key);
  }
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    return this.inner.setIfAbsent(key, value, ttlMs);
  }
  increment(key: string, by: number, ttlMs?: number): Promise<number> {
    return this.inner.increment(key, by, ttlMs);
  }
  incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    return this.inner.incrementMany(entries);
  }
  counter(key: string): Promise<number> {
    return this.inner.counter(key);
  }
  acquireLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    return this.inner.acquireLock(key, ttlMs);
  }
  update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined> {
    return this.inner.update<T>(key, fn, ttlMs);
  }
  schedule(index: string, member: string, dueAt: number): Promise<void> {
    return this.inner.schedule(index, member, dueAt);
  }
  unschedule(index: string, member: string): Promise<void> {
    return this.inner.unschedule(index, member);
  }
  due(index: string, upTo: number, limit: number): Promise<string[]> {
    return this.inner.due(index, upTo, limit);
  }
  indexSize(index: string): Promise<number> {
    return this.inner.indexSize(index);
  }
  scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]> {
    return this.inner.scan<T>(prefix);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A `session:` record write. */
export const sessionWrite: SetFault = (key) => key.startsWith('session:');

/** The journal's outcome write (`done`): losing it is what a crash mid-call looks like. */
export const journalOutcomeWrite: SetFault = (key, value) =>
  key.startsWith('tool-exec:') && typeof value === 'object' && value !== null && (value as { state?: unknown }).state === 'done';
