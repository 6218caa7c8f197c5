import type { z } from 'zod';
import type { NewEntry, Store } from '../ports';
import type { Sealer } from './sealer';

interface SealedEnvelope {
  sealed: string;
}

export interface SealedCollectionOptions<T> {
  store: Store;
  sealer: Sealer;
  /** Key prefix, e.g. `session:`. */
  prefix: string;
  /** Validates (and migrates) what is read back. */
  parse: (raw: unknown) => T | undefined;
  ttlMs: number;
}

/**
 * Records encrypted at rest (AES-256-GCM) under one key prefix. Only the
 * envelope `{sealed}` reaches the store, so the database never holds plaintext.
 * Each record is sealed with its storage key as associated data, so a record
 * copied under another key does not open.
 */
export class SealedCollection<T> {
  constructor(private readonly options: SealedCollectionOptions<T>) {}

  key(id: string): string {
    return `${this.options.prefix}${id}`;
  }

  /**
   * The record, or undefined when absent or of an unknown shape. Throws
   * `sealed_unreadable` when it does not decrypt (other ENCRYPTION_KEY,
   * tampered, or moved from another key).
   */
  async get(id: string): Promise<T | undefined> {
    const key = this.key(id);
    return this.open(key, await this.options.store.get<SealedEnvelope>(key));
  }

  /** Write a record whole. Use it to create records; change existing ones with `update`. */
  async put(id: string, value: T, ttlMs = this.options.ttlMs): Promise<void> {
    const { key, value: envelope, ttlMs: ttl } = this.entry(id, value, ttlMs);
    await this.options.store.set(key, envelope, ttl);
  }

  /** The sealed record as a store entry, for writing it together with other writes (`Store.commit`). */
  entry(id: string, value: T, ttlMs = this.options.ttlMs): NewEntry {
    const key = this.key(id);
    return { key, value: { sealed: this.options.sealer.seal(value, key) }, ttlMs };
  }

  /**
   * Change a record by compare-and-set (`Store.update`): decrypt, apply `fn`,
   * re-seal. `fn` gets a fresh copy on every attempt and may mutate and
   * return it; returning undefined leaves the record as it is. An unreadable
   * record throws instead of being overwritten. Returns the record as stored
   * afterwards.
   */
  async update(id: string, fn: (current: T | undefined) => T | undefined, ttlMs = this.options.ttlMs): Promise<T | undefined> {
    const key = this.key(id);
    let result: T | undefined;
    await this.options.store.update<SealedEnvelope>(
      key,
      (envelope) => {
        const current = this.open(key, envelope);
        const next = fn(current);
        result = next ?? current;
        // Re-sealing (also of legacy v1 envelopes) happens only on a real change.
        return next === undefined ? undefined : { sealed: this.options.sealer.seal(next, key) };
      },
      ttlMs,
    );
    return result;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.options.store.get(this.key(id))) !== undefined;
  }

  private open(key: string, envelope: SealedEnvelope | undefined): T | undefined {
    if (!envelope || typeof envelope.sealed !== 'string') return undefined;
    return this.options.parse(this.options.sealer.open(envelope.sealed, key));
  }
}

/** Parse with a zod schema, undefined on mismatch. */
export function parseWith<T>(schema: z.ZodType<T>): (raw: unknown) => T | undefined {
  return (raw) => {
    const result = schema.safeParse(raw);
    return result.success ? result.data : undefined;
  };
}
