/** Entries the store takes in batches. */

/** One counter change for `Store.incrementMany`. */
export interface CounterIncrement {
  /** The key. */
  key: string;
  /** Amount to add (may be fractional or negative). */
  by: number;
  /** Applies when the counter is created. */
  ttlMs?: number;
}

/** One entry for `Store.setIfAbsentMany`. */
export interface NewEntry {
  /** The key. */
  key: string;
  /** JSON-serialisable value. */
  value: unknown;
  /** As in `Store.set`. */
  ttlMs?: number;
}
