import type { CounterIncrement, Lock, NewEntry, Store, StoreWrites } from '../ports';

/** Where a timed store reports each operation's duration (seconds). */
export type StoreTimer = (op: string, seconds: number) => void;

/**
 * A Store that reports how long each operation takes. Wall time from
 * `performance.now()`, not the injected clock: this measures the machine,
 * and a manual test clock would read 0.
 */
export function timedStore(store: Store, report: StoreTimer): Store {
  const timed = timedWrapper(store, report);
  untimedStores.set(timed, store);
  return timed;
}

const untimedStores = new WeakMap<Store, Store>();

/** The store a timed store wraps (itself when it wraps nothing), for benches that instrument the backend. */
export function untimed(store: Store): Store {
  return untimedStores.get(store) ?? store;
}

function timedWrapper(store: Store, report: StoreTimer): Store {
  const time = async <T>(op: string, work: Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work;
    } finally {
      report(op, (performance.now() - started) / 1000);
    }
  };
  return {
    get: <T>(key: string) => time('get', store.get<T>(key)),
    set: (key: string, value: unknown, ttlMs?: number) => time('set', store.set(key, value, ttlMs)),
    delete: (key: string) => time('delete', store.delete(key)),
    setIfAbsent: (key: string, value: unknown, ttlMs?: number) => time('set_if_absent', store.setIfAbsent(key, value, ttlMs)),
    setIfAbsentMany: (entries: readonly NewEntry[]) => time('set_if_absent_many', store.setIfAbsentMany(entries)),
    update: <T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number) => time('update', store.update<T>(key, fn, ttlMs)),
    schedule: (index: string, member: string, dueAt: number) => time('schedule', store.schedule(index, member, dueAt)),
    unschedule: (index: string, member: string) => time('unschedule', store.unschedule(index, member)),
    due: (index: string, upTo: number, limit: number) => time('due', store.due(index, upTo, limit)),
    indexSize: (index: string) => time('index_size', store.indexSize(index)),
    increment: (key: string, by: number, ttlMs?: number) => time('increment', store.increment(key, by, ttlMs)),
    incrementMany: (entries: readonly CounterIncrement[]) => time('increment_many', store.incrementMany(entries)),
    commit: (writes: StoreWrites) => time('commit', store.commit(writes)),
    counter: (key: string) => time('counter', store.counter(key)),
    acquireLock: (key: string, ttlMs: number): Promise<Lock | undefined> => time('acquire_lock', store.acquireLock(key, ttlMs)),
    scan: <T>(prefix: string) => timedScan<T>(store.scan<T>(prefix), report),
    close: () => store.close(),
  };
}

/** A scan is timed from its start until the caller stops reading. */
async function* timedScan<T>(entries: AsyncIterable<[string, T]>, report: StoreTimer): AsyncIterable<[string, T]> {
  const started = performance.now();
  try {
    yield* entries;
  } finally {
    report('scan', (performance.now() - started) / 1000);
  }
}
