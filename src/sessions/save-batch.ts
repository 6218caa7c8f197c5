import type { CounterIncrement, StoreWrites } from '../ports';

/** Writes that ride with a session save, and what follows from them. */
export interface SavePart {
  /** Keys to delete. */
  delete?: readonly string[];
  /** Counters to change. */
  increment?: readonly CounterIncrement[];
  /** The writes are stored; `values` are this part's counters, in its order. */
  written?: (values: number[]) => Promise<void> | void;
  /** The writes were not stored (the turn failed, or the save did): write them some other way. */
  notWritten?: () => Promise<void> | void;
}

/**
 * Writes that go in the same store round trip as a turn's session save
 * (`Store.commit`): the run's spend and the closing of its journal entry,
 * so a warm turn ends with one transaction instead of three. Each part says
 * what to do once written and what to do if not, so nothing is lost when
 * the save fails or never happens.
 */
export class SaveBatch {
  private readonly parts: SavePart[] = [];
  private settled = false;

  /** Add writes to the save; before the save only. */
  add(part: SavePart): void {
    if (this.settled) throw new Error('SaveBatch already settled');
    this.parts.push(part);
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** Everything to write besides the session itself. */
  writes(): Required<Pick<StoreWrites, 'delete' | 'increment'>> {
    return {
      delete: this.parts.flatMap((part) => part.delete ?? []),
      increment: this.parts.flatMap((part) => part.increment ?? []),
    };
  }

  /** The commit stored everything; `values` are the counters of `writes().increment`, in order. */
  async written(values: readonly number[]): Promise<void> {
    this.settled = true;
    let offset = 0;
    for (const part of this.parts) {
      const count = part.increment?.length ?? 0;
      const mine = values.slice(offset, offset + count);
      offset += count;
      await part.written?.(mine);
    }
  }

  /** Nothing was stored: every part falls back to its own writes. */
  async notWritten(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const part of this.parts) await part.notWritten?.();
  }
}
