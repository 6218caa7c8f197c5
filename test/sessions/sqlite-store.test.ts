import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ConfigError } from '../../src/errors';
import { createStore } from '../../src/sessions/create-store';
import { SqliteStore } from '../../src/sessions/sqlite-store';
import { describeStoreContract } from './store-contract';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeStoreContract('SqliteStore', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sqlite-store-contract-'));
  const file = path.join(dir, 'store.sqlite');
  return {
    url: `sqlite://${file}`,
    open: (namespace) => SqliteStore.open({ path: file, namespace }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

// The previous default driver stays selectable, so it keeps passing the same contract.
describeStoreContract('SqliteStore (node-sqlite3 driver)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sqlite3-store-contract-'));
  const file = path.join(dir, 'store.sqlite');
  return {
    url: `sqlite://${file}`,
    open: (namespace) => SqliteStore.open({ path: file, namespace, driver: 'sqlite3' }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore specifics', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sqlite-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Raw rows, read through a separate connection. */
  async function rows(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
    const raw = new KeyvSqlite({ uri: `sqlite://${file}` });
    try {
      return (await raw.query(sql)) as Array<Record<string, unknown>>;
    } finally {
      await raw.disconnect();
    }
  }

  it('writes keyv-format rows under <namespace>:<key> in WAL mode', async () => {
    const file = path.join(dir, 'format.sqlite');
    const store = await SqliteStore.open({ path: file, namespace: 'fmt' });
    await store.set('a:b', { x: 1 }, 60_000);
    await store.set('plain', 'v');
    await store.increment('n', 0.25);
    await store.close();
    const found = await rows(file, 'SELECT key, value FROM keyv ORDER BY key');
    expect(found.map((r) => r.key)).toEqual(['fmt:a:b', 'fmt:n', 'fmt:plain']);
    expect(JSON.parse(String(found[0]?.value))).toMatchObject({ value: { x: 1 }, expires: expect.any(Number) });
    expect(JSON.parse(String(found[1]?.value))).toEqual({ counterNanos: 250_000_000 });
    expect(JSON.parse(String(found[2]?.value))).toEqual({ value: 'v' });
    expect(await rows(file, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('purges a bounded batch of expired rows on write', async () => {
    const file = path.join(dir, 'purge.sqlite');
    const store = await SqliteStore.open({ path: file, namespace: 'p', purgeIntervalMs: 1, purgeBatchSize: 3 });
    for (let i = 0; i < 5; i++) await store.set(`old:${i}`, i, 50);
    await store.set('live', 'stays');
    await sleep(120);
    await store.set('trigger', 1);
    await store.close(); // waits for the purge in flight
    const left = await rows(file, 'SELECT key FROM keyv');
    expect(left).toHaveLength(4); // 5 expired - 3 purged + live + trigger
    expect(left.map((r) => r.key)).toEqual(expect.arrayContaining(['p:live', 'p:trigger']));
  });

  it('checkpoints the WAL in the background instead of inside writes', async () => {
    const file = path.join(dir, 'checkpoint.sqlite');
    const store = await SqliteStore.open({ path: file, namespace: 'cp', checkpointIntervalMs: 50 });
    const before = (await stat(file)).size;
    // ~150 KB: far below SQLite's own 1,000-page threshold, so only our checkpointer moves it into the file.
    for (let i = 0; i < 300; i++) await store.set(`k${i}`, { i, pad: 'x'.repeat(500) });
    let size = before;
    for (let attempt = 0; attempt < 60 && size < before + 100_000; attempt++) {
      await new Promise((r) => setTimeout(r, 50));
      size = (await stat(file)).size;
    }
    expect(size).toBeGreaterThan(before + 100_000);
    expect((await store.get<{ i: number }>('k299'))?.i).toBe(299);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('close really closes the connection (SQLite removes the WAL file after the last one)', async () => {
    const file = path.join(dir, 'close.sqlite');
    const store = await SqliteStore.open({ path: file });
    await store.set('k', 'v');
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('fails to open an unusable file with store_unavailable', async () => {
    const error = await SqliteStore.open({ path: path.join(dir, 'missing-dir', 'x.sqlite') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('store_unavailable');
  });

  it('createStore opens sqlite:// URLs, creating the parent directory', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'store.sqlite');
    const store = await createStore(`sqlite://${file}`, { namespace: 'cs' });
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    await store.close();
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('createStore rejects relative paths and unknown schemes', async () => {
    await expect(createStore('sqlite://relative/store.sqlite')).rejects.toBeInstanceOf(ConfigError);
    await expect(createStore('postgres://user:secret@host/db')).rejects.toThrow(/must start with/);
    await expect(createStore('postgres://user:secret@host/db')).rejects.not.toThrow(/secret/);
  });
});
