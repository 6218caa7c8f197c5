/** Port: injected time, so tests control it. */

/** Injected time, so expiry, budgets per day and breakers are testable without sleeping. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
