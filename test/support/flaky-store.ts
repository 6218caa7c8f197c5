import type { Store, StoreWrites } from '../../src/ports';
import { ForwardingStore } from './forwarding-store';

/** Decides whether one `set` should fail; returns true to throw. */
export type SetFault = (key: string, value: unknown) => boolean;

/**
 * A Store (our own port) that forwards to a real store but fails chosen
 * writes once, so tests can lose a session save or a journal entry the way a
 * crash or an unreachable database would.
 */
export class FlakyStore extends ForwardingStore {
  private readonly faults: SetFault[] = [];
  /** Keys whose writes were made to fail, in order. */
  readonly failed: string[] = [];
  /** Keys of every `set` that reached the real store, in order (to count statements). */
  readonly writes: string[] = [];

  constructor(inner: Store) {
    super(inner);
  }

  /** Fail the next `set` the predicate matches (once). */
  failNextSet(match: SetFault): void {
    this.faults.push(match);
  }

  override async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const index = this.faults.findIndex((fault) => fault(key, value));
    if (index >= 0) {
      this.faults.splice(index, 1);
      this.failed.push(key);
      throw new Error(`injected store failure writing ${key}`);
    }
    this.writes.push(key);
    return this.inner.set(key, value, ttlMs);
  }

  /** A commit carrying a write the next fault matches fails whole (all or none), using the fault up. */
  override async commit(writes: StoreWrites): Promise<number[]> {
    const sets = writes.set ?? [];
    for (const entry of sets) {
      const index = this.faults.findIndex((fault) => fault(entry.key, entry.value));
      if (index < 0) continue;
      this.faults.splice(index, 1);
      this.failed.push(entry.key);
      throw new Error(`injected store failure writing ${entry.key}`);
    }
    this.writes.push(...sets.map((entry) => entry.key));
    return this.inner.commit(writes);
  }
}

/** A `session:` record write. */
export const sessionWrite: SetFault = (key) => key.startsWith('session:');

/** The journal's outcome write (`done`): losing it is what a crash mid-call looks like. */
export const journalOutcomeWrite: SetFault = (key, value) =>
  key.startsWith('tool-exec:') && typeof value === 'object' && value !== null && (value as { state?: unknown }).state === 'done';
