import { RollingLatencyWindow } from './rolling-latency';

const HOUR_MS = 3_600_000;

/**
 * Rolling one-hour window of turn outcomes and latencies, for /status.
 * Latencies live in fixed per-minute histograms (see rolling-latency.ts), so
 * memory does not grow with traffic and p50/p95 are within about 5%.
 */
export class TurnStats {
  private readonly latency: RollingLatencyWindow;
  private readonly activeSessions = new Map<string, number>();
  private recorded = 0;

  constructor(private readonly now: () => number) {
    this.latency = new RollingLatencyWindow(now, 60);
  }

  /** Count one finished turn of a session. */
  record(sessionId: string, latencyMs: number, ok: boolean): void {
    this.latency.record(latencyMs, ok);
    // Delete first so the map stays in last-seen order and pruning can stop at the first live entry.
    this.activeSessions.delete(sessionId);
    this.activeSessions.set(sessionId, this.now());
    if (++this.recorded % 256 === 0) this.pruneSessions();
  }

  /** Turns, errors and latency percentiles of the last hour (the current minute and the 59 before it). */
  snapshot(): { turns: number; errors: number; p50: number; p95: number; activeSessions: number } {
    this.pruneSessions();
    const { count, errors, p50, p95 } = this.latency.summary();
    return { turns: count, errors, p50, p95, activeSessions: this.activeSessions.size };
  }

  private pruneSessions(): void {
    const cutoff = this.now() - HOUR_MS;
    for (const [id, at] of this.activeSessions) {
      if (at >= cutoff) break;
      this.activeSessions.delete(id);
    }
  }
}
