/**
 * The one contract every `Store` implementation must pass, run against real
 * backends. Each test gets its own namespace, so test files can run in parallel
 * against one server or file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import type { Lock, Store } from '../../src/ports';

/** How the contract reaches one backend. */
export interface StoreContractTarget {
  /** Open a store on `namespace`; calling it twice gives two instances sharing the same data. */
  open(namespace: string): Promise<Store>;
  /** URL for `createStore(url, { namespace })`, used from a child process. */
  url: string;
  /** Remove every key under `namespace`; runs after the test's stores are closed. */
  cleanup?(namespace: string): Promise<void>;
  /** Release whatever `setup` created (temp dirs, admin connections). */
  dispose?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uniqueNamespace = () => `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const createStoreModule = new URL('../../src/sessions/create-store.ts', import.meta.url).href;

async function collect<T>(entries: AsyncIterable<[string, T]>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for await (const [key, value] of entries) {
    expect(out.has(key), `scan yielded ${key} twice`).toBe(false);
    out.set(key, value);
  }
  return out;
}

async function expectAppError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

/** Run the store contract against the backend `setup` prepares. */
export function describeStoreContract(name: string, setup: () => Promise<StoreContractTarget>): void {
  describe(`Store contract: ${name}`, () => {
    let target: StoreContractTarget;
    let namespaces: string[] = [];
    let opened: Store[] = [];
    let store: Store;

    const open = async (namespace = namespaces[0] ?? uniqueNamespace()) => {
      if (!namespaces.includes(namespace)) namespaces.push(namespace);
      const s = await target.open(namespace);
      opened.push(s);
      return s;
    };

    beforeAll(async () => {
      target = await setup();
    });
    afterAll(async () => {
      await target?.dispose?.();
    });
    beforeEach(async () => {
      namespaces = [uniqueNamespace()];
      opened = [];
      store = await open();
    });
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()));
      for (const ns of namespaces) await target.cleanup?.(ns);
    });

    describe('values', () => {
      it('round-trips JSON values under keys with arbitrary text', async () => {
        const values: Record<string, unknown> = {
          'session:slack:T1:C1:1700000000.0001': { v: 1, history: [{ role: 'user', text: 'hi' }], nested: { a: [1, 2, { b: null }] } },
          "odd key: spaces, 'quotes', \"dq\", ; DROP TABLE keyv; --": 'value',
          'colon-string': ':starts with a colon',
          'unicode:é😀': 'ünïcode ✓',
          'number': 42.5,
          'bool': false,
          'null': null,
          'array': [1, 'two', { three: 3 }],
        };
        for (const [key, value] of Object.entries(values)) await store.set(key, value);
        for (const [key, value] of Object.entries(values)) expect(await store.get(key), key).toEqual(value);
      });

      it('returns undefined for a missing key and overwrites on set', async () => {
        expect(await store.get('missing')).toBeUndefined();
        await store.set('k', { n: 1 });
        await store.set('k', { n: 2 });
        expect(await store.get('k')).toEqual({ n: 2 });
      });

      it('delete reports whether something was there', async () => {
        await store.set('k', 'v');
        expect(await store.delete('k')).toBe(true);
        expect(await store.get('k')).toBeUndefined();
        expect(await store.delete('k')).toBe(false);
      });

      it('expires values after their TTL, never returning them afterwards', async () => {
        await store.set('short', 'gone soon', 150);
        await store.set('forever', 'stays');
        expect(await store.get('short')).toBe('gone soon');
        await sleep(300);
        expect(await store.get('short')).toBeUndefined();
        expect(await store.delete('short')).toBe(false);
        expect(await store.get('forever')).toBe('stays');
      });

      it('keeps namespaces apart', async () => {
        const other = await open(uniqueNamespace());
        await store.set('shared-name', 'mine');
        await other.set('shared-name', 'theirs');
        expect(await store.get('shared-name')).toBe('mine');
        expect([...(await collect(other.scan('')))]).toEqual([['shared-name', 'theirs']]);
      });

      it('rejects non-positive or non-finite TTLs', async () => {
        await expectAppError(store.set('k', 1, 0), 'store_invalid_argument');
        await expectAppError(store.setIfAbsent('k', 1, -5), 'store_invalid_argument');
        await expectAppError(store.increment('k', 1, Number.NaN), 'store_invalid_argument');
      });
    });

    describe('setIfAbsent', () => {
      it('stores only when absent, and the value reads back through get', async () => {
        expect(await store.setIfAbsent('once', { by: 'first' })).toBe(true);
        expect(await store.setIfAbsent('once', { by: 'second' })).toBe(false);
        expect(await store.get('once')).toEqual({ by: 'first' });
        await store.set('plain', 'x');
        expect(await store.setIfAbsent('plain', 'y')).toBe(false);
        expect(await store.get('plain')).toBe('x');
      });

      it('lets exactly one of 20 concurrent callers win', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent('race', { winner: i }, 10_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get('race')).toEqual({ winner: results.indexOf(true) });
      });

      it('treats an expired entry as absent', async () => {
        expect(await store.setIfAbsent('dedupe', 'old', 100)).toBe(true);
        expect(await store.setIfAbsent('dedupe', 'too early', 100)).toBe(false);
        await sleep(250);
        expect(await store.setIfAbsent('dedupe', 'new', 10_000)).toBe(true);
        expect(await store.get('dedupe')).toBe('new');
      });

      it('setIfAbsentMany decides each entry on its own, in order, with TTLs', async () => {
        await store.set('taken', 'x');
        expect(await store.setIfAbsentMany([])).toEqual([]);
        const results = await store.setIfAbsentMany([
          { key: 'a', value: { n: 1 } },
          { key: 'taken', value: 'y' },
          { key: 'short', value: 's', ttlMs: 100 },
          { key: 'a', value: { n: 2 } },
        ]);
        expect(results).toEqual([true, false, true, false]);
        expect(await store.get('a')).toEqual({ n: 1 });
        expect(await store.get('taken')).toBe('x');
        // 'short' is not read back here: on a loaded machine its 100 ms may already be over.
        await sleep(250);
        expect(await store.get('short')).toBeUndefined();
        expect(await store.setIfAbsentMany([{ key: 'short', value: 'again', ttlMs: 10_000 }, { key: 'a', value: 3 }])).toEqual([true, false]);
        expect(await store.get('short')).toBe('again');
        await expectAppError(store.setIfAbsentMany([{ key: 'bad', value: 1, ttlMs: -5 }]), 'store_invalid_argument');
      });

      it('setIfAbsentMany lets exactly one of 10 concurrent batches win each key', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.setIfAbsentMany([{ key: 'r1', value: i }, { key: 'r2', value: i }])),
        );
        expect(results.filter((r) => r[0])).toHaveLength(1);
        expect(results.filter((r) => r[1])).toHaveLength(1);
        expect(await store.get('r1')).toBe(results.findIndex((r) => r[0]));
      });
    });

    describe('counters', () => {
      it('adds fractional amounts and reads them back; absent counters are 0', async () => {
        expect(await store.counter('spend')).toBe(0);
        expect(await store.increment('spend', 0.1)).toBeCloseTo(0.1, 9);
        expect(await store.increment('spend', 0.2)).toBeCloseTo(0.3, 9);
        expect(await store.counter('spend')).toBeCloseTo(0.3, 9);
        expect(await store.increment('count', 1)).toBe(1);
        expect(await store.increment('count', 1)).toBe(2);
      });

      it('is atomic under 50 concurrent increments', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => store.increment('usd', 0.1)));
        expect(await store.counter('usd')).toBeCloseTo(5, 9);
        // Every caller saw a distinct running total: no two increments read the same base.
        expect(new Set(results.map((r) => r.toFixed(6))).size).toBe(50);
        expect(Math.max(...results)).toBeCloseTo(5, 9);
      });

      it('keeps exact totals for large amounts', async () => {
        expect(await store.increment('big', 3)).toBe(3);
        expect(await store.increment('big', 2.5)).toBe(5.5);
        expect(await store.increment('big', 1_000_000.000001)).toBeCloseTo(1_000_005.500001, 6);
        expect(await store.increment('big', -1_000_000)).toBeCloseTo(5.500001, 9);
        expect(await store.counter('big')).toBeCloseTo(5.500001, 9);
      });

      it('accepts negative amounts', async () => {
        await store.increment('balance', 1.5);
        expect(await store.increment('balance', -2.25)).toBeCloseTo(-0.75, 9);
        expect(await store.counter('balance')).toBeCloseTo(-0.75, 9);
      });

      it('sets the TTL only on creation and restarts an expired counter from 0', async () => {
        await store.increment('window', 1, 150);
        await store.increment('window', 1, 60_000); // must not extend the window
        expect(await store.counter('window')).toBe(2);
        await sleep(300);
        expect(await store.counter('window')).toBe(0);
        expect(await store.increment('window', 0.5, 60_000)).toBeCloseTo(0.5, 9);
      });

      it('keeps counters out of get and scan, and refuses to count on a value', async () => {
        await store.increment('c:counter', 3);
        await store.set('c:doc', { a: 1 });
        expect(await store.get('c:counter')).toBeUndefined();
        expect([...(await collect(store.scan('c:')))]).toEqual([['c:doc', { a: 1 }]]);
        await expectAppError(store.increment('c:doc', 1), 'store_wrong_type');
        await expectAppError(store.counter('c:doc'), 'store_wrong_type');
        await expectAppError(store.increment('c:counter', Number.POSITIVE_INFINITY), 'store_invalid_argument');
      });

      it('incrementMany applies a batch in one go, in order, summing repeated keys', async () => {
        await store.increment('m:b', 1);
        const values = await store.incrementMany([
          { key: 'm:a', by: 0.25 },
          { key: 'm:b', by: 2 },
          { key: 'm:a', by: 0.5 },
          { key: 'm:c', by: -1.5, ttlMs: 60_000 },
        ]);
        expect(values).toEqual([0.75, 3, 0.75, -1.5]);
        expect(await store.counter('m:a')).toBeCloseTo(0.75, 9);
        expect(await store.counter('m:b')).toBe(3);
        expect(await store.incrementMany([])).toEqual([]);
      });

      it('incrementMany is atomic under concurrency and agrees with increment', async () => {
        await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 2 === 0 ? store.incrementMany([{ key: 'mc:x', by: 0.1 }, { key: 'mc:y', by: 1 }]) : store.increment('mc:x', 0.1),
          ),
        );
        expect(await store.counter('mc:x')).toBeCloseTo(3, 9);
        expect(await store.counter('mc:y')).toBe(15);
      });

      it('incrementMany sets TTLs only on creation and restarts expired counters', async () => {
        await store.incrementMany([{ key: 'mt:w', by: 1, ttlMs: 150 }]);
        await store.incrementMany([{ key: 'mt:w', by: 1, ttlMs: 60_000 }]);
        expect(await store.counter('mt:w')).toBe(2);
        await sleep(300);
        expect(await store.counter('mt:w')).toBe(0);
        expect(await store.incrementMany([{ key: 'mt:w', by: 4, ttlMs: 60_000 }])).toEqual([4]);
      });

      it('incrementMany refuses to count on a value and rejects bad amounts', async () => {
        await store.set('mv:doc', { a: 1 });
        await expectAppError(store.incrementMany([{ key: 'mv:doc', by: 1 }]), 'store_wrong_type');
        await expectAppError(store.incrementMany([{ key: 'mv:n', by: Number.NaN }]), 'store_invalid_argument');
      });
    });

    describe('commit (several writes, all or none)', () => {
      it('sets, deletes and increments in one call and returns the counters in order', async () => {
        await store.set('cm:old', 'bye');
        await store.increment('cm:b', 1);
        const values = await store.commit({
          set: [
            { key: 'cm:doc', value: { a: [1, 'x'] } },
            { key: 'cm:brief', value: 'soon gone', ttlMs: 150 },
          ],
          delete: ['cm:old', 'cm:never-there'],
          increment: [
            { key: 'cm:a', by: 0.25, ttlMs: 60_000 },
            { key: 'cm:b', by: 2 },
            { key: 'cm:a', by: 0.5 },
          ],
        });
        expect(values).toEqual([0.75, 3, 0.75]);
        expect(await store.get('cm:doc')).toEqual({ a: [1, 'x'] });
        expect(await store.get('cm:brief')).toBe('soon gone');
        expect(await store.get('cm:old')).toBeUndefined();
        expect(await store.counter('cm:a')).toBeCloseTo(0.75, 9);
        expect(await store.counter('cm:b')).toBe(3);
        await sleep(300);
        expect(await store.get('cm:brief')).toBeUndefined();
        expect(await store.commit({})).toEqual([]);
        expect(await store.commit({ delete: ['cm:doc'] })).toEqual([]);
        expect(await store.get('cm:doc')).toBeUndefined();
      });

      it('writes nothing when a counter key holds a value', async () => {
        await store.set('cw:doc', { a: 1 });
        await store.set('cw:keep', 'kept');
        await store.increment('cw:n', 1);
        await expectAppError(
          store.commit({ set: [{ key: 'cw:new', value: 1 }], delete: ['cw:keep'], increment: [{ key: 'cw:n', by: 5 }, { key: 'cw:doc', by: 1 }] }),
          'store_wrong_type',
        );
        expect(await store.get('cw:new')).toBeUndefined();
        expect(await store.get('cw:keep')).toBe('kept');
        expect(await store.counter('cw:n')).toBe(1);
        expect(await store.get('cw:doc')).toEqual({ a: 1 });
      });

      it('rejects bad TTLs and amounts before writing anything', async () => {
        await expectAppError(store.commit({ set: [{ key: 'cb:a', value: 1 }, { key: 'cb:b', value: 2, ttlMs: 0 }] }), 'store_invalid_argument');
        await expectAppError(store.commit({ set: [{ key: 'cb:a', value: 1 }], increment: [{ key: 'cb:n', by: Number.NaN }] }), 'store_invalid_argument');
        expect(await store.get('cb:a')).toBeUndefined();
        expect(await store.counter('cb:n')).toBe(0);
      });

      it('is atomic under concurrency with other writers, and a second instance sees the result', async () => {
        const other = await open();
        // The other instance writes one statement at a time, as another process would.
        const otherWrites = (async () => {
          for (let i = 0; i < 10; i++) await other.incrementMany([{ key: 'cc:x', by: 0.1 }]);
        })();
        await Promise.all([
          otherWrites,
          ...Array.from({ length: 20 }, (_, i) =>
            i % 2 === 0 ? store.commit({ set: [{ key: `cc:v${i}`, value: i }], increment: [{ key: 'cc:x', by: 0.1 }, { key: 'cc:y', by: 1 }] }) : store.increment('cc:y', 1),
          ),
        ]);
        expect(await other.counter('cc:x')).toBeCloseTo(2, 9);
        expect(await other.counter('cc:y')).toBe(20);
        expect(await other.get('cc:v18')).toBe(18);
      });
    });

    describe('locks', () => {
      it('is exclusive until released', async () => {
        const lock = await store.acquireLock('lock:s1', 10_000);
        expect(lock).toBeDefined();
        expect(lock?.key).toBe('lock:s1');
        expect(lock?.token).toMatch(/^\S{16,}$/);
        expect(await store.acquireLock('lock:s1', 10_000)).toBeUndefined();
        await lock?.release();
        const again = await store.acquireLock('lock:s1', 10_000);
        expect(again).toBeDefined();
        expect(again?.token).not.toBe(lock?.token);
      });

      it('gives the lock to exactly one of 20 concurrent acquirers', async () => {
        const locks = await Promise.all(Array.from({ length: 20 }, () => store.acquireLock('lock:race', 10_000)));
        expect(locks.filter((l) => l !== undefined)).toHaveLength(1);
      });

      it('renew keeps the lock past its first TTL', async () => {
        const lock = await store.acquireLock('lock:renewed', 150);
        expect(await lock?.renew(1_000)).toBe(true);
        await sleep(300);
        expect(await store.acquireLock('lock:renewed', 1_000)).toBeUndefined();
        expect(await lock?.renew(1_000)).toBe(true);
      });

      it('lets another holder take an expired lock; the stale holder can neither renew nor release it', async () => {
        const stale = await store.acquireLock('lock:expiring', 100);
        expect(stale).toBeDefined();
        await sleep(250);
        const fresh = await store.acquireLock('lock:expiring', 10_000);
        expect(fresh).toBeDefined();
        expect(await stale?.renew(10_000)).toBe(false);
        await stale?.release();
        expect(await store.acquireLock('lock:expiring', 10_000)).toBeUndefined();
        expect(await fresh?.renew(10_000)).toBe(true);
        await fresh?.release();
        expect(await store.acquireLock('lock:expiring', 10_000)).toBeDefined();
      });
    });

    describe('scan', () => {
      it('returns only live JSON entries under the prefix, keys without namespace', async () => {
        await store.set('user:1', { id: 1 });
        await store.set('user:2', { id: 2 });
        await store.set('user:3', { id: 3 }, 100);
        await store.set('users', 'not under user:');
        await store.set('other:1', 'elsewhere');
        await sleep(250);
        const found = await collect(store.scan<{ id: number }>('user:'));
        expect([...found.entries()].sort()).toEqual([
          ['user:1', { id: 1 }],
          ['user:2', { id: 2 }],
        ]);
        expect((await collect(store.scan(''))).size).toBe(4);
      });

      it('pages through 2,500 keys', async () => {
        const n = 2_500;
        for (let i = 0; i < n; i += 250) {
          await Promise.all(Array.from({ length: 250 }, (_, j) => store.set(`bulk:${String(i + j).padStart(5, '0')}`, { i: i + j })));
        }
        await store.set('bulkhead', 'outside the prefix');
        const found = await collect(store.scan<{ i: number }>('bulk:'));
        expect(found.size).toBe(n);
        expect(found.get('bulk:01234')).toEqual({ i: 1234 });
      });

      it('treats glob, LIKE and non-ASCII characters in the prefix literally', async () => {
        const keys = ['p*:1', 'p?:2', 'p[a]:3', 'pa]:3b', 'p%:4', 'p_:5', 'p\\:6', 'pX:7', 'pé:8', 'p😀:9', 'p😀😀:10', 'q:11'];
        for (const key of keys) await store.set(key, key);
        const scanKeys = async (prefix: string) => [...(await collect(store.scan(prefix))).keys()].sort();
        expect(await scanKeys('p*')).toEqual(['p*:1']);
        expect(await scanKeys('p?')).toEqual(['p?:2']);
        expect(await scanKeys('p[a]')).toEqual(['p[a]:3']);
        expect(await scanKeys('p%')).toEqual(['p%:4']);
        expect(await scanKeys('p_')).toEqual(['p_:5']);
        expect(await scanKeys('p\\')).toEqual(['p\\:6']);
        expect(await scanKeys('pé')).toEqual(['pé:8']);
        expect(await scanKeys('p😀')).toEqual(['p😀:9', 'p😀😀:10']);
        expect(await scanKeys('p')).toHaveLength(keys.length - 1);
      });
    });

    describe('update (compare-and-set)', () => {
      it('creates, changes and returns the stored value; undefined from fn changes nothing', async () => {
        expect(await store.update<{ n: number }>('u:doc', (cur) => ({ n: (cur?.n ?? 0) + 1 }))).toEqual({ n: 1 });
        expect(await store.update<{ n: number }>('u:doc', (cur) => ({ n: (cur?.n ?? 0) + 1 }))).toEqual({ n: 2 });
        expect(await store.get('u:doc')).toEqual({ n: 2 });
        let seen: unknown;
        expect(
          await store.update<{ n: number }>('u:doc', (cur) => {
            seen = cur;
            return undefined;
          }),
        ).toEqual({ n: 2 });
        expect(seen).toEqual({ n: 2 });
        expect(await store.update('u:absent', () => undefined)).toBeUndefined();
        expect(await store.get('u:absent')).toBeUndefined();
        expect([...(await collect(store.scan('u:')))]).toEqual([['u:doc', { n: 2 }]]);
      });

      it('loses none of 40 concurrent updates from two instances on the same data', async () => {
        const other = await open();
        await store.set('u:list', { items: [] as number[] });
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).update<{ items: number[] }>('u:list', (cur) => ({ items: [...(cur?.items ?? []), i] }))),
        );
        const final = await store.get<{ items: number[] }>('u:list');
        expect([...(final?.items ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      });

      it('creates an absent key exactly once under concurrency', async () => {
        const other = await open();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : other).update<{ owner: number }>('u:create', (cur) => (cur ? undefined : { owner: i })),
          ),
        );
        // One creation won; every other caller saw it and changed nothing.
        const owner = (await store.get<{ owner: number }>('u:create'))?.owner;
        expect(owner).toBeDefined();
        expect(results).toEqual(Array.from({ length: 10 }, () => ({ owner })));
      });

      it('never writes a stale copy: a value set after the read forces a retry on the new value', async () => {
        await store.set('u:stale', { v: 1 });
        const other = await open();
        let calls = 0;
        const result = await store.update<{ v: number }>('u:stale', (cur) => {
          calls += 1;
          // The first time fn runs, someone else changes the value before our write.
          if (calls === 1) void other.set('u:stale', { v: 100 });
          return { v: (cur?.v ?? 0) + 1 };
        });
        // Give the racing set time to land if it had not yet (it was started during fn).
        await new Promise((resolve) => setTimeout(resolve, 50));
        const stored = await store.get<{ v: number }>('u:stale');
        if (calls === 1) {
          // Our write landed first; the set replaced it afterwards.
          expect(result).toEqual({ v: 2 });
          expect(stored).toEqual({ v: 100 });
        } else {
          expect(result).toEqual({ v: 101 });
          expect(stored).toEqual({ v: 101 });
        }
      });

      it('applies the TTL to what it writes and treats an expired value as absent', async () => {
        await store.update('u:ttl', () => ({ short: true }), 150);
        expect(await store.get('u:ttl')).toEqual({ short: true });
        await sleep(300);
        expect(await store.get('u:ttl')).toBeUndefined();
        let seen: unknown = 'not called';
        expect(
          await store.update('u:ttl', (cur) => {
            seen = cur;
            return { again: true };
          }, 60_000),
        ).toEqual({ again: true });
        expect(seen).toBeUndefined();
        expect(await store.get('u:ttl')).toEqual({ again: true });
      });

      it('refuses to update a counter and rejects bad TTLs', async () => {
        await store.increment('u:count', 1);
        await expectAppError(store.update('u:count', () => ({ x: 1 })), 'store_wrong_type');
        await expectAppError(store.update('u:x', () => 1, 0), 'store_invalid_argument');
      });
    });

    describe('due-time index', () => {
      it('returns what is due, earliest first, up to the limit; schedule replaces the due time', async () => {
        await store.schedule('jobs', 'c', 300);
        await store.schedule('jobs', 'a', 100);
        await store.schedule('jobs', 'b', 200);
        await store.schedule('jobs', 'later', 10_000);
        await store.schedule('other', 'x', 50);
        expect(await store.due('jobs', 250, 10)).toEqual(['a', 'b']);
        expect(await store.due('jobs', 1_000, 2)).toEqual(['a', 'b']);
        expect(await store.due('jobs', 1_000, 10)).toEqual(['a', 'b', 'c']);
        await store.schedule('jobs', 'a', 5_000);
        expect(await store.due('jobs', 1_000, 10)).toEqual(['b', 'c']);
        expect(await store.indexSize('jobs')).toBe(4);
        expect(await store.indexSize('other')).toBe(1);
        expect(await store.indexSize('none')).toBe(0);
        expect(await store.due('none', Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      });

      it('unschedule removes a member and ignores absent ones; members take any text; epoch-ms due times work', async () => {
        const now = 1_764_000_000_000;
        await store.schedule('ix', 'apr_1', now);
        await store.schedule('ix', 'odd member: é 😀 * ?', now + 1);
        await store.schedule('ix', 'never', Number.MAX_SAFE_INTEGER);
        expect(await store.due('ix', now + 1, 10)).toEqual(['apr_1', 'odd member: é 😀 * ?']);
        await store.unschedule('ix', 'apr_1');
        await store.unschedule('ix', 'missing');
        expect(await store.due('ix', now + 1, 10)).toEqual(['odd member: é 😀 * ?']);
        expect(await store.indexSize('ix')).toBe(2);
        await expectAppError(store.schedule('ix', 'bad', Number.NaN), 'store_invalid_argument');
        await expectAppError(store.due('ix', now, 0), 'store_invalid_argument');
      });

      it('is shared by instances on the same data, kept apart by namespace, and invisible to scan', async () => {
        const same = await open();
        const elsewhere = await open(uniqueNamespace());
        await store.schedule('shared', 'm1', 10);
        expect(await same.due('shared', 10, 10)).toEqual(['m1']);
        expect(await elsewhere.due('shared', 10, 10)).toEqual([]);
        expect(await elsewhere.indexSize('shared')).toBe(0);
        expect((await collect(store.scan(''))).size).toBe(0);
      });
    });

    describe('lifecycle', () => {
      it('close is idempotent and later calls fail with store_closed', async () => {
        await store.set('k', 'v');
        await store.close();
        await store.close();
        await expectAppError(store.get('k'), 'store_closed');
      });

      it('lets the process exit after close', async () => {
        const ns = namespaces[0] ?? '';
        const code = `
          const { createStore } = await import(${JSON.stringify(createStoreModule)});
          const store = await createStore(${JSON.stringify(target.url)}, { namespace: ${JSON.stringify(ns)} });
          await store.set('from-child', { ok: true }, 60000);
          await store.increment('child-count', 1);
          const lock = await store.acquireLock('child-lock', 60000);
          await lock.release();
          for await (const entry of store.scan('')) void entry;
          await store.close();
          console.log('closed');
        `;
        const result = await new Promise<{ error: Error | null; stdout: string; stderr: string }>((resolve) => {
          execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, timeout: 15_000 }, (error, stdout, stderr) =>
            resolve({ error, stdout, stderr }),
          );
        });
        expect(result.error, result.stderr).toBeNull();
        expect(result.stdout.trim()).toBe('closed');
        expect(await store.get('from-child')).toEqual({ ok: true });
        expect(await store.counter('child-count')).toBe(1);
      });
    });

    describe('two instances on the same data', () => {
      it('see each other’s values and atomic operations', async () => {
        const a = store;
        const b = await open();
        await a.set('shared', { from: 'a' });
        expect(await b.get('shared')).toEqual({ from: 'a' });

        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).setIfAbsent('claim', i)));
        expect(claims.filter(Boolean)).toHaveLength(1);

        await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).increment('total', 0.1)));
        expect(await a.counter('total')).toBeCloseTo(5, 9);
        expect(await b.counter('total')).toBeCloseTo(5, 9);

        const held: Lock | undefined = await a.acquireLock('lock:shared', 10_000);
        expect(held).toBeDefined();
        expect(await b.acquireLock('lock:shared', 10_000)).toBeUndefined();
        await held?.release();
        expect(await b.acquireLock('lock:shared', 10_000)).toBeDefined();
      });
    });
  });
}
