import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/bootstrap';
import { silentLogger } from '../../src/logger';
import { users } from '../support/engine-harness';
import { ManualClock } from '../support/manual-clock';
import { RecordingChannel } from '../support/recording-channel';
import { answer, ScriptedModel } from '../support/scripted-model';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespace = `t_outcomes_${process.pid}_${Date.now().toString(36)}`;
const apps: App[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const app of apps) await app.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  for await (const keys of admin.scanIterator({ MATCH: `${namespace}::*`, COUNT: 1000 })) if (keys.length > 0) await admin.unlink(keys);
  await admin.close();
});

describe('outcomes on a shared Redis store', () => {
  it('a conversation answered on one replica is resolved by the other replica\'s sweep, once', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outcomes-redis-'));
    const clock = new ManualClock();
    const env = { DATA_DIR: dir, STORE_URL: REDIS_URL, ENCRYPTION_KEY: 'cd'.repeat(32), BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', RESOLVED_AFTER_HOURS: '1' };
    const start = async (model: ScriptedModel) => {
      const app = await bootstrap({ env, model, clock, tools: [], logger: silentLogger(), storeNamespace: namespace, retryInitialDelayMs: 1, metrics: false });
      app.engine.attach(new RecordingChannel('test'));
      apps.push(app);
      return app;
    };
    const a = await start(new ScriptedModel('gpt-4o-mini', [answer('It shipped.')]));
    const b = await start(new ScriptedModel());
    const conversation = { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'redis-outcome' };
    await a.engine.handleMessage({ conversation, caller: users.alice, text: 'where is my order', messageId: 'm1' });
    await a.engine.feedback({ conversation, caller: users.alice, rating: 'up' });

    clock.advance(30 * 60_000);
    await b.engine.sweep();
    expect((await b.engine.outcomes()).today.conversations).toBe(0);
    clock.advance(31 * 60_000);
    await Promise.all([a.engine.sweep(), b.engine.sweep()]);
    const { today } = await a.engine.outcomes();
    expect(today).toMatchObject({ conversations: 1, resolvedByBot: 1, firstContactResolved: 1, automationRate: 1, csat: 1 });
  });
});
