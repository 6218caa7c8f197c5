/**
 * Bench-only variants of the product for the Slack benchmark, to measure
 * where its gap to the floor comes from. Each removes one thing the product
 * adds, or applies one suggested fix to the running instance (never to the
 * source), so the gain is measured rather than guessed.
 */
import { createClient } from '@keyv/redis';
import type { Lock, Store } from '../../src/ports';

/** Variant names accepted by `--what-if` (comma-separated to combine). */
export const WHAT_IFS = {
  'memory-store': 'store operations on an in-process Map instead of SQLite (upper bound of what persistence costs)',
  'redis-store': 'STORE_URL=redis://127.0.0.1:6379/15 (the shipped RedisStore; the Redis server runs outside the measured process)',
  'no-audit': 'audit events dropped instead of scrubbed and written to the audit file',
  'no-budget': 'the model priced at $0, so budgets reserve and settle nothing',
  'no-placeholder': 'no "working on it" placeholder: the answer is posted, not written over a placeholder',
  'silent-logs': 'LOG_LEVEL=silent instead of info',
} as const;

export type WhatIf = keyof typeof WHAT_IFS;

export function parseWhatIfs(list: string): WhatIf[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(name in WHAT_IFS)) throw new Error(`unknown --what-if ${name}; one of ${Object.keys(WHAT_IFS).join(', ')}`);
  }
  return names as WhatIf[];
}

interface Entry {
  value: unknown;
  expires: number | undefined;
}

/** Swap the engine's store instance's methods for an in-memory Map with the same semantics. */
export function useMemoryStore(store: Store): void {
  const data = new Map<string, Entry>();
  const indexes = new Map<string, Map<string, number>>();
  const indexOf = (name: string) => indexes.get(name) ?? indexes.set(name, new Map()).get(name) ?? new Map<string, number>();
  const live = (key: string): Entry | undefined => {
    const entry = data.get(key);
    if (entry && entry.expires !== undefined && Date.now() > entry.expires) {
      data.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: unknown, ttlMs?: number) =>
    data.set(key, { value: JSON.parse(JSON.stringify(value)) as unknown, expires: ttlMs === undefined ? undefined : Date.now() + ttlMs });
  const target = store as unknown as Record<string, unknown>;
  const memory: Omit<Store, 'close'> = {
    get: async <T>(key: string) => live(key)?.value as T | undefined,
    set: async (key, value, ttlMs) => {
      put(key, value, ttlMs);
    },
    delete: async (key) => live(key) !== undefined && data.delete(key),
    setIfAbsent: async (key, value, ttlMs) => {
      if (live(key)) return false;
      put(key, value, ttlMs);
      return true;
    },
    setIfAbsentMany: async (entries) => Promise.all(entries.map((e) => memory.setIfAbsent(e.key, e.value, e.ttlMs))),
    increment: async (key, by, ttlMs) => {
      const entry = live(key);
      const next = ((entry?.value as number | undefined) ?? 0) + by;
      data.set(key, { value: next, expires: entry ? entry.expires : ttlMs === undefined ? undefined : Date.now() + ttlMs });
      return next;
    },
    incrementMany: async (entries) => Promise.all(entries.map((e) => memory.increment(e.key, e.by, e.ttlMs))),
    commit: async (writes) => {
      for (const e of writes.set ?? []) put(e.key, e.value, e.ttlMs);
      for (const key of writes.delete ?? []) data.delete(key);
      return memory.incrementMany(writes.increment ?? []);
    },
    counter: async (key) => (live(key)?.value as number | undefined) ?? 0,
    acquireLock: async (key, ttlMs): Promise<Lock | undefined> => {
      if (live(key)) return undefined;
      const token = Math.random().toString(36).slice(2);
      put(key, token, ttlMs);
      return {
        key,
        token,
        renew: async (ms) => {
          if (live(key)?.value !== token) return false;
          put(key, token, ms);
          return true;
        },
        release: async () => {
          if (live(key)?.value === token) data.delete(key);
        },
      };
    },
    // Single-threaded: nothing can change between the read and the write, so no compare is needed.
    update: async <T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number) => {
      const current = live(key)?.value as T | undefined;
      const next = fn(current);
      if (next === undefined) return current;
      put(key, next, ttlMs);
      return next;
    },
    schedule: async (index, member, dueAt) => {
      indexOf(index).set(member, dueAt);
    },
    unschedule: async (index, member) => {
      indexOf(index).delete(member);
    },
    due: async (index, upTo, limit) =>
      [...indexOf(index)]
        .filter(([, at]) => at <= upTo)
        .sort(([, a], [, b]) => a - b)
        .slice(0, limit)
        .map(([member]) => member),
    indexSize: async (index) => indexOf(index).size,
    scan: async function* <T>(prefix: string): AsyncIterable<[string, T]> {
      for (const key of [...data.keys()].sort()) {
        const entry = live(key);
        if (key.startsWith(prefix) && entry && typeof entry.value !== 'number') yield [key, entry.value as T];
      }
    },
  };
  Object.assign(target, memory);
}

/** Where the redis-store variant keeps its keys, and how to remove them afterwards. */
export const REDIS_URL = 'redis://127.0.0.1:6379/15';

export async function deleteRedisNamespace(namespace: string): Promise<void> {
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  try {
    for await (const keys of admin.scanIterator({ MATCH: `${namespace}::*`, COUNT: 1000 })) {
      if (keys.length > 0) await admin.unlink(keys);
    }
  } finally {
    await admin.close();
  }
}
