import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { createStore } from '../../src/sessions/create-store';
import { RedisStore } from '../../src/sessions/redis-store';
import { describeStoreContract } from './store-contract';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function connectAdmin() {
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  return admin;
}

type Admin = Awaited<ReturnType<typeof connectAdmin>>;

/** Delete every key of a namespace, whatever its shape. */
async function removeNamespace(admin: Admin, namespace: string): Promise<void> {
  for await (const keys of admin.scanIterator({ MATCH: `${namespace}::*`, COUNT: 1000 })) {
    if (keys.length > 0) await admin.unlink(keys);
  }
}

describeStoreContract('RedisStore', async () => {
  const admin = await connectAdmin();
  return {
    url: REDIS_URL,
    open: (namespace) => RedisStore.open({ url: REDIS_URL, namespace }),
    cleanup: (namespace) => removeNamespace(admin, namespace),
    dispose: () => admin.close(),
  };
});

describe('RedisStore specifics', () => {
  const namespace = `t_redis_${process.pid}_${Date.now().toString(36)}`;
  let admin: Admin;
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    await removeNamespace(admin, namespace);
    await admin.close();
  });

  it('writes keyv-format values under <namespace>::<key> with native PX expiry', async () => {
    const store = await RedisStore.open({ url: REDIS_URL, namespace });
    await store.set('a:b', { x: 1 }, 60_000);
    await store.set('plain', 'v');
    await store.increment('n', 0.25, 60_000);
    await store.setIfAbsent('nx', { y: 2 }, 60_000);
    await store.close();
    expect(JSON.parse((await admin.get(`${namespace}::a:b`)) ?? '')).toMatchObject({ value: { x: 1 }, expires: expect.any(Number) });
    expect(await admin.get(`${namespace}::plain`)).toBe('{"value":"v"}');
    expect(await admin.get(`${namespace}::n`)).toBe('250000000');
    expect(JSON.parse((await admin.get(`${namespace}::nx`)) ?? '')).toMatchObject({ value: { y: 2 }, expires: expect.any(Number) });
    for (const key of ['a:b', 'n', 'nx']) {
      const ttl = await admin.pTTL(`${namespace}::${key}`);
      expect(ttl).toBeGreaterThan(50_000);
    }
    expect(await admin.pTTL(`${namespace}::plain`)).toBe(-1);
  });

  it('fails fast with a retryable store_unavailable when the server is unreachable', async () => {
    const started = Date.now();
    const error = await RedisStore.open({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('store_unavailable');
    expect((error as AppError).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('createStore opens redis:// URLs', async () => {
    const store = await createStore(REDIS_URL, { namespace });
    await store.set('via-create', 1);
    expect(await store.get('via-create')).toBe(1);
    await store.close();
  });
});
