import { AppError } from '../errors';

/** Attempts before `Store.update` gives up; each conflict means another writer made progress. */
export const UPDATE_ATTEMPTS = 64;

/** One read of a key for `Store.update`: the raw stored text (the compare-and-set token) and its value. */
export interface RawRead<T> {
  /** Exactly what the backend holds, undefined when absent (or expired). */
  raw: string | undefined;
  value: T | undefined;
}

/** How one backend reads a key and writes it only if it still holds `expected`. */
export interface CompareAndSetOps<T> {
  read(): Promise<RawRead<T>>;
  /** Write `next` if the key still holds `expected` (undefined: still absent); false on conflict. */
  write(expected: string | undefined, next: T): Promise<boolean>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The retry loop behind every `Store.update`: read, apply, compare-and-set,
 * and on conflict start over with the fresh value. A short random pause
 * between attempts keeps many writers of one hot key from colliding in lockstep.
 */
export async function updateByCompareAndSet<T>(key: string, fn: (current: T | undefined) => T | undefined, ops: CompareAndSetOps<T>): Promise<T | undefined> {
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const current = await ops.read();
    const next = fn(current.value);
    if (next === undefined) return current.value;
    if (await ops.write(current.raw, next)) return next;
    await pause(Math.random() * Math.min(attempt, 10));
  }
  throw new AppError('store_conflict', `Key "${key}" kept changing; gave up after ${UPDATE_ATTEMPTS} attempts`, { retryable: true });
}
