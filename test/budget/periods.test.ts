import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/budget/periods';

describe('budget periods', () => {
  it('changes day exactly at local midnight, also in zones with quarter-hour offsets, asked again and again', () => {
    // Asia/Kathmandu is UTC+05:45: local midnight of 2026-11-23 is 18:15 UTC on the 22nd.
    const midnight = Date.parse('2026-11-22T18:15:00Z');
    for (let round = 0; round < 3; round++) {
      expect(periodOf(midnight - 60_001, 'Asia/Kathmandu')).toEqual({ day: '2026-11-22', month: '2026-11' });
      expect(periodOf(midnight - 1, 'Asia/Kathmandu')).toEqual({ day: '2026-11-22', month: '2026-11' });
      expect(periodOf(midnight, 'Asia/Kathmandu')).toEqual({ day: '2026-11-23', month: '2026-11' });
      expect(periodOf(midnight + 59_999, 'Asia/Kathmandu')).toEqual({ day: '2026-11-23', month: '2026-11' });
    }
    // The same instant is another day elsewhere; zones do not share answers.
    expect(periodOf(midnight, 'UTC')).toEqual({ day: '2026-11-22', month: '2026-11' });
    expect(periodOf(Date.parse('2026-11-30T23:59:59.999Z'), 'UTC')).toEqual({ day: '2026-11-30', month: '2026-11' });
    expect(periodOf(Date.parse('2026-12-01T00:00:00Z'), 'UTC')).toEqual({ day: '2026-12-01', month: '2026-12' });
  });

  it('hands out copies: a caller changing its period does not change the next answer', () => {
    const at = Date.parse('2026-11-22T10:00:00Z');
    const first = periodOf(at, 'Europe/Berlin');
    first.day = 'changed';
    expect(periodOf(at, 'Europe/Berlin').day).toBe('2026-11-22');
  });
});
