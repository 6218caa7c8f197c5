import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createEngine } from '../../src/engine';
import { silentLogger } from '../../src/logger';
import { spendKeys } from '../../src/budget/budget-guard';
import { AppError } from '../../src/errors';
import type { CounterIncrement, Engine, InboundMessage, NewEntry, StoreWrites } from '../../src/ports';
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
  override incrementMany(entries: readonly CounterIncrement[]): Promise<number[]> {
    this.calls.push({ op: 'incrementMany', keys: entries.map((e) => e.key) });
    return super.incrementMany(entries);
  }
  /** Commits to fail, as a store does when the disk is full or the server goes away. */
  failCommits = 0;
  override commit(writes: StoreWrites): Promise<number[]> {
    this.calls.push({ op: 'commit', keys: [...(writes.set ?? []).map((e) => e.key), ...(writes.delete ?? []).map((k) => `-${k}`), ...(writes.increment ?? []).map((e) => `+${e.key}`)] });
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      return Promise.reject(new AppError('store_unavailable', 'disk full'));
    }
    return super.commit(writes);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(): Promise<{ engine: Engine; store: CountingStore; channel: RecordingChannel; model: ScriptedModel }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'round-trips-'));
  const store = new CountingStore(await SqliteStore.open({ path: path.join(dir, 'store.sqlite') }));
  const model = new ScriptedModel('gpt-4o-mini', []);
  model.fallback = () => answer('Here you go.');
  const channel = new RecordingChannel('test');
  const engine = createEngine({
    config: loadConfig({ DATA_DIR: dir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', OPENAI_MODEL: 'gpt-4o-mini' }),
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
  return { engine, store, channel, model };
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

  it('ends a turn with one commit: the session, the spend and the journal entry together', async () => {
    const { engine, store } = await start();
    await engine.handleMessage(message('m1'));
    store.calls.length = 0;
    const result = await engine.handleMessage(message('m2', true));
    expect(result.status).toBe('answered');
    expect(result.costUsd).toBeGreaterThan(0);
    const commits = store.calls.filter((c) => c.op === 'commit');
    expect(commits).toHaveLength(1);
    const [commit] = commits;
    expect(commit?.keys.filter((k) => k.startsWith('session:'))).toHaveLength(1);
    expect(commit?.keys).toContain('-turns:open:test:m2');
    expect(commit?.keys.some((k) => k.startsWith('+spend:session:'))).toBe(true);
    // No write of their own: the journal is not closed apart, and the only counter write is the one reservation.
    expect(store.calls.filter((c) => c.op === 'delete' || c.op === 'set')).toEqual([]);
    expect(store.calls.filter((c) => c.op === 'incrementMany')).toHaveLength(1);
  });

  it('loses nothing when that commit fails: the session, the spend and the journal close are written on their own', async () => {
    const { engine, store, model } = await start();
    const first = await engine.handleMessage(message('m1'));
    const sessionSpend = spendKeys.session(first.sessionId);
    const before = await store.counter(sessionSpend);
    expect(before).toBeGreaterThan(0);
    store.failCommits = 1;
    store.calls.length = 0;
    const result = await engine.handleMessage(message('m2', true));
    expect(result.status).toBe('answered');
    // The answer's real cost is counted although the save it rode with failed (written by itself instead).
    expect(await store.counter(sessionSpend)).toBeGreaterThan(before);
    expect(await store.get('turns:open:test:m2')).toBeUndefined();
    expect(store.calls.filter((c) => c.op === 'delete').map((c) => c.keys)).toEqual([['turns:open:test:m2']]);
    expect(store.calls.filter((c) => c.op === 'set').map((c) => c.keys[0]?.split(':')[0])).toEqual(['session']);
    // The next turn finds the second one saved: its model call sees both earlier questions and answers.
    await engine.handleMessage(message('m3', true));
    const history = model.requests.at(-1)?.messages.filter((m) => m.role === 'user' || m.role === 'assistant') ?? [];
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });
});
