import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createEngine } from '../../src/engine';
import { silentLogger } from '../../src/logger';
import type { Engine, InboundMessage, NewEntry } from '../../src/ports';
import { createSealer } from '../../src/sessions/sealer';
import { SqliteStore } from '../../src/sessions/sqlite-store';
import { users } from '../support/engine-harness';
import { ForwardingStore } from '../support/forwarding-store';
import { ManualClock } from '../support/manual-clock';
import { MemoryAudit } from '../support/memory-audit';
import { RecordingChannel } from '../support/recording-channel';
import { answer, ScriptedModel } from '../support/scripted-model';

/** A real SQLite store that records each call (one call = one round trip) with the keys it touched. */
class CountingStore extends ForwardingStore {
  readonly calls: Array<{ op: string; keys: string[] }> = [];
  override setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    this.calls.push({ op: 'setIfAbsent', keys: [key] });
    return super.setIfAbsent(key, value, ttlMs);
  }
  override setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]> {
    this.calls.push({ op: 'setIfAbsentMany', keys: entries.map((e) => e.key) });
    return super.setIfAbsentMany(entries);
  }
  override set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.calls.push({ op: 'set', keys: [key] });
    return super.set(key, value, ttlMs);
  }
  override delete(key: string): Promise<boolean> {
    this.calls.push({ op: 'delete', keys: [key] });
    return super.delete(key);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(): Promise<{ engine: Engine; store: CountingStore; channel: RecordingChannel }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'round-trips-'));
  const store = new CountingStore(await SqliteStore.open({ path: path.join(dir, 'store.sqlite') }));
  const model = new ScriptedModel('gpt-4o-mini', []);
  model.fallback = () => answer('Here you go.');
  const channel = new RecordingChannel('test');
  const engine = createEngine({
    config: loadConfig({ DATA_DIR: dir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent' }),
    store,
    sealer: createSealer(randomBytes(32)),
    model,
    tools: [],
    audit: new MemoryAudit(),
    logger: silentLogger(),
    clock: new ManualClock(),
    retryInitialDelayMs: 1,
    sharedStore: false,
  });
  engine.attach(channel);
  close = async () => {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { engine, store, channel };
}

const message = (messageId: string, followUp = false): InboundMessage => ({
  conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' },
  caller: users.alice,
  messageId,
  text: 'Where is my order?',
  ...(followUp ? { followUp: true } : {}),
});

describe('store round trips per turn', () => {
  it('journals a message and sets its de-duplication marker in one round trip at arrival', async () => {
    const { engine, store } = await start();
    await engine.handleMessage(message('m1'));
    const arrival = store.calls.filter((c) => c.keys.some((k) => k.startsWith('turns:open:') || k.startsWith('inbound:')) && c.op !== 'delete');
    expect(arrival).toEqual([{ op: 'setIfAbsentMany', keys: ['turns:open:test:m1', 'inbound:test:m1'] }]);

    // A follow-up in a thread this process serves takes the same single round trip.
    store.calls.length = 0;
    const followUp = await engine.handleMessage(message('m2', true));
    expect(followUp.status).toBe('answered');
    expect(store.calls.filter((c) => c.op.startsWith('setIfAbsent')).map((c) => c.keys)).toEqual([['turns:open:test:m2', 'inbound:test:m2']]);
  });

  it('still answers a redelivered message once, also while its first copy waits its turn', async () => {
    const { engine, channel } = await start();
    const [first, again] = await Promise.all([engine.handleMessage(message('m1')), engine.handleMessage(message('m1'))]);
    const later = await engine.handleMessage(message('m1'));
    expect([first.status, again.status, later.status]).toEqual(['answered', 'duplicate', 'duplicate']);
    expect(channel.posts.filter((p) => p.message.kind === 'reply')).toHaveLength(1);
  });
});
