import type { CounterIncrement, Lock, Store } from '../../src/ports';

/**
 * A real store whose counter writes fail on demand, as a store does during a
 * Redis failover or a locked SQLite file. Everything else passes through.
 */
export class FailingStore implements Store {
  /** incrementMany calls made, failed ones included. */
  incrementCalls = 0;
  /** setIfAbsent calls to fail (markers), counted down. */
  failMarkers = 0;
  private failIncrements = 0;

  constructor(readonly inner: Store) {}

  /** Fail the next `count` incrementMany calls. */
  failNext(count: number): void {
    this.failIncrements = count;
  }

  async incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    this.incrementCalls += 1;
    if (this.failIncrements > 0) {
      this.failIncrements -= 1;
      throw new Error('store unavailable (injected)');
    }
    return this.inner.incrementMany(entries);
  }

  async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    if (this.failMarkers > 0) {
      this.failMarkers -= 1;
      throw new Error('store unavailable (injected)');
    }
    return this.inner.setIfAbsent(key, value, ttlMs);
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.inner.get<T>(key);
  }
  set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    return this.inner.set(key, value, ttlMs);
  }
  delete(key: string): Promise<boolean> {
    return this.inner.delete(key);
  }
  increment(key: string, by: number, ttlMs?: number): Promise<number> {
    return this.inner.increment(key, by, ttlMs);
  }
  counter(key: string): Promise<number> {
    return this.inner.counter(key);
  }
  acquireLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    return this.inner.acquireLock(key, ttlMs);
  }
  scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]> {
    return this.inner.scan<T>(prefix);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
