import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors';
import { parseWith, SealedCollection } from '../../src/sessions/sealed-collection';
import { createSealer } from '../../src/sessions/sealer';
import { SqliteStore } from '../../src/sessions/sqlite-store';

const KEY = Buffer.alloc(32, 9);
const recordSchema = z.object({ id: z.string(), owner: z.string(), n: z.number() });
type Rec = z.infer<typeof recordSchema>;

/** Exactly what the sealer wrote before records were bound to their key (format v1, no associated data). */
function sealV1(value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', KEY, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

describe('SealedCollection', () => {
  let dir: string;
  let store: SqliteStore;
  let records: SealedCollection<Rec>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sealed-collection-'));
    store = await SqliteStore.open({ path: path.join(dir, 'store.sqlite'), namespace: 'sc' });
    records = new SealedCollection<Rec>({ store, sealer: createSealer(KEY), prefix: 'rec:', parse: parseWith(recordSchema), ttlMs: 60_000 });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a sealed record copied under another key', async () => {
    await records.put('alice', { id: 'alice', owner: 'alice', n: 1 });
    await records.put('mallory', { id: 'mallory', owner: 'mallory', n: 2 });
    // Someone with write access to the database swaps Alice's record for Mallory's.
    await store.set('rec:alice', await store.get('rec:mallory'));
    const error = await records.get('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('sealed_unreadable');
    // And an update does not overwrite what it cannot read.
    await expect(records.update('alice', (r) => r)).rejects.toMatchObject({ code: 'sealed_unreadable' });
    expect(await records.get('mallory')).toEqual({ id: 'mallory', owner: 'mallory', n: 2 });
  });

  it('opens a v1 record written by the old code and re-seals it as v2 on its next write', async () => {
    await store.set('rec:old', { sealed: sealV1({ id: 'old', owner: 'bob', n: 5 }) });
    expect(await records.get('old')).toEqual({ id: 'old', owner: 'bob', n: 5 });
    // A no-change update leaves it as it was.
    await records.update('old', () => undefined);
    expect((await store.get<{ sealed: string }>('rec:old'))?.sealed).toMatch(/^v1\./);
    expect(await records.update('old', (r) => r && { ...r, n: r.n + 1 })).toEqual({ id: 'old', owner: 'bob', n: 6 });
    expect((await store.get<{ sealed: string }>('rec:old'))?.sealed).toMatch(/^v2\./);
    expect(await records.get('old')).toEqual({ id: 'old', owner: 'bob', n: 6 });
  });

  it('update loses no change under concurrency and returns the stored record', async () => {
    await records.put('counter', { id: 'counter', owner: 'x', n: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        records.update('counter', (r) => {
          if (!r) return undefined;
          r.n += 1; // mutating the fresh copy is allowed
          return r;
        }),
      ),
    );
    expect((await records.get('counter'))?.n).toBe(20);
    expect(await records.update('absent', () => undefined)).toBeUndefined();
  });
});
