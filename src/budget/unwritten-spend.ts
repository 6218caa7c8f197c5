import type { Settlement } from './budget-guard';

/** How often and how patiently a spend write is retried before it is held in memory. */
export interface SpendWriteRetry {
  /** Tries in all, the first included (3). */
  attempts: number;
  /** Wait before the second try; each later wait is 4 times longer (50 ms). */
  initialDelayMs: number;
}

/** What the guard reports when spend could not be written, or was written late. */
export interface SpendWriteEvent {
  /** Settlements concerned (each is one model call's counter changes). */
  settlements: number;
  /** Their real cost in USD. */
  costUsd: number;
  /** Settlements still held in memory after this event. */
  held: number;
  error?: unknown;
}

/**
 * Settlements whose write failed even after retries. They are never dropped:
 * the next write of the guard (a settlement or a reservation) carries them,
 * and the engine writes what is left when it stops. Increments commute, so
 * writing them late changes no total.
 */
export class UnwrittenSpend {
  private held: Settlement[] = [];

  /** Keep settlements for a later write. */
  hold(settlements: readonly Settlement[]): void {
    for (const settlement of settlements) if (settlement.changes.length > 0 || settlement.markers.length > 0) this.held.push(settlement);
  }

  /** Everything held, removed from here: the caller writes it or holds it again. */
  take(): Settlement[] {
    const taken = this.held;
    this.held = [];
    return taken;
  }

  get size(): number {
    return this.held.length;
  }
}

/** Total real cost of some settlements. */
export const costOf = (settlements: readonly Settlement[]): number => settlements.reduce((sum, s) => sum + s.costUsd, 0);

/** Run `write` up to `retry.attempts` times with exponential backoff; rethrows the last error. */
export async function withRetries<T>(write: () => Promise<T>, retry: SpendWriteRetry, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= retry.attempts) throw error;
      await sleep(retry.initialDelayMs * 4 ** (attempt - 1));
    }
  }
}
