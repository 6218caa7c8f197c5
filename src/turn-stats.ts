const HOUR_MS = 3_600_000;

/** Rolling one-hour window of turn outcomes and latencies, for /status. */
export class TurnStats {
  private turns: Array<{ at: number; ms: number; ok: boolean }> = [];
  private readonly activeSessions = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  record(sessionId: string, latencyMs: number, ok: boolean): void {
    const at = this.now();
    this.turns.push({ at, ms: latencyMs, ok });
    this.activeSessions.set(sessionId, at);
    if (this.turns.length % 256 === 0) this.prune();
  }

  snapshot(): { turns: number; errors: number; p50: number; p95: number; activeSessions: number } {
    this.prune();
    const sorted = this.turns.map((t) => t.ms).sort((a, b) => a - b);
    const pick = (q: number) => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number));
    return {
      turns: this.turns.length,
      errors: this.turns.filter((t) => !t.ok).length,
      p50: pick(0.5),
      p95: pick(0.95),
      activeSessions: this.activeSessions.size,
    };
  }

  private prune(): void {
    const cutoff = this.now() - HOUR_MS;
    if (this.turns.length > 0 && (this.turns[0] as { at: number }).at < cutoff) this.turns = this.turns.filter((t) => t.at >= cutoff);
    for (const [id, at] of this.activeSessions) if (at < cutoff) this.activeSessions.delete(id);
  }
}
