import { BudgetLedger } from '../budget/budget-ledger';
import type { BudgetGuard, Reservation, Usage } from '../budget/budget-guard';

/** What the consultations of one turn have spent and hold reserved, together. */
export class SharedRequestSpend {
  /** Spent by the run before the consultations started, plus what they have spent since. */
  spentUsd: number;
  /** Reserved by model calls still running. */
  reservedUsd = 0;

  constructor(spentBeforeUsd: number) {
    this.spentUsd = spentBeforeUsd;
  }
}

/**
 * The budget book of one consultation, kept in the turn's book (so the
 * turn writes it, as for any run). Its calls run concurrently with the
 * other specialists' calls, so the per-request limit is checked against
 * what all of them spent and hold reserved, not this consultation alone:
 * two parallel calls cannot each see room the other already took. Daily and
 * monthly limits are atomic counters in the store, as for any call.
 */
export class ConsultationLedger extends BudgetLedger {
  constructor(
    guard: BudgetGuard,
    userKey: string,
    private readonly turn: BudgetLedger,
    private readonly shared: SharedRequestSpend,
  ) {
    super(guard, userKey);
  }

  override async reserve(estimateUsd: number): Promise<Reservation> {
    const othersUsd = this.shared.spentUsd + this.shared.reservedUsd;
    // Held before the await, so a concurrent reservation already sees it.
    this.shared.reservedUsd += estimateUsd;
    try {
      const reservation = await this.turn.reserve(estimateUsd, othersUsd);
      // A free call holds nothing.
      this.shared.reservedUsd -= estimateUsd - reservation.estimateUsd;
      return reservation;
    } catch (error) {
      this.shared.reservedUsd -= estimateUsd;
      throw error;
    }
  }

  override record(reservation: Reservation, usage: Usage | undefined): number {
    const cost = this.turn.record(reservation, usage);
    this.shared.reservedUsd -= reservation.estimateUsd;
    this.shared.spentUsd += cost;
    return cost;
  }

  /** Written by the turn's book. */
  override async flush(): Promise<void> {}
}
