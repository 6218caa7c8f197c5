import { AppError } from '../errors';

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
