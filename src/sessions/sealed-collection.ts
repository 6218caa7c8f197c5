import type { z } from 'zod';
import type { Store } from '../ports';
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
 */
export class SealedCollection<T> {
  constructor(private readonly options: SealedCollectionOptions<T>) {}

  key(id: string): string {
    return `${this.options.prefix}${id}`;
  }

  /** The record, or undefined when absent or unreadable (bad key, old shape). */
  async get(id: string): Promise<T | undefined> {
    const envelope = await this.options.store.get<SealedEnvelope>(this.key(id));
    if (!envelope || typeof envelope.sealed !== 'string') return undefined;
    return this.options.parse(this.options.sealer.open(envelope.sealed));
  }

  async put(id: string, value: T, ttlMs = this.options.ttlMs): Promise<void> {
    await this.options.store.set(this.key(id), { sealed: this.options.sealer.seal(value) }, ttlMs);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.options.store.get(this.key(id))) !== undefined;
  }
}

/** Parse with a zod schema, undefined on mismatch. */
export function parseWith<T>(schema: z.ZodType<T>): (raw: unknown) => T | undefined {
  return (raw) => {
    const result = schema.safeParse(raw);
    return result.success ? result.data : undefined;
  };
}
