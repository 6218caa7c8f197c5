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

/** What `Store.commit` writes together. */
export interface StoreWrites {
  /** Values stored as by `set` (TTL optional). */
  set?: readonly NewEntry[];
  /** Keys removed as by `delete` (absent ones are ignored). */
  delete?: readonly string[];
  /** Counter changes as by `incrementMany`. */
  increment?: readonly CounterIncrement[];
}
