import type { CounterIncrement, Lock, NewEntry, Store, StoreWrites } from '../../src/ports';

/** A Store (our own port) that passes every call to a real one; fakes extend it and override what they break. */
export class ForwardingStore implements Store {
  constructor(readonly inner: Store) {}

  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.inner.get<T>(key);
  }
  set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    return this.inner.set(key, value, ttlMs);
  }
  delete(key: string): Promise<boolean> {
    return this.inner.delete(key);
  }
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    return this.inner.setIfAbsent(key, value, ttlMs);
  }
  setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]> {
    return this.inner.setIfAbsentMany(entries);
  }
  update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined> {
    return this.inner.update<T>(key, fn, ttlMs);
  }
  increment(key: string, by: number, ttlMs?: number): Promise<number> {
    return this.inner.increment(key, by, ttlMs);
  }
  incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    return this.inner.incrementMany(entries);
  }
  commit(writes: StoreWrites): Promise<number[]> {
    return this.inner.commit(writes);
  }
  counter(key: string): Promise<number> {
    return this.inner.counter(key);
  }
  acquireLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    return this.inner.acquireLock(key, ttlMs);
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
