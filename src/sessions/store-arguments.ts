import { AppError } from '../errors';
import type { CounterIncrement, NewEntry, StoreWrites } from '../ports';

/** Counters are stored as whole billionths, so sums are exact and equal in every store. */
export const NANOS = 1e9;

const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** The namespace, checked: only characters that can never alias another namespace's keys. */
export function checkNamespace(namespace: string | undefined): string {
  const value = namespace ?? 'keyv';
  if (!NAMESPACE_PATTERN.test(value)) throw new AppError('store_invalid_argument', `Invalid store namespace "${value}"`);
  return value;
}

/** A TTL in whole milliseconds, or undefined for none; rejects non-positive and non-finite values. */
export function checkTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new AppError('store_invalid_argument', `TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}

/** An increment in billionths; rejects amounts that would lose integer precision. */
export function toNanos(by: number): number {
  const nanos = Math.round(by * NANOS);
  if (!Number.isSafeInteger(nanos)) throw new AppError('store_invalid_argument', `Cannot increment by ${by}`);
  return nanos;
}

export function wrongType(key: string): AppError {
  return new AppError('store_wrong_type', `Key "${key}" holds a value, not a counter`);
}

/** Merge repeated keys (their amounts add up) so a batch touches each counter once. */
export function mergeIncrements(entries: readonly CounterIncrement[]): Array<{ key: string; nanos: number; ttl: number | undefined }> {
  const merged = new Map<string, { key: string; nanos: number; ttl: number | undefined }>();
  for (const entry of entries) {
    const nanos = toNanos(entry.by);
    const ttl = checkTtl(entry.ttlMs);
    const existing = merged.get(entry.key);
    if (existing) {
      existing.nanos += nanos;
      existing.ttl ??= ttl;
      if (!Number.isSafeInteger(existing.nanos)) throw new AppError('store_invalid_argument', `Cannot increment ${entry.key} by that much`);
    } else merged.set(entry.key, { key: entry.key, nanos, ttl });
  }
  return [...merged.values()];
}

/** A due time for the due-time index: a finite epoch-ms number, rounded down to whole ms. */
export function checkDueAt(dueAt: number): number {
  if (!Number.isFinite(dueAt)) throw new AppError('store_invalid_argument', `Due time must be a finite number, got ${dueAt}`);
  return Math.floor(dueAt);
}

/** How many due members to read at most: a positive whole number. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit <= 0) throw new AppError('store_invalid_argument', `Limit must be a positive integer, got ${limit}`);
  return limit;
}

/** `Store.commit`'s writes, checked: sets with their TTLs, deletes, and counter changes merged per key. */
export function checkWrites(writes: StoreWrites): {
  sets: readonly NewEntry[];
  ttls: Array<number | undefined>;
  deletes: readonly string[];
  increments: readonly CounterIncrement[];
  merged: ReturnType<typeof mergeIncrements>;
} {
  const sets = writes.set ?? [];
  const increments = writes.increment ?? [];
  return { sets, ttls: sets.map((entry) => checkTtl(entry.ttlMs)), deletes: writes.delete ?? [], increments, merged: mergeIncrements(increments) };
}
