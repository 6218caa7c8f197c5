import { randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import KeyvRedis, { createClient } from '@keyv/redis';
import { redisScript, runScript, type RedisScript } from './redis-script';
import { AppError } from '../errors';
import type { CounterIncrement, Lock, NewEntry, Store, StoreWrites } from '../ports';
import { updateByCompareAndSet } from './compare-and-set';
import { NANOS, checkDueAt, checkLimit, checkNamespace, checkTtl, checkWrites, mergeIncrements, toNanos, wrongType } from './store-arguments';

/** Options for {@link RedisStore}. */
export interface RedisStoreOptions {
  /** `redis://…` or `rediss://…` (TLS), credentials and database included. */
  url: string;
  /** Key prefix (`<namespace>::<key>`), so several apps or tests can share a server. Letters, digits, `_`, `.`, `-`. Default `keyv`. */
  namespace?: string;
  /** Give up opening after this long, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Fail a command that gets no reply within this long, ms. Default 2000. */
  commandTimeoutMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;
type Serialize = (data: { value?: unknown; expires?: number }) => string | Promise<string>;
type Deserialize = (raw: string) => { value?: unknown } | undefined | Promise<{ value?: unknown } | undefined>;

// Counters are raw integer strings of billionths, so INCRBY keeps fractional sums exact
// (the SQLite store uses the same scale).
const SCAN_COUNT = 500;

const script = redisScript;
type Script = RedisScript;

// TTL applies only when the counter is created; INCRBY fails on a non-counter value.
const INCREMENT = script(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('GET', KEYS[1])`);

// The batch form: ARGV holds (amount, ttl) pairs for KEYS in order.
const INCREMENT_MANY = script(`
local out = {}
for i, key in ipairs(KEYS) do
  local existed = redis.call('EXISTS', key)
  redis.call('INCRBY', key, ARGV[2 * i - 1])
  local ttl = ARGV[2 * i]
  if existed == 0 and ttl ~= '' then redis.call('PEXPIRE', key, ttl) end
  out[i] = redis.call('GET', key)
end
return out`);

// commit(): ARGV[1] sets, ARGV[2] deletes, then (document, ttl) per set and (amount, ttl) per counter; KEYS in the
// same order. Counters are checked first, so a key holding a value refuses the batch before anything is written.
const COMMIT = script(`
local sets, deletes = tonumber(ARGV[1]), tonumber(ARGV[2])
local first = sets + deletes + 1
for i = first, #KEYS do
  local raw = redis.call('GET', KEYS[i])
  if raw and not string.match(raw, '^%-?%d+$') then return redis.error_reply('WRONGTYPE value is not an integer counter') end
end
local a = 3
for i = 1, sets do
  if ARGV[a + 1] ~= '' then redis.call('SET', KEYS[i], ARGV[a], 'PX', ARGV[a + 1]) else redis.call('SET', KEYS[i], ARGV[a]) end
  a = a + 2
end
for i = sets + 1, sets + deletes do redis.call('DEL', KEYS[i]) end
local out = {}
for i = first, #KEYS do
  local existed = redis.call('EXISTS', KEYS[i])
  redis.call('INCRBY', KEYS[i], ARGV[a])
  if existed == 0 and ARGV[a + 1] ~= '' then redis.call('PEXPIRE', KEYS[i], ARGV[a + 1]) end
  out[#out + 1] = redis.call('GET', KEYS[i])
  a = a + 2
end
return out`);

// Lock values are keyv documents whose value is the token; only the holder may touch them.
const HOLDS = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, doc = pcall(cjson.decode, raw)
if not ok or type(doc) ~= 'table' or doc.value ~= ARGV[1] then return 0 end`;
const RENEW = script(`${HOLDS}
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`);
const RELEASE = script(`${HOLDS}
redis.call('DEL', KEYS[1])
return 1`);

// update(): write ARGV[2] only if the key still holds ARGV[1] (ARGV[4] = '1': still absent). ARGV[3] = PX or ''.
const COMPARE_AND_SET = script(`
local raw = redis.call('GET', KEYS[1])
if ARGV[4] == '1' then
  if raw then return 0 end
elseif raw ~= ARGV[1] then return 0 end
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`);

/**
 * `Store` over keyv + Redis. Plain values go through keyv (same JSON format,
 * `<namespace>::<key>` keys, native PX expiry, which is authoritative so all
 * replicas agree regardless of their clocks); atomic operations are single
 * commands or Lua scripts on the server.
 */
export class RedisStore implements Store {
  private readonly client: RedisClient;
  private readonly adapter: KeyvRedis<string>;
  private readonly keyv: Keyv;
  private readonly prefix: string;
  private readonly serialize: Serialize;
  private readonly deserialize: Deserialize;
  private readonly connectTimeoutMs: number;
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    const namespace = checkNamespace(options.namespace);
    this.prefix = `${namespace}::`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.client = createClient({
      url: options.url,
      // Fail fast while reconnecting instead of queueing a chat turn behind an outage.
      disableOfflineQueue: true,
      socket: { connectTimeout: this.connectTimeoutMs, reconnectStrategy: (retries) => Math.min(2 ** retries * 100, 2_000) },
      commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    });
    this.adapter = new KeyvRedis<string>(this.client, { namespace, throwOnErrors: true, throwOnConnectError: true });
    this.keyv = new Keyv(this.adapter, { namespace, useKeyPrefix: false, throwOnErrors: true });
    // Failures reach callers as thrown errors; the events would only duplicate them.
    this.adapter.on('error', () => undefined);
    this.keyv.on('error', () => undefined);
    const { serialize, deserialize } = this.keyv;
    if (!serialize || !deserialize) throw new AppError('store_invalid_argument', 'keyv serializer missing');
    this.serialize = serialize;
    this.deserialize = deserialize;
  }

  /** Connect, failing fast if the server cannot be reached. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const store = new RedisStore(options);
    try {
      await store.run('open', async () => undefined);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return this.run('get', async () => (await this.decode<T>(await this.adapter.get<string>(key)))?.value);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const ttl = checkTtl(ttlMs);
    await this.run('set', () => this.keyv.set(key, value, ttl));
  }

  async delete(key: string): Promise<boolean> {
    return this.run('delete', () => this.keyv.delete(key));
  }

  async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    return this.run('setIfAbsent', () => this.setNx(key, value, ttl));
  }

  async setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const ttls = entries.map((entry) => checkTtl(entry.ttlMs));
    return this.run('setIfAbsentMany', async () => {
      const now = Date.now();
      // One MULTI: a single round trip, each SET NX decided on its own (a repeated key loses to its first entry).
      const multi = this.client.multi();
      for (const [i, entry] of entries.entries()) {
        const ttl = ttls[i];
        const doc = await this.serialize(ttl === undefined ? { value: entry.value } : { value: entry.value, expires: now + ttl });
        multi.set(this.prefix + entry.key, doc, ttl === undefined ? { condition: 'NX' } : { condition: 'NX', expiration: { type: 'PX', value: ttl } });
      }
      const replies = await multi.exec();
      return replies.map((reply) => String(reply) === 'OK');
    });
  }

  async increment(key: string, by: number, ttlMs?: number): Promise<number> {
    const nanos = toNanos(by);
    const ttl = checkTtl(ttlMs);
    const reply = await this.run('increment', () => this.eval(INCREMENT, key, [String(nanos), ttl === undefined ? '' : String(ttl)]));
    return Number(reply) / NANOS;
  }

  async incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    if (entries.length === 0) return [];
    const merged = mergeIncrements(entries);
    const args = merged.flatMap((entry) => [String(entry.nanos), entry.ttl === undefined ? '' : String(entry.ttl)]);
    const reply = await this.run('incrementMany', () => this.evalKeys(INCREMENT_MANY, merged.map((entry) => entry.key), args));
    const values = new Map(merged.map((entry, i) => [entry.key, Number((reply as unknown[])[i]) / NANOS]));
    return entries.map((entry) => values.get(entry.key) as number);
  }

  async commit(writes: StoreWrites): Promise<number[]> {
    const { sets, ttls, deletes, increments, merged } = checkWrites(writes);
    if (sets.length + deletes.length + merged.length === 0) return [];
    return this.run('commit', async () => {
      const now = Date.now();
      const args = [String(sets.length), String(deletes.length)];
      for (const [i, entry] of sets.entries()) {
        const ttl = ttls[i];
        args.push(await this.serialize(ttl === undefined ? { value: entry.value } : { value: entry.value, expires: now + ttl }), ttl === undefined ? '' : String(ttl));
      }
      for (const entry of merged) args.push(String(entry.nanos), entry.ttl === undefined ? '' : String(entry.ttl));
      const keys = [...sets.map((entry) => entry.key), ...deletes, ...merged.map((entry) => entry.key)];
      const reply = (await this.evalKeys(COMMIT, keys, args)) as unknown[];
      const values = new Map(merged.map((entry, i) => [entry.key, Number(reply[i]) / NANOS]));
      return increments.map((entry) => values.get(entry.key) as number);
    });
  }

  async counter(key: string): Promise<number> {
    const raw = await this.run('counter', () => this.client.get(this.prefix + key));
    if (raw === null) return 0;
    if (!/^-?\d+$/.test(raw)) throw wrongType(key);
    return Number(raw) / NANOS;
  }

  async acquireLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    const ttl = checkTtl(ttlMs) ?? 0;
    const token = randomBytes(16).toString('hex');
    const taken = await this.run('acquireLock', () => this.setNx(key, token, ttl));
    if (!taken) return undefined;
    return {
      key,
      token,
      renew: async (renewMs: number) => {
        const ms = checkTtl(renewMs) ?? 0;
        const reply = await this.run('renewLock', async () => {
          const doc = await this.serialize({ value: token, expires: Date.now() + ms });
          return this.eval(RENEW, key, [token, doc, String(ms)]);
        });
        return reply === 1;
      },
      release: async () => {
        await this.run('releaseLock', () => this.eval(RELEASE, key, [token]));
      },
    };
  }

  async update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined> {
    const ttl = checkTtl(ttlMs);
    return updateByCompareAndSet<T>(key, fn, {
      read: () =>
        this.run('update', async () => {
          const raw = (await this.client.get(this.prefix + key)) ?? undefined;
          if (raw === undefined) return { raw, value: undefined };
          if (/^-?\d+$/.test(raw)) throw wrongType(key);
          return { raw, value: (await this.decode<T>(raw))?.value };
        }),
      write: (expected, next) =>
        this.run('update', async () => {
          const doc = await this.serialize(ttl === undefined ? { value: next } : { value: next, expires: Date.now() + ttl });
          const args = [expected ?? '', doc, ttl === undefined ? '' : String(ttl), expected === undefined ? '1' : '0'];
          return (await this.eval(COMPARE_AND_SET, key, args)) === 1;
        }),
    });
  }

  async schedule(index: string, member: string, dueAt: number): Promise<void> {
    const score = checkDueAt(dueAt);
    await this.run('schedule', () => this.client.zAdd(this.indexKey(index), { score, value: member }));
  }

  async unschedule(index: string, member: string): Promise<void> {
    await this.run('unschedule', () => this.client.zRem(this.indexKey(index), member));
  }

  async due(index: string, upTo: number, limit: number): Promise<string[]> {
    const max = checkDueAt(upTo);
    const count = checkLimit(limit);
    return this.run('due', () => this.client.zRangeByScore(this.indexKey(index), '-inf', max, { LIMIT: { offset: 0, count } }));
  }

  async indexSize(index: string): Promise<number> {
    return this.run('indexSize', () => this.client.zCard(this.indexKey(index)));
  }

  async *scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]> {
    const match = `${escapeGlob(this.prefix + prefix)}*`;
    const client = this.client;
    const batches = await this.run('scan', async () => client.scanIterator({ MATCH: match, COUNT: SCAN_COUNT, TYPE: 'string' }));
    // SCAN may return a key more than once; never yield it twice.
    const seen = new Set<string>();
    for (;;) {
      const next = await this.run('scan', () => batches.next());
      if (next.done) return;
      const keys = next.value.filter((k) => !seen.has(k));
      if (keys.length === 0) continue;
      const values = await this.run('scan', () => client.mGet(keys));
      for (const [i, fullKey] of keys.entries()) {
        seen.add(fullKey);
        const raw = values[i] ?? undefined;
        const doc = raw === undefined ? undefined : await this.run('scan', () => this.decode<T>(raw));
        if (doc) yield [fullKey.slice(this.prefix.length), doc.value];
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connected?.catch(() => undefined);
    if (!this.client.isOpen) return;
    try {
      await this.client.close();
    } catch {
      this.client.destroy(); // the process must still be able to exit
    }
  }

  /** Sorted-set key of a due-time index; `~` keeps it apart from keyv documents' keys, and SCAN's TYPE filter skips it. */
  private indexKey(index: string): string {
    return `${this.prefix}~due:${index}`;
  }

  private async setNx(key: string, value: unknown, ttl: number | undefined): Promise<boolean> {
    const doc = await this.serialize(ttl === undefined ? { value } : { value, expires: Date.now() + ttl });
    const reply = await this.client.set(
      this.prefix + key,
      doc,
      ttl === undefined ? { condition: 'NX' } : { condition: 'NX', expiration: { type: 'PX', value: ttl } },
    );
    return reply === 'OK';
  }

  /** The keyv document in `raw`, or undefined for counters (bare integers). */
  private async decode<T>(raw: string | undefined): Promise<{ value: T } | undefined> {
    if (raw === undefined) return undefined;
    const doc = await this.deserialize(raw);
    if (doc === null || typeof doc !== 'object' || !('value' in doc)) return undefined;
    return doc as { value: T };
  }

  private eval(lua: Script, key: string, args: string[]): Promise<unknown> {
    return this.evalKeys(lua, [key], args);
  }

  private evalKeys(lua: Script, keys: string[], args: string[]): Promise<unknown> {
    return runScript(this.client, lua, keys.map((key) => this.prefix + key), args);
  }

  private connect(): Promise<void> {
    this.connected ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      });
      try {
        await Promise.race([this.client.connect(), timeout]);
      } catch (error) {
        // Stop the reconnect loop so nothing keeps the process alive; the next call tries afresh.
        if (this.client.isOpen) this.client.destroy();
        this.connected = undefined;
        throw error;
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.connected;
  }

  /** Run an operation once connected, turning backend failures into `AppError`s. */
  private async run<R>(op: string, fn: () => Promise<R>): Promise<R> {
    if (this.closed) throw new AppError('store_closed', `Store is closed (${op})`);
    try {
      await this.connect();
      return await fn();
    } catch (error) {
      throw storeError(op, error);
    }
  }
}

/** Escape Redis glob characters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]^]/g, (ch) => `\\${ch}`);
}




// Server replies that mean "try again later"; other replies are bugs or bad data.
const TRANSIENT_REPLY = /^(BUSY|LOADING|TRYAGAIN|READONLY|MASTERDOWN|CLUSTERDOWN)\b/;

function storeError(op: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/not an integer|WRONGTYPE/.test(message)) {
    return new AppError('store_wrong_type', `Redis store ${op} failed: ${message}`, { cause: error });
  }
  const isReply = error instanceof Error && ['ErrorReply', 'SimpleError', 'BlobError'].includes(error.constructor.name);
  const retryable = !isReply || TRANSIENT_REPLY.test(message);
  return new AppError('store_unavailable', `Redis store ${op} failed: ${message}`, { cause: error, retryable });
}
