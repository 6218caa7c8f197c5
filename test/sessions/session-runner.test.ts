import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger';
import type { Store } from '../../src/ports';
import { createStore } from '../../src/sessions/create-store';
import { SealedCollection } from '../../src/sessions/sealed-collection';
import { createSealer } from '../../src/sessions/sealer';
import { SessionRunner } from '../../src/sessions/session-runner';
import { migrateSession, type SessionState } from '../../src/sessions/session-state';

const conversation = { platform: 'test', workspaceId: 'W', channelId: 'C', threadId: 'T' };
let dir: string;
let store: Store;
let docs: SealedCollection<SessionState>;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runner-'));
  store = await createStore(`sqlite://${path.join(dir, 's.sqlite')}`);
  docs = new SealedCollection({ store, sealer: createSealer(Buffer.alloc(32, 7)), prefix: 'session:', parse: migrateSession, ttlMs: 60_000 });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const runner = (crossProcessLocks: boolean) => new SessionRunner({ store, sessions: docs, logger: silentLogger(), now: () => 1, crossProcessLocks });

describe('session runner', () => {
  it.each([true, false])('never serves the unsaved changes of a failed turn (cross-process locks: %s)', async (locks) => {
    const sessions = runner(locks);
    await sessions.withSession(conversation, async (s) => void s.history.push({ role: 'user', content: 'kept' }));
    await expect(
      sessions.withSession(conversation, async (s) => {
        s.history.push({ role: 'user', content: 'lost' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const seen = await sessions.withSession(conversation, async (s) => s.history.map((m) => m.content));
    expect(seen).toEqual(['kept']);
  });

  it('serves the saved session from memory when the store is not shared, and still persists it', async () => {
    const sessions = runner(false);
    await sessions.withSession(conversation, async (s) => void s.history.push({ role: 'user', content: 'hello' }));
    // Another reader of the store sees the write (write-through)…
    expect((await docs.get('test:W:C:T'))?.history).toEqual([{ role: 'user', content: 'hello' }]);
    // …and a cached session is served even if the stored copy is gone (no read on the hot path).
    await store.delete('session:test:W:C:T');
    expect(await sessions.exists(conversation)).toBe(true);
    expect(await sessions.withSession(conversation, async (s) => s.history.length)).toBe(1);
  });

  it('keeps at most cacheSize sessions in memory, dropping the least recently saved', async () => {
    const sessions = new SessionRunner({ store, sessions: docs, logger: silentLogger(), now: () => 1, crossProcessLocks: false, cacheSize: 2 });
    const thread = (threadId: string) => ({ ...conversation, threadId });
    for (const id of ['A', 'B', 'C', 'B']) await sessions.withSession(thread(id), async (s) => void s.history.push({ role: 'user', content: id }));
    expect(['A', 'B', 'C'].map((id) => sessions.knownLocally(thread(id)))).toEqual([false, true, true]);
    // The evicted one is read back from the store, nothing lost.
    expect(await sessions.withSession(thread('A'), async (s) => s.history.map((m) => m.content))).toEqual(['A']);
    expect(['A', 'B', 'C'].map((id) => sessions.knownLocally(thread(id)))).toEqual([true, true, false]);
  });

  it('does not cache when replicas share the store', async () => {
    const sessions = runner(true);
    await sessions.withSession(conversation, async (s) => void s.history.push({ role: 'user', content: 'hello' }));
    await store.delete('session:test:W:C:T');
    expect(await sessions.exists(conversation)).toBe(false);
    expect(await sessions.withSession(conversation, async (s) => s.history.length)).toBe(0);
  });
});
