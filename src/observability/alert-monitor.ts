import type { Alert, AuditEvent } from '../ports';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface AlertThresholds {
  /** Share of failed turns over 5 minutes that alerts (0.10 = 10 %). */
  errorRate: number;
  /** p95 turn latency over 5 minutes that alerts, in seconds. */
  p95Seconds: number;
  /** Monthly budget in USD; an hour costing three times its hourly share alerts. 0 turns the check off. */
  monthlyBudgetUsd: number;
}

export interface AlertMonitorOptions extends AlertThresholds {
  now: () => number;
  send: (alert: Alert) => Promise<void>;
  /** Fewer turns than this in the window say too little for rate and p95 alerts. Default 5. */
  minTurns?: number;
  /** How long a breaker stays open before on-call hears of it. Default 1 minute. */
  breakerOpenMs?: number;
}

/** Hours in an average month: the monthly budget's hourly share is budget / 730. */
const HOURS_PER_MONTH = 730;

/**
 * Watches the audit trail for trouble on-call should hear about: a high
 * error rate or slow turns over the last 5 minutes, a breaker open for over
 * a minute, an expensive hour. Each condition alerts at most once an hour.
 * `observe` records; `check` decides (the engine runs it with its sweep).
 */
export class AlertMonitor {
  private turns: Array<{ at: number; ms: number; failed: boolean }> = [];
  private costs: Array<{ at: number; usd: number }> = [];
  private readonly openSince = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly options: AlertMonitorOptions) {}

  /** Record what matters from one audit event. */
  observe(event: AuditEvent): void {
    const at = this.options.now();
    if (event.event === 'turn_completed') {
      // Refusals (empty or too long messages) and budget stops are the bot working as designed.
      const failed = event.success === false && event.outcome !== 'refused' && event.outcome !== 'over_budget';
      this.turns.push({ at, ms: typeof event.latency_ms === 'number' ? event.latency_ms : 0, failed });
    } else if (event.event === 'model_call' && typeof event.cost_usd === 'number' && event.cost_usd > 0) {
      this.costs.push({ at, usd: event.cost_usd });
    } else if (event.event === 'breaker_state' && typeof event.breaker === 'string') {
      // Half-open is still not healthy: only closing ends the outage.
      if (event.state === 'closed') this.openSince.delete(event.breaker);
      else if (!this.openSince.has(event.breaker)) this.openSince.set(event.breaker, at);
    }
  }

  /** Evaluate every condition and send the alerts that are due. */
  async check(): Promise<void> {
    const now = this.options.now();
    this.prune(now);
    const due: Array<{ key: string; text: string }> = [];
    const recent = this.turns.filter((t) => t.at >= now - 5 * MINUTE_MS);
    if (recent.length >= (this.options.minTurns ?? 5)) {
      const failed = recent.filter((t) => t.failed).length;
      const rate = failed / recent.length;
      if (rate > this.options.errorRate) {
        due.push({ key: 'error_rate', text: `${Math.round(rate * 100)}% of turns failed in the last 5 minutes (${failed} of ${recent.length}; alert above ${Math.round(this.options.errorRate * 100)}%).` });
      }
      const sorted = recent.map((t) => t.ms).sort((a, b) => a - b);
      const p95 = (sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0) / 1000;
      if (p95 > this.options.p95Seconds) {
        due.push({ key: 'p95_latency', text: `Turns are slow: p95 latency ${p95.toFixed(1)} s over the last 5 minutes (alert above ${this.options.p95Seconds} s).` });
      }
    }
    for (const [breaker, since] of this.openSince) {
      if (now - since > (this.options.breakerOpenMs ?? MINUTE_MS)) {
        due.push({ key: `breaker:${breaker}`, text: `Circuit breaker ${breaker} has been open for ${Math.round((now - since) / 1000)} s: calls to it are failing fast.` });
      }
    }
    if (this.options.monthlyBudgetUsd > 0) {
      const hourly = this.options.monthlyBudgetUsd / HOURS_PER_MONTH;
      const spent = this.costs.reduce((sum, c) => sum + c.usd, 0);
      if (spent > 3 * hourly) {
        due.push({ key: 'hourly_cost', text: `Spend in the last hour is $${spent.toFixed(2)}, over three times the monthly budget's hourly share ($${hourly.toFixed(2)}).` });
      }
    }
    for (const alert of due) {
      const last = this.lastSent.get(alert.key);
      if (last !== undefined && now - last < HOUR_MS) continue;
      this.lastSent.set(alert.key, now);
      await this.options.send({ kind: 'health', text: alert.text });
    }
  }

  private prune(now: number): void {
    const cutoff = now - HOUR_MS;
    if (this.turns.length > 0 && (this.turns[0]?.at ?? now) < cutoff) this.turns = this.turns.filter((t) => t.at >= cutoff);
    if (this.costs.length > 0 && (this.costs[0]?.at ?? now) < cutoff) this.costs = this.costs.filter((c) => c.at >= cutoff);
  }
}
