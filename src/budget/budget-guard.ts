import { BudgetExceededError } from '../errors';
import type { CounterIncrement, Store } from '../ports';
import type { SaveBatch } from '../sessions/save-batch';
import { periodOf, type Period } from './periods';
import type { PriceTable } from './prices';
import { costOf, UnwrittenSpend, withRetries, type SpendWriteEvent, type SpendWriteRetry } from './unwritten-spend';

export interface BudgetLimits {
  requestUsd: number;
  userDailyUsd: number;
  monthlyUsd: number;
  timezone: string;
  /** Share of a limit at which on-call hears about it once per period (0.8). */
  alertRatio: number;
}

export interface BudgetGuardOptions {
  store: Store;
  prices: PriceTable;
  limits: BudgetLimits;
  now: () => number;
  /** Called once per scope and period when spend crosses `alertRatio` of a limit. */
  onAlert?: (alert: BudgetAlert) => void;
  /** Retries of a failed spend write before it is held in memory (3 tries, 50 ms then 200 ms). */
  writeRetry?: SpendWriteRetry;
  /** Waits between retries; injected so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Spend could not be written even after retries and is held in memory (audit it). */
  onWriteFailed?: (event: SpendWriteEvent) => void;
  /** Held spend was finally written. */
  onHeldWritten?: (event: SpendWriteEvent) => void;
}

export interface BudgetAlert {
  scope: 'user_daily' | 'monthly';
  period: string;
  userKey?: string;
  spentUsd: number;
  limitUsd: number;
}

/** Money set aside before a model call; settled with the real cost after it. */
export interface Reservation {
  userKey: string;
  estimateUsd: number;
  period: Period;
  userSpent: number;
  monthSpent: number;
}

/** Counter changes of a settled call, not yet written. */
export interface Settlement {
  costUsd: number;
  period: Period;
  userKey: string;
  changes: CounterIncrement[];
  markers: Array<{ key: string; value: unknown }>;
}

export interface Usage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  sessionId: string;
}

const DAY_MS = 86_400_000;
const EPSILON = 1e-9;

/** Whose budget a caller spends: platform and user id. */
export function budgetUserKey(caller: { platform: string; userId: string }): string {
  return `${caller.platform}:${caller.userId}`;
}

/** Store keys of the spend ledger, one place so reports read what the guard writes. */
export const spendKeys = {
  userDay: (day: string, user: string) => `spend:user-day:${day}:${user}`,
  userMonth: (month: string, user: string) => `spend:user-month:${month}:${user}`,
  month: (month: string) => `spend:month:${month}`,
  day: (day: string) => `spend:day:${day}`,
  modelMonth: (month: string, model: string) => `spend:model-month:${month}:${model}`,
  session: (sessionId: string) => `spend:session:${sessionId}`,
  kiloTokens: (month: string, model: string, kind: 'in' | 'out') => `ktokens:model-month:${month}:${model}:${kind}`,
  spenderMarker: (month: string, user: string) => `spender:${month}:${user}`,
  modelMarker: (month: string, model: string) => `model-used:${month}:${model}`,
};

/**
 * Hard budgets per request, per user per day and globally per month.
 * Reserving increments the counters atomically *before* spending, so
 * concurrent turns cannot overspend; settling corrects to the real cost.
 */
export class BudgetGuard {
  private readonly markers = new Set<string>();
  private readonly unwritten = new UnwrittenSpend();
  private readonly writeRetry: SpendWriteRetry;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: BudgetGuardOptions) {
    this.writeRetry = options.writeRetry ?? { attempts: 3, initialDelayMs: 50 };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Settlements held in memory after failed writes, waiting for the next write. */
  get heldSettlements(): number {
    return this.unwritten.size;
  }

  get limits(): BudgetLimits {
    return this.options.limits;
  }

  /** Estimated cost of a call with this many prompt tokens and the max output. */
  estimate(model: string, promptTokens: number, maxOutputTokens: number): number {
    return this.options.prices.cost(model, promptTokens, maxOutputTokens);
  }

  /**
   * Set money aside or throw BudgetExceededError without spending anything.
   * `carry` holds earlier settlements not yet written: they ride along in the
   * same round trip, and are written even when the reservation is refused.
   */
  async reserve(userKey: string, estimateUsd: number, requestSpentUsd: number, carry: readonly Settlement[] = []): Promise<Reservation> {
    const { limits, store } = this.options;
    const period = periodOf(this.options.now(), limits.timezone);
    if (requestSpentUsd + estimateUsd > limits.requestUsd + EPSILON || estimateUsd <= 0) {
      await this.apply(carry);
      if (estimateUsd > 0) throw new BudgetExceededError('request', 'This request has reached its spending limit.');
      return { userKey, estimateUsd: 0, period, userSpent: 0, monthSpent: 0 };
    }
    const userKeyName = spendKeys.userDay(period.day, userKey);
    const monthKeyName = spendKeys.month(period.month);
    // Spend held after earlier failed writes rides along too.
    const held = this.unwritten.take();
    const carriedSettlements = [...held, ...carry];
    const carried = carriedSettlements.flatMap((settlement) => settlement.changes);
    let values: number[];
    try {
      values = await store.incrementMany([
        ...carried,
        { key: userKeyName, by: estimateUsd, ttlMs: 3 * DAY_MS },
        { key: monthKeyName, by: estimateUsd, ttlMs: 40 * DAY_MS },
      ]);
    } catch (error) {
      // The reservation fails with the store, but the spend it carried must not.
      this.unwritten.hold(carriedSettlements);
      this.options.onWriteFailed?.({ settlements: carriedSettlements.length, costUsd: costOf(carriedSettlements), held: this.unwritten.size, error });
      throw error;
    }
    if (held.length > 0) this.options.onHeldWritten?.({ settlements: held.length, costUsd: costOf(held), held: this.unwritten.size });
    await this.writeMarkers(carriedSettlements);
    const userSpent = values[carried.length] ?? 0;
    const monthSpent = values[carried.length + 1] ?? 0;
    const overUser = userSpent > limits.userDailyUsd + EPSILON;
    const overMonth = monthSpent > limits.monthlyUsd + EPSILON;
    if (overUser || overMonth) {
      await store.incrementMany([
        { key: userKeyName, by: -estimateUsd },
        { key: monthKeyName, by: -estimateUsd },
      ]);
      throw overUser
        ? new BudgetExceededError('user_daily', 'You have reached your daily usage limit for the assistant.')
        : new BudgetExceededError('monthly', 'The assistant has reached its monthly budget.');
    }
    await this.checkAlerts(period, userKey, userSpent, monthSpent);
    return { userKey, estimateUsd, period, userSpent, monthSpent };
  }

  /**
   * What replacing the estimate with the real cost changes, computed now and
   * written later (`apply`, or carried by the next `reserve`), so the cost of
   * a call is known without a round trip on the answer path.
   */
  settlement(reservation: Reservation, usage: Usage | undefined): Settlement {
    const { period, userKey } = reservation;
    const costUsd = usage ? this.options.prices.cost(usage.model, usage.promptTokens, usage.completionTokens) : 0;
    const delta = costUsd - reservation.estimateUsd;
    const changes: CounterIncrement[] = [];
    if (Math.abs(delta) > EPSILON) {
      changes.push({ key: spendKeys.userDay(period.day, userKey), by: delta, ttlMs: 3 * DAY_MS }, { key: spendKeys.month(period.month), by: delta, ttlMs: 40 * DAY_MS });
    }
    const markers: Settlement['markers'] = [];
    if (usage && costUsd > 0) {
      changes.push(
        { key: spendKeys.userMonth(period.month, userKey), by: costUsd, ttlMs: 40 * DAY_MS },
        { key: spendKeys.day(period.day), by: costUsd, ttlMs: 40 * DAY_MS },
        { key: spendKeys.modelMonth(period.month, usage.model), by: costUsd, ttlMs: 40 * DAY_MS },
        { key: spendKeys.session(usage.sessionId), by: costUsd, ttlMs: 90 * DAY_MS },
        // Thousands of tokens: counters hold ±9.2e9 units, which whole tokens would outgrow in a busy month.
        { key: spendKeys.kiloTokens(period.month, usage.model, 'in'), by: usage.promptTokens / 1000, ttlMs: 40 * DAY_MS },
        { key: spendKeys.kiloTokens(period.month, usage.model, 'out'), by: usage.completionTokens / 1000, ttlMs: 40 * DAY_MS },
      );
      markers.push({ key: spendKeys.spenderMarker(period.month, userKey), value: { userKey } }, { key: spendKeys.modelMarker(period.month, usage.model), value: { model: usage.model } });
    }
    return { costUsd, period, userKey, changes, markers };
  }

  /**
   * Write settlements (and any held after earlier failures) in one round trip,
   * retried with backoff; if the store still fails they are held in memory and
   * reported, never thrown away. Then alert if a threshold was crossed.
   */
  async apply(settlements: readonly Settlement[]): Promise<void> {
    const held = this.unwritten.take();
    const all = [...held, ...settlements];
    const changes = all.flatMap((settlement) => settlement.changes);
    let values: number[] = [];
    if (changes.length > 0) {
      try {
        values = await withRetries(() => this.options.store.incrementMany(changes), this.writeRetry, this.sleep);
      } catch (error) {
        this.unwritten.hold(all);
        this.options.onWriteFailed?.({ settlements: all.length, costUsd: costOf(all), held: this.unwritten.size, error });
        return;
      }
    }
    await this.afterWrite(all, held, changes, values);
  }

  /**
   * `apply`, with the counter changes riding in `batch` (the session save's
   * round trip) instead of a write of their own. If the batch is not
   * written, `apply` writes them (retried, held if the store still fails).
   */
  applyWith(batch: SaveBatch, settlements: readonly Settlement[]): void {
    const held = this.unwritten.take();
    const all = [...held, ...settlements];
    if (all.length === 0) return;
    const changes = all.flatMap((settlement) => settlement.changes);
    batch.add({
      increment: changes,
      // The spend is stored; an alert check that fails now runs again at the next write.
      written: (values) => this.afterWrite(all, held, changes, values).catch(() => undefined),
      notWritten: async () => {
        this.unwritten.hold(all);
        await this.apply([]);
      },
    });
  }

  /** After the counters of `all` were written: held spend reported, markers written, thresholds checked. */
  private async afterWrite(all: readonly Settlement[], held: readonly Settlement[], changes: readonly CounterIncrement[], values: readonly number[]): Promise<void> {
    if (held.length > 0 && changes.length > 0) this.options.onHeldWritten?.({ settlements: held.length, costUsd: costOf(held), held: this.unwritten.size });
    await this.writeMarkers(all);
    // Threshold checks read the totals this write returned.
    const latest = new Map(changes.map((change, i) => [change.key, values[i] as number]));
    for (const { period, userKey } of all) {
      const userSpent = latest.get(spendKeys.userDay(period.day, userKey));
      const monthSpent = latest.get(spendKeys.month(period.month));
      if (userSpent !== undefined || monthSpent !== undefined) await this.checkAlerts(period, userKey, userSpent ?? 0, monthSpent ?? 0);
    }
  }

  /** Write whatever is held after failed writes (engine stop); returns how many settlements are still held. */
  async writeHeld(): Promise<number> {
    await this.apply([]);
    return this.unwritten.size;
  }

  /** Settle one call now; returns its real cost. */
  async settle(reservation: Reservation, usage: Usage | undefined): Promise<number> {
    const settlement = this.settlement(reservation, usage);
    await this.apply([settlement]);
    return settlement.costUsd;
  }


  /**
   * Markers (who spent, which model) are written after the counters; if they
   * fail, only they are held, so the counters are never written twice.
   */
  private async writeMarkers(settlements: readonly Settlement[]): Promise<void> {
    const marked = settlements.filter((settlement) => settlement.markers.length > 0);
    if (marked.length === 0) return;
    try {
      await withRetries(() => this.markAll(marked), this.writeRetry, this.sleep);
    } catch (error) {
      this.unwritten.hold(marked.map((settlement) => ({ ...settlement, costUsd: 0, changes: [] })));
      this.options.onWriteFailed?.({ settlements: marked.length, costUsd: 0, held: this.unwritten.size, error });
    }
  }

  /** Markers not written by this process yet, all in one round trip. */
  private async markAll(settlements: readonly Settlement[]): Promise<void> {
    const fresh = new Map<string, unknown>();
    for (const { markers } of settlements) for (const m of markers) if (!this.markers.has(m.key) && !fresh.has(m.key)) fresh.set(m.key, m.value);
    if (fresh.size === 0) return;
    await this.options.store.setIfAbsentMany([...fresh].map(([key, value]) => ({ key, value, ttlMs: 40 * DAY_MS })));
    // The set only saves round trips; forgetting it is safe, so keep it bounded.
    if (this.markers.size > 50_000) this.markers.clear();
    for (const key of fresh.keys()) this.markers.add(key);
  }

  private async checkAlerts(period: Period, userKey: string, userSpent: number, monthSpent: number): Promise<void> {
    const { limits, store, onAlert } = this.options;
    if (!onAlert) return;
    const checks: BudgetAlert[] = [];
    if (limits.userDailyUsd > 0 && userSpent >= limits.userDailyUsd * limits.alertRatio) {
      checks.push({ scope: 'user_daily', period: period.day, userKey, spentUsd: userSpent, limitUsd: limits.userDailyUsd });
    }
    if (limits.monthlyUsd > 0 && monthSpent >= limits.monthlyUsd * limits.alertRatio) {
      checks.push({ scope: 'monthly', period: period.month, spentUsd: monthSpent, limitUsd: limits.monthlyUsd });
    }
    for (const alert of checks) {
      const key = `alert:${alert.scope}:${alert.period}${alert.userKey ? `:${alert.userKey}` : ''}`;
      if (this.markers.has(key)) continue;
      // One alert per scope and period across every replica.
      if (await store.setIfAbsent(key, { at: this.options.now() }, 40 * DAY_MS)) onAlert(alert);
      this.markers.add(key);
    }
  }
}
