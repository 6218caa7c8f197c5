import type { SaveBatch } from '../sessions/save-batch';
import type { BudgetGuard, Reservation, Settlement, Usage } from './budget-guard';

/**
 * The budget book of one run. A call's settlement is computed at once but
 * written with the next reservation (same round trip) or by `flush`, which
 * runs after the reply is posted: bookkeeping stays off the answer path,
 * and counters only ever hold the conservative estimate in between.
 */
export class BudgetLedger {
  private pending: Settlement[] = [];

  constructor(
    private readonly guard: BudgetGuard,
    private readonly userKey: string,
  ) {}

  reserve(estimateUsd: number, requestSpentUsd: number): Promise<Reservation> {
    return this.guard.reserve(this.userKey, estimateUsd, requestSpentUsd, this.take());
  }

  /** Record what a call really cost (undefined usage: it never ran); returns the cost. */
  record(reservation: Reservation, usage: Usage | undefined): number {
    const settlement = this.guard.settlement(reservation, usage);
    this.pending.push(settlement);
    return settlement.costUsd;
  }

  /**
   * Record an attempt the server billed although it failed (usage reported on
   * a response we could not use, then retried). It had no reservation of its
   * own, so its whole cost is added; returns the cost.
   */
  recordBilledAttempt(reservation: Reservation, usage: Usage): number {
    return this.record({ ...reservation, estimateUsd: 0 }, usage);
  }

  /** Write everything recorded and not yet written. */
  async flush(): Promise<void> {
    await this.guard.apply(this.take());
  }

  /** Write everything recorded and not yet written with the session save (`SaveBatch`), not on its own. */
  flushWith(batch: SaveBatch): void {
    this.guard.applyWith(batch, this.take());
  }

  private take(): Settlement[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
