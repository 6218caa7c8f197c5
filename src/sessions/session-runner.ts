import { LRUCache } from 'lru-cache';
import { AppError } from '../errors';
import type { ConversationRef, Lock, Logger, Store } from '../ports';
import { capHistory } from './history';
import { KeyedQueue } from './keyed-queue';
import { SaveBatch } from './save-batch';
import type { SealedCollection } from './sealed-collection';
import { newSession, sessionIdOf, type SessionState } from './session-state';
import type { TurnOrder } from './turn-order';

export interface SessionRunnerOptions {
  store: Store;
  sessions: SealedCollection<SessionState>;
  logger: Logger;
  now: () => number;
  /** Lock lifetime; renewed while a turn runs so a crashed replica frees it. */
  lockTtlMs?: number;
  /** How long to wait for another replica's turn on the same session. */
  lockWaitMs?: number;
  /** Stored history bound, so storage and encryption cost stay flat. */
  maxStoredMessages?: number;
  /**
   * Also take a lock in the store, for stores shared by several processes
   * (Redis replicas). With the embedded SQLite store one process owns the
   * data and the in-process queue already orders turns. Default true.
   */
  crossProcessLocks?: boolean;
  /**
   * Sessions kept decrypted in memory (most recently used), only when no other
   * process writes the store: saves a read and a decryption per turn. Default 1,000.
   */
  cacheSize?: number;
  /** Arrival order across replicas (Redis); without it, order is kept in this process only. */
  order?: TurnOrder;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs work on one session at a time, in arrival order: an in-process queue
 * per session plus a store lock so replicas sharing Redis take turns too.
 * Loads the session (decrypting it) before and saves it after.
 */
export class SessionRunner {
  private readonly queue = new KeyedQueue();
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly maxStoredMessages: number;
  /** Written through on every save, least recently saved evicted first; none when the store is shared (another replica may have changed it). */
  private readonly cache: LRUCache<string, SessionState> | undefined;

  constructor(private readonly options: SessionRunnerOptions) {
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.lockWaitMs = options.lockWaitMs ?? 120_000;
    this.maxStoredMessages = options.maxStoredMessages ?? 80;
    const cacheSize = options.crossProcessLocks === false ? (options.cacheSize ?? 1_000) : 0;
    this.cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
  }

  /** Queue `work` on the session (arrival order), then run it with the session loaded, locked and saved. */
  async withSession<T>(conversation: ConversationRef, work: (session: SessionState, batch: SaveBatch) => Promise<T>): Promise<T> {
    return this.inOrder(conversation, () => this.locked(conversation, work));
  }

  /**
   * Take a place in the session's queue now, synchronously, so arrival order
   * is kept even when the task awaits something before touching the session.
   * Inside, use `locked` (not `withSession`, which would wait for itself).
   */
  inOrder<T>(conversation: ConversationRef, task: () => Promise<T>): Promise<T> {
    const id = sessionIdOf(conversation);
    const place = this.options.order?.enter(id);
    if (!place) return this.queue.run(id, task);
    // Settled even if the task never runs, so an unhandled rejection cannot escape.
    place.catch(() => undefined);
    return this.queue.run(id, async () => {
      const mine = await place;
      await mine.ready();
      try {
        return await task();
      } finally {
        await mine.leave();
      }
    });
  }

  /** Whether this process knows the conversation is served: cached, or work for it is queued here. */
  knownLocally(conversation: ConversationRef): boolean {
    const id = sessionIdOf(conversation);
    return this.cache?.has(id) === true || this.queue.has(id);
  }

  /**
   * Run `work` on the loaded session under the cross-replica lock, then save
   * it. Writes `work` adds to the batch go in the save's round trip (embedded
   * store: one transaction with the session); if the save fails or `work`
   * throws, each falls back to its own write. Call from inside `inOrder`.
   */
  async locked<T>(conversation: ConversationRef, work: (session: SessionState, batch: SaveBatch) => Promise<T>): Promise<T> {
    const id = sessionIdOf(conversation);
    const batch = new SaveBatch();
    let lock: Lock | undefined;
    let renewal: NodeJS.Timeout | undefined;
    try {
      lock = this.options.crossProcessLocks === false ? undefined : await this.acquire(`lock:session:${id}`);
      const held = lock;
      renewal = held ? setInterval(() => void held.renew(this.lockTtlMs).catch(() => undefined), Math.floor(this.lockTtlMs / 3)) : undefined;
      renewal?.unref();
      // Taken out of the cache: work mutates it in place, and only a saved session may be served again.
      const session = this.takeCached(id) ?? (await this.load(id)) ?? newSession(conversation, this.options.now());
      const loadedRev = session.rev ?? 0;
      const result = await work(session, batch);
      session.updatedAt = this.options.now();
      session.history = capHistory(session.history, this.maxStoredMessages);
      session.rev = loadedRev + 1;
      const writes = batch.writes();
      if (held) {
        // A replica that lost its lock (stalled past the lease) must not overwrite the newer holder's work:
        // the save is a compare-and-set on the revision it loaded. The batch follows in one more round trip.
        const lost = () => new AppError('session_lock_lost', 'This conversation was taken over by another replica; the turn was not saved.', { retryable: true });
        if (!(await held.renew(this.lockTtlMs).catch(() => false))) throw lost();
        await this.options.sessions.update(id, (current) => {
          if ((current?.rev ?? 0) !== loadedRev) throw lost();
          return session;
        });
        this.remember(id, session);
        await this.commitRest(batch);
      } else {
        // One process owns the embedded store and its queue orders turns: a plain write, in one transaction with the batch.
        const entry = this.options.sessions.entry(id, session);
        let values: number[] | undefined;
        try {
          values = await this.options.store.commit({ set: [entry], ...writes });
        } catch (error) {
          if (batch.empty) throw error;
          // Nothing was written: each write goes alone, as without a batch, so one failing part cannot sink the others.
          this.options.logger.warn({ sessionId: id, err: error instanceof Error ? error.message : String(error) }, 'session save with its batch failed; writing them one by one');
          await batch.notWritten();
          await this.options.store.set(entry.key, entry.value, entry.ttlMs);
        }
        this.remember(id, session);
        if (values) await batch.written(values);
      }
      return result;
    } finally {
      await batch.notWritten();
      clearInterval(renewal);
      await lock?.release().catch(() => undefined);
    }
  }

  /** The batch's writes after a compare-and-set save; on failure each part writes its own. */
  private async commitRest(batch: SaveBatch): Promise<void> {
    if (batch.empty) return;
    let values: number[];
    try {
      values = await this.options.store.commit(batch.writes());
    } catch (error) {
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'writes after the session save failed; writing them one by one');
      return;
    }
    await batch.written(values);
  }

  /** Whether the conversation has a stored session. */
  async exists(conversation: ConversationRef): Promise<boolean> {
    const id = sessionIdOf(conversation);
    return this.cache?.has(id) === true || this.options.sessions.exists(id);
  }

  /** Sessions with work queued or running in this process. */
  get busy(): number {
    return this.queue.size;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private takeCached(id: string): SessionState | undefined {
    const session = this.cache?.get(id);
    this.cache?.delete(id);
    return session;
  }

  private remember(id: string, session: SessionState): void {
    this.cache?.set(id, session);
  }

  private async load(id: string): Promise<SessionState | undefined> {
    try {
      return await this.options.sessions.get(id);
    } catch (error) {
      // Unreadable (key changed, corrupted): start over rather than wedge the conversation.
      this.options.logger.error({ sessionId: id, err: error instanceof Error ? error.message : String(error) }, 'session unreadable; starting a new one');
      return undefined;
    }
  }

  private async acquire(key: string): Promise<Lock> {
    // Real elapsed time, not the injected clock: this is a wait, not business logic.
    const deadline = performance.now() + this.lockWaitMs;
    let wait = 5;
    for (;;) {
      const lock = await this.options.store.acquireLock(key, this.lockTtlMs);
      if (lock) return lock;
      if (performance.now() > deadline) throw new AppError('session_busy', 'This conversation is busy; please try again in a moment.', { retryable: true });
      await sleep(wait);
      wait = Math.min(wait * 2, 100);
    }
  }
}
