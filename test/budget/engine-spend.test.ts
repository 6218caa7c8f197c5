import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spendKeys } from '../../src/budget/budget-guard';
import { loadConfig } from '../../src/config';
import { createEngine } from '../../src/engine';
import { silentLogger } from '../../src/logger';
import type { AuditEvent } from '../../src/ports';
import { createStore } from '../../src/sessions/create-store';
import { createSealer } from '../../src/sessions/sealer';
import { ManualClock } from '../support/manual-clock';
import { RecordingChannel } from '../support/recording-channel';
import { answer, ScriptedModel } from '../support/scripted-model';
import { FailingStore } from './failing-store';

// gpt-4o: 10k in + 1k out = $0.035.
const COST = 0.035;
const alice = { userId: 'U_ALICE', platform: 'test', displayName: 'Alice', role: 'member' } as const;

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('engine: spend written while the store falters', () => {
  it('audits a held settlement, answers anyway, and writes the spend when the engine stops', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'engine-spend-'));
    const store = new FailingStore(await createStore(`sqlite://${path.join(dataDir, 's.sqlite')}`));
    const events: AuditEvent[] = [];
    const model = new ScriptedModel('gpt-4o', [
      () => {
        // The reservation went through; every counter write after the model call fails: the session save's
        // commit carrying the spend, then the spend's own 3 tries.
        store.failNext(4);
        return answer('Hello!', { promptTokens: 10_000, completionTokens: 1_000 });
      },
    ]);
    const engine = createEngine({
      config: loadConfig({ DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent' }),
      store,
      sealer: createSealer(Buffer.alloc(32, 1)),
      model,
      tools: [],
      audit: { write: (event) => void events.push(event), flush: async () => undefined },
      logger: silentLogger(),
      clock: new ManualClock(),
    });
    engine.attach(new RecordingChannel('test'));

    const result = await engine.handleMessage({ conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' }, caller: alice, text: 'hi', messageId: 'm1' });
    expect(result).toMatchObject({ status: 'answered', reply: 'Hello!' });
    expect(result.costUsd).toBeCloseTo(COST, 9);
    expect(events.find((e) => e.event === 'budget_write_failed')).toMatchObject({ settlements: 1, held: 1, success: false });
    expect(await store.counter(spendKeys.userMonth('2026-11', 'test:U_ALICE'))).toBe(0);

    await engine.stop();
    expect(events.find((e) => e.event === 'budget_write_recovered')).toMatchObject({ settlements: 1, held: 0, success: true });
    expect(await store.counter(spendKeys.userMonth('2026-11', 'test:U_ALICE'))).toBeCloseTo(COST, 9);
    expect(await store.counter(spendKeys.userDay('2026-11-22', 'test:U_ALICE'))).toBeCloseTo(COST, 9);
    await store.close();
  });
});
