import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { UPDATE_ATTEMPTS, updateByCompareAndSet } from '../../src/sessions/compare-and-set';

describe('updateByCompareAndSet', () => {
  it('re-reads and re-applies fn after each lost compare-and-set, then writes what fn made of the fresh value', async () => {
    let stored = { raw: '1', value: 1 };
    let losses = 2;
    const seen: number[] = [];
    const result = await updateByCompareAndSet<number>('k', (cur) => (seen.push(cur ?? -1), (cur ?? 0) * 10), {
      read: async () => ({ ...stored }),
      write: async (expected, next) => {
        if (losses-- > 0) {
          // Someone else wrote in between.
          stored = { raw: String(stored.value + 1), value: stored.value + 1 };
          return false;
        }
        if (expected !== stored.raw) return false;
        stored = { raw: String(next), value: next };
        return true;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(result).toBe(30);
    expect(stored.value).toBe(30);
  });

  it('gives up with a retryable store_conflict after the bounded attempts', async () => {
    let writes = 0;
    const error = await updateByCompareAndSet<number>('hot', () => 1, {
      read: async () => ({ raw: 'x', value: 0 }),
      write: async () => {
        writes += 1;
        return false;
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('store_conflict');
    expect((error as AppError).retryable).toBe(true);
    expect(writes).toBe(UPDATE_ATTEMPTS);
  });
});
