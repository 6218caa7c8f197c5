import type { CounterIncrement, NewEntry, Store, StoreWrites } from '../../src/ports';
import { ForwardingStore } from '../support/forwarding-store';

/**
 * A real store whose counter writes fail on demand, as a store does during a
 * Redis failover or a locked SQLite file. Everything else passes through.
 */
export class FailingStore extends ForwardingStore {
  /** incrementMany calls made, failed ones included. */
  incrementCalls = 0;
  /** Marker writes to fail, counted down per entry. */
  failMarkers = 0;
  /** setIfAbsent / setIfAbsentMany calls made (marker round trips), failed ones included. */
  markerCalls = 0;
  private failIncrements = 0;

  constructor(inner: Store) {
    super(inner);
  }

  /** Fail the next `count` incrementMany calls. */
  failNext(count: number): void {
    this.failIncrements = count;
  }

  override async incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    this.incrementCalls += 1;
    if (this.failIncrements > 0) {
      this.failIncrements -= 1;
      throw new Error('store unavailable (injected)');
    }
    return this.inner.incrementMany(entries);
  }

  /** A commit that changes counters is a counter write too, and fails whole (all or none). */
  override async commit(writes: StoreWrites): Promise<number[]> {
    if ((writes.increment ?? []).length > 0) {
      this.incrementCalls += 1;
      if (this.failIncrements > 0) {
        this.failIncrements -= 1;
        throw new Error('store unavailable (injected)');
      }
    }
    return this.inner.commit(writes);
  }

  override async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    this.markerCalls += 1;
    if (this.failMarkers > 0) {
      this.failMarkers -= 1;
      throw new Error('store unavailable (injected)');
    }
    return this.inner.setIfAbsent(key, value, ttlMs);
  }

  override async setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]> {
    this.markerCalls += 1;
    if (this.failMarkers > 0) {
      this.failMarkers = Math.max(0, this.failMarkers - entries.length);
      throw new Error('store unavailable (injected)');
    }
    return this.inner.setIfAbsentMany(entries);
  }
}
