import { z } from 'zod';
import type { InboundMessage, NewEntry, Store } from '../ports';
import type { SaveBatch } from './save-batch';
import type { Sealer } from './sealer';

/** A message accepted but not yet answered, as found after a crash. */
export interface OpenTurn {
  key: string;
  owner: string;
  at: number;
  /** Recoveries tried so far; after a second failed one the thread goes to a human. */
  attempts: number;
  message: InboundMessage;
}

export interface TurnJournalOptions {
  store: Store;
  sealer: Sealer;
  /** This process's id: open turns name their owner, and owners prove they live with a heartbeat. */
  owner: string;
  now: () => number;
  /** Open turns outlive a day-long outage at most. */
  ttlMs?: number;
  /** A replica whose heartbeat is older than this is gone. Default 30 s. */
  heartbeatTtlMs?: number;
  /**
   * Replicas share the store: index open turns by owner and owners by
   * heartbeat, so finding a stopped replica's turns costs what it left, not a
   * scan. The embedded store has one process: it scans once at start instead.
   */
  shared?: boolean;
}

const REPLICAS_INDEX = 'replicas';
const ownerIndex = (owner: string) => `turns-open:${owner}`;

const recordSchema = z.object({ owner: z.string(), at: z.number(), attempts: z.number().int(), sealed: z.string() });
type OpenTurnRecord = z.infer<typeof recordSchema>;

const PREFIX = 'turns:open:';
const keyOf = (message: Pick<InboundMessage, 'conversation' | 'messageId'>) => `${PREFIX}${message.conversation.platform}:${message.messageId}`;

/**
 * Messages from arrival until answered, so a crash or a deploy never
 * forgets one: written when a message arrives (before it waits its turn),
 * removed when its turn ends. The text is sealed; keys hold ids only.
 */
export class TurnJournal {
  private readonly ttlMs: number;
  readonly heartbeatTtlMs: number;

  constructor(private readonly options: TurnJournalOptions) {
    this.ttlMs = options.ttlMs ?? 86_400_000;
    this.heartbeatTtlMs = options.heartbeatTtlMs ?? 30_000;
  }

  /**
   * Record an arrival; false when the message is already open (a redelivery
   * while the first copy waits or runs), which then stays the first copy's to close.
   */
  async open(message: InboundMessage): Promise<boolean> {
    const key = keyOf(message);
    const created = await this.options.store.setIfAbsent(key, this.record(message, 0), this.ttlMs);
    if (created && this.options.shared) await this.options.store.schedule(ownerIndex(this.options.owner), key, this.options.now());
    return created;
  }

  /**
   * `open` plus one more set-if-absent (the message's de-duplication marker)
   * in the same store round trip: arrival then costs one statement, not two.
   */
  async openWith(message: InboundMessage, marker: NewEntry): Promise<{ opened: boolean; markerStored: boolean }> {
    const key = keyOf(message);
    const [opened = false, markerStored = false] = await this.options.store.setIfAbsentMany([{ key, value: this.record(message, 0), ttlMs: this.ttlMs }, marker]);
    if (opened && this.options.shared) await this.options.store.schedule(ownerIndex(this.options.owner), key, this.options.now());
    return { opened, markerStored };
  }

  private record(message: InboundMessage, attempts: number): OpenTurnRecord {
    return { owner: this.options.owner, at: this.options.now(), attempts, sealed: this.options.sealer.seal(message, keyOf(message)) };
  }

  /** The turn ended (answered, refused, ignored or failed with the user told). */
  async close(message: InboundMessage): Promise<void> {
    const key = keyOf(message);
    await this.options.store.delete(key);
    if (this.options.shared) await this.options.store.unschedule(ownerIndex(this.options.owner), key);
  }

  /**
   * Close the turn with the session save (`SaveBatch`): resolves true once
   * closed that way, false if the save did not happen (then call `close`).
   */
  closeWith(batch: SaveBatch, message: InboundMessage): Promise<boolean> {
    const key = keyOf(message);
    return new Promise((resolve) => {
      batch.add({
        delete: [key],
        written: async () => {
          resolve(true);
          // Best effort, as in `close`: an index entry left behind is dropped when its owner's turns are next read.
          if (this.options.shared) await this.options.store.unschedule(ownerIndex(this.options.owner), key).catch(() => undefined);
        },
        notWritten: () => resolve(false),
      });
    });
  }

  /** Tell other replicas this process is alive. */
  async heartbeat(): Promise<void> {
    if (this.options.shared) await this.options.store.schedule(REPLICAS_INDEX, this.options.owner, this.options.now());
  }

  /** On a clean stop: turns left open are recovered at once by whoever looks next. */
  async retire(): Promise<void> {
    if (this.options.shared) await this.options.store.schedule(REPLICAS_INDEX, this.options.owner, 0);
  }

  /**
   * Open turns whose owner is gone. Shared stores: owners whose heartbeat
   * lapsed, from the index, and their indexed turns. Embedded store (call once
   * at start): every open turn of another owner, by one key-range scan.
   */
  async *orphans(): AsyncIterable<OpenTurn> {
    if (!this.options.shared) {
      for await (const [key, raw] of this.options.store.scan<unknown>(PREFIX)) {
        const turn = await this.readTurn(key, raw);
        if (turn && turn.owner !== this.options.owner) yield turn;
      }
      return;
    }
    const lapsed = await this.options.store.due(REPLICAS_INDEX, this.options.now() - this.heartbeatTtlMs, 100);
    for (const owner of lapsed) {
      if (owner === this.options.owner) continue;
      const keys = await this.options.store.due(ownerIndex(owner), Number.MAX_SAFE_INTEGER, 1_000);
      for (const key of keys) {
        const turn = await this.readTurn(key, await this.options.store.get<unknown>(key));
        if (turn && turn.owner === owner) yield turn;
        else await this.options.store.unschedule(ownerIndex(owner), key); // closed or taken over meanwhile
      }
      if ((await this.options.store.indexSize(ownerIndex(owner))) === 0) await this.options.store.unschedule(REPLICAS_INDEX, owner);
    }
  }

  private async readTurn(key: string, raw: unknown): Promise<OpenTurn | undefined> {
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const record = parsed.data;
    try {
      const message = this.options.sealer.open<InboundMessage>(record.sealed, key);
      return { key, owner: record.owner, at: record.at, attempts: record.attempts, message };
    } catch {
      await this.options.store.delete(key); // unreadable (key changed): nothing to recover
      return undefined;
    }
  }

  /** Take an orphan over exactly once across replicas; true if this process now owns it. */
  async claim(turn: OpenTurn): Promise<boolean> {
    const won = await this.options.store.setIfAbsent(`turns:recovering:${turn.key}:${turn.attempts}`, this.options.owner, this.ttlMs);
    if (!won) return false;
    await this.options.store.set(turn.key, this.record(turn.message, turn.attempts + 1), this.ttlMs);
    if (this.options.shared) {
      await this.options.store.schedule(ownerIndex(this.options.owner), turn.key, this.options.now());
      await this.options.store.unschedule(ownerIndex(turn.owner), turn.key);
    }
    return true;
  }
}
