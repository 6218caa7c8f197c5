import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bootstrap, type App } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { openReadModel } from '../../src/ops/open-read-model';
import { defineTool } from '../../src/tools/define-tool';
import { users } from '../support/engine-harness';
import { ManualClock } from '../support/manual-clock';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const namespace = `t_ops_${process.pid}_${Date.now().toString(36)}`;
const KEY = 'ab'.repeat(32);
let app: App | undefined;
let dir: string | undefined;

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  for await (const keys of admin.scanIterator({ MATCH: `${namespace}::*`, COUNT: 1000 })) if (keys.length > 0) await admin.unlink(keys);
  await admin.close();
});

describe('ops read model over Redis', () => {
  it('reads what a bot on a shared Redis store wrote, with the same key, in a separate connection', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ops-redis-'));
    const clock = new ManualClock();
    const env = { DATA_DIR: dir, STORE_URL: REDIS_URL, ENCRYPTION_KEY: KEY, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent' };
    const refund = defineTool({
      name: 'issue_refund',
      description: 'Refund',
      input: z.object({ amountUsd: z.number() }),
      permission: 'member',
      approval: 'staff',
      describe: ({ amountUsd }) => `Refund $${amountUsd.toFixed(2)}`,
      execute: async () => ({ ok: true }),
    });
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amountUsd: 30 } }), answer('Hello!')]);
    app = await bootstrap({ env, model, clock, tools: [refund], logger: silentLogger(), storeNamespace: namespace, retryInitialDelayMs: 1 });
    app.engine.attach({ platform: 'test', postMessage: async () => undefined, postApproval: async () => undefined, updateApproval: async () => undefined, notifyOncall: async () => undefined });
    const conversation = { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'redis-1' };
    const paused = await app.engine.handleMessage({ conversation, caller: users.bob, text: 'refund please', messageId: 'm1' });
    await app.engine.handleMessage({ conversation: { ...conversation, threadId: 'redis-2' }, caller: users.alice, text: 'hi', messageId: 'm2' });
    await app.audit.flush();

    const { readModel, close } = await openReadModel(loadConfig(env), { now: () => clock.now(), storeNamespace: namespace });
    try {
      const { pending } = await readModel.approvals();
      expect(pending.map((r) => [r.id, r.action, r.requester.userId])).toEqual([[paused.pendingApprovals[0], 'Refund $30.00', 'U_BOB']]);
      const conversations = await readModel.conversations();
      expect(conversations.map((c) => [c.sessionId, c.outcome]).sort()).toEqual([
        ['test:W1:C1:redis-1', 'waiting_approval'],
        ['test:W1:C1:redis-2', 'answered'],
      ]);
      expect((await readModel.transcript('test:W1:C1:redis-2'))?.entries.map((e) => e.text)).toEqual(['hi', 'Hello!']);
    } finally {
      await close();
    }
  });
});
