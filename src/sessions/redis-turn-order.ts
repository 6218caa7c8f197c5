import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { AppError } from '../errors';
import type { Logger } from '../ports';
import { redisScript, runScript, type RedisScript } from './redis-script';
import type { TurnOrder, TurnPlace } from './turn-order';

/** Options for {@link RedisTurnOrder}. */
export interface RedisTurnOrderOptions {
  url: string;
  /** Same namespace as the store, so tests and apps sharing a server stay apart. */
  namespace?: string;
  logger: Logger;
  /** A running place's lease; renewed while it runs. Its lapse (a replica died) lets the next place go. Default 10 s. */
  leaseMs?: number;
}

const newClient = (url: string) => createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy: (n: number) => Math.min(2 ** n * 100, 2_000) } });
type RedisClient = ReturnType<typeof newClient>;

/** Keys live a day past the thread's last message. */
const KEY_TTL_MS = 86_400_000;

const ENTER = redisScript(`
local t = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return t`);

// 2 = already passed (a stalled place was given up): run without a lease; 1 = our turn, lease taken; 0 = wait.
const TRY = redisScript(`
local done = tonumber(redis.call('GET', KEYS[1]) or '0')
local t = tonumber(ARGV[1])
if done >= t then return {2, done, ''} end
if done == t - 1 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return {1, done, ''}
end
return {0, done, redis.call('GET', KEYS[2]) or ''}`);

const RENEW = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

const LEAVE = redisScript(`
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
local done = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > done then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) end
redis.call('PUBLISH', ARGV[4], ARGV[1])
return 1`);

// Give up exactly one stalled place, and only if nothing moved since the caller looked.
const SKIP = redisScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local done = tonumber(redis.call('GET', KEYS[1]) or '0')
if done ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], tostring(done + 1), 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], tostring(done + 1))
return 1`);

/**
 * Per-thread arrival order across replicas on Redis: INCR hands out places,
 * a leased "done" counter says whose turn it is, and PUBLISH wakes the next
 * place's replica (one pattern subscription per process). A place whose
 * replica died is given up once its lease lapsed and nothing moved for a
 * lease period, so one crash never wedges a thread.
 */
export class RedisTurnOrder implements TurnOrder {
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  private constructor(
    private readonly client: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly options: RedisTurnOrderOptions,
  ) {
    this.prefix = `${options.namespace ?? 'keyv'}::order:`;
    this.leaseMs = options.leaseMs ?? 10_000;
  }

  /** Connect both connections (commands and the subscription). */
  static async open(options: RedisTurnOrderOptions): Promise<RedisTurnOrder> {
    const client = newClient(options.url);
    client.on('error', () => undefined); // commands report their own failures
    const subscriber = newClient(options.url);
    subscriber.on('error', () => undefined);
    const order = new RedisTurnOrder(client, subscriber, options);
    try {
      await Promise.all([client.connect(), subscriber.connect()]);
      await subscriber.pSubscribe(`${order.prefix}ch:*`, (_message, channel) => order.wake(channel.slice(`${order.prefix}ch:`.length)));
    } catch (error) {
      client.destroy();
      subscriber.destroy();
      throw new AppError('store_unavailable', `Redis turn order could not connect: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return order;
  }

  enter(sessionId: string): Promise<TurnPlace> {
    // Issued now, on one connection: Redis sees this process's arrivals in call order.
    const ticket = this.eval(ENTER, [this.key('seq', sessionId)], [String(KEY_TTL_MS)]);
    return ticket.then((t) => this.place(sessionId, Number(t)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    await Promise.allSettled([this.subscriber.close(), this.client.close()]);
  }

  private place(sessionId: string, ticket: number): TurnPlace {
    const holder = `${ticket}:${randomBytes(8).toString('hex')}`;
    const keys = [this.key('done', sessionId), this.key('lease', sessionId)];
    const channel = this.key('ch', sessionId);
    let renewal: NodeJS.Timeout | undefined;
    return {
      ticket,
      ready: async () => {
        let seen: { done: number; since: number } | undefined;
        for (;;) {
          if (this.closed) throw new AppError('store_closed', 'Turn order is closed');
          const reply = (await this.eval(TRY, keys, [String(ticket), holder, String(this.leaseMs)])) as [number, number, string];
          const [state, done, lease] = reply;
          if (state === 1) {
            renewal = setInterval(() => void this.eval(RENEW, [keys[1]!], [holder, String(this.leaseMs)]).catch(() => undefined), Math.floor(this.leaseMs / 3));
            renewal.unref();
            return;
          }
          if (state === 2) return;
          const now = performance.now();
          if (lease !== '' || seen?.done !== done) {
            // Someone holds the lease, or the thread moved: alive, keep waiting.
            seen = lease !== '' ? undefined : { done, since: now };
          } else if (now - seen.since >= this.leaseMs) {
            const skipped = await this.eval(SKIP, keys, [String(done), String(KEY_TTL_MS), channel]);
            if (skipped === 1) this.options.logger.warn({ sessionId, place: done + 1 }, 'gave up a stalled place in the thread order (its replica stopped)');
            seen = undefined;
            continue;
          }
          await this.waitFor(sessionId, Math.floor(this.leaseMs / 4));
        }
      },
      leave: async () => {
        clearInterval(renewal);
        try {
          await this.eval(LEAVE, keys, [String(ticket), holder, String(KEY_TTL_MS), channel]);
        } catch (error) {
          // The lease lapses on its own; the next place then goes after a lease period.
          this.options.logger.warn({ sessionId, err: error instanceof Error ? error.message : String(error) }, 'could not mark a turn done in the thread order');
        }
      },
    };
  }

  /** Wait for a "done" notice of the session, or the safety timeout (a notice lost during a reconnect). */
  private waitFor(sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(sessionId);
      if (!set) this.waiters.set(sessionId, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(sessionId) === waiters) this.waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(done);
    });
  }

  private wake(sessionId: string): void {
    const set = this.waiters.get(sessionId);
    if (set) for (const wake of [...set]) wake();
  }

  private key(kind: string, sessionId: string): string {
    return `${this.prefix}${kind}:${sessionId}`;
  }

  private async eval(lua: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      // By SHA: the script body is not resent for each of a message's three order calls.
      return await runScript(this.client, lua, keys, args);
    } catch (error) {
      throw new AppError('store_unavailable', `Redis turn order failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable: true });
    }
  }
}
