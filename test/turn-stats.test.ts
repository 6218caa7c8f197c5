import { describe, expect, it } from 'vitest';
import { LATENCY_RELATIVE_ERROR, RollingLatencyWindow } from '../src/rolling-latency';
import { TurnStats } from '../src/turn-stats';
import { ManualClock } from './support/manual-clock';

/** Deterministic pseudo-random latencies (xorshift), log-normal-ish like real turns: mostly 0.3-3 s, a tail to a minute. */
function latencies(count: number, seed = 42): number[] {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 1_000_000) / 1_000_000;
  };
  return Array.from({ length: count }, () => Math.round(300 * Math.exp(next() * 2.5 + (next() < 0.05 ? 2 : 0))));
}

/** The exact percentile the old sorted-array implementation reported. */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Bytes reachable from the stats object: its typed arrays and the sessions map size. */
function internalSize(stats: TurnStats): { counters: number; sessions: number } {
  const window = (stats as unknown as { latency: RollingLatencyWindow }).latency;
  return { counters: window.capacity, sessions: stats.snapshot().activeSessions };
}

describe('TurnStats', () => {
  it('keeps memory constant over 100k turns and reports percentiles within the stated error', () => {
    const clock = new ManualClock();
    const stats = new TurnStats(() => clock.now());
    const before = internalSize(stats);
    const values = latencies(100_000);
    // 100k turns over 50 minutes, from 20 sessions.
    values.forEach((ms, i) => {
      stats.record(`s${i % 20}`, ms, i % 50 !== 0);
      if (i % 2000 === 1999) clock.advance(60_000);
    });
    const after = internalSize(stats);
    expect(after.counters).toBe(before.counters);
    expect(after.counters).toBeLessThan(20_000);

    const snapshot = stats.snapshot();
    expect(snapshot.turns).toBe(100_000);
    expect(snapshot.errors).toBe(2_000);
    expect(snapshot.activeSessions).toBe(20);
    for (const [q, reported] of [[0.5, snapshot.p50], [0.95, snapshot.p95]] as const) {
      const truth = exact(values, q);
      expect(Math.abs(reported - truth) / truth).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-9);
    }
  });

  it('rolls old minutes off with the injected clock', () => {
    const clock = new ManualClock();
    const stats = new TurnStats(() => clock.now());
    for (let i = 0; i < 100; i++) stats.record('old', 5_000, false);
    clock.advance(30 * 60_000);
    for (let i = 0; i < 100; i++) stats.record('new', 100, true);
    expect(stats.snapshot()).toMatchObject({ turns: 200, errors: 100, activeSessions: 2 });
    expect(stats.snapshot().p95).toBeGreaterThan(5_000 * (1 - LATENCY_RELATIVE_ERROR));

    clock.advance(31 * 60_000);
    const later = stats.snapshot();
    expect(later).toMatchObject({ turns: 100, errors: 0, activeSessions: 1 });
    expect(Math.abs(later.p95 - 100) / 100).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);

    clock.advance(2 * 3_600_000);
    expect(stats.snapshot()).toEqual({ turns: 0, errors: 0, p50: 0, p95: 0, activeSessions: 0 });
  });

  it('reuses a minute row after the window wraps, never mixing an hour-old minute into the current one', () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:10Z'));
    const window = new RollingLatencyWindow(() => clock.now(), 60);
    window.record(10_000, true);
    clock.advance(60 * 60_000); // same row, one hour later
    window.record(10, true);
    expect(window.summary()).toMatchObject({ count: 1 });
    expect(Math.abs(window.summary().p50 - 10) / 10).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
  });

  it('reports sub-millisecond and very long turns at the edges of its range', () => {
    const clock = new ManualClock();
    const window = new RollingLatencyWindow(() => clock.now());
    window.record(0, true);
    expect(window.summary().p50).toBeLessThan(1);
    for (let i = 0; i < 10; i++) window.record(3_600_000, true);
    expect(window.summary().p95).toBe(15 * 60_000);
  });
});
