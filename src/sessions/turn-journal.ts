import { z } from 'zod';
import type { InboundMessage, Store } from '../ports';
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
}

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
  open(message: InboundMessage): Promise<boolean> {
    return this.options.store.setIfAbsent(keyOf(message), this.record(message, 0), this.ttlMs);
  }

  private record(message: InboundMessage, attempts: number): OpenTurnRecord {
    return { owner: this.options.owner, at: this.options.now(), attempts, sealed: this.options.sealer.seal(message) };
  }

  /** The turn ended (answered, refused, ignored or failed with the user told). */
  async close(message: InboundMessage): Promise<void> {
    await this.options.store.delete(keyOf(message));
  }

  /** Tell other replicas this process is alive. */
  heartbeat(): Promise<void> {
    return this.options.store.set(`replicas:${this.options.owner}`, { at: this.options.now() }, this.heartbeatTtlMs);
  }

  /** On a clean stop: turns left open are recovered at once by whoever starts next. */
  async retire(): Promise<void> {
    await this.options.store.delete(`replicas:${this.options.owner}`);
  }

  /**
   * Open turns whose owner is gone. With `ownerless` (the embedded store has
   * one process), every turn of another owner counts, without waiting for
   * its heartbeat to lapse.
   */
  async *orphans(options: { ownerless?: boolean } = {}): AsyncIterable<OpenTurn> {
    const alive = new Map<string, boolean>();
    for await (const [key, raw] of this.options.store.scan<unknown>(PREFIX)) {
      const parsed = recordSchema.safeParse(raw);
      if (!parsed.success) continue;
      const record = parsed.data;
      if (record.owner === this.options.owner) continue;
      if (!options.ownerless) {
        let live = alive.get(record.owner);
        if (live === undefined) alive.set(record.owner, (live = (await this.options.store.get(`replicas:${record.owner}`)) !== undefined));
        if (live) continue;
      }
      let message: InboundMessage;
      try {
        message = this.options.sealer.open<InboundMessage>(record.sealed);
      } catch {
        await this.options.store.delete(key); // unreadable (key changed): nothing to recover
        continue;
      }
      yield { key, owner: record.owner, at: record.at, attempts: record.attempts, message };
    }
  }

  /** Take an orphan over exactly once across replicas; true if this process now owns it. */
  async claim(turn: OpenTurn): Promise<boolean> {
    const won = await this.options.store.setIfAbsent(`turns:recovering:${turn.key}:${turn.attempts}`, this.options.owner, this.ttlMs);
    if (won) await this.options.store.set(turn.key, this.record(turn.message, turn.attempts + 1), this.ttlMs);
    return won;
  }
}
