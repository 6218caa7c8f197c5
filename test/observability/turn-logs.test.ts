import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/bootstrap';
import { createLogger } from '../../src/logger';
import { defineTool } from '../../src/tools/define-tool';
import { z } from 'zod';
import { RecordingChannel } from '../support/recording-channel';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

const dirs: string[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The real engine logging through the real logger into a file. */
const refund = defineTool({
  name: 'refund',
  description: 'Refund.',
  input: z.object({ amountUsd: z.number() }),
  permission: 'member',
  approval: 'staff',
  execute: async ({ amountUsd }) => ({ refunded: amountUsd }),
});

async function engineLoggingTo(format: 'json' | 'pretty'): Promise<{ app: App; logFile: string; model: ScriptedModel; channel: RecordingChannel }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'turn-logs-'));
  dirs.push(dir);
  const logFile = path.join(dir, 'app.log');
  const model = new ScriptedModel();
  const app = await bootstrap({ env: { DATA_DIR: dir, BUILTIN_TOOLS: 'none' }, model, tools: [refund], logger: createLogger({ level: 'info', destination: logFile, format }) });
  apps.push(app);
  const channel = new RecordingChannel('test');
  // An adapter's lookup logs with its own child logger, after the message waited in its queue.
  channel.identify = async (sender) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    app.logger.child({ platform: 'test' }).info({ lookup: 'roles', token: 'xoxb-very-secret' }, 'sender looked up');
    return { userId: sender.userId, platform: 'test', displayName: 'Alice', role: 'member' };
  };
  app.engine.attach(channel);
  return { app, logFile, model, channel };
}

async function readWhen(file: string, ready: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (ready(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`log never became ready: ${await readFile(file, 'utf8').catch(() => '')}`);
}

const message = (thread: string, id: string) => ({
  conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: thread },
  caller: { userId: 'U_ALICE', platform: 'test' },
  text: 'Hello',
  messageId: id,
});

describe('turn logs', () => {
  it('every line of a turn carries its turn id and session id; one info line per turn says how it went', async () => {
    const { app, logFile, model } = await engineLoggingTo('json');
    model.push(answer('Hi one'), answer('Hi two'));
    // Two turns at once on two threads: each line must name its own turn.
    const [one, two] = await Promise.all([app.engine.handleMessage(message('T1', 'm1')), app.engine.handleMessage(message('T2', 'm2'))]);
    const text = await readWhen(logFile, (t) => (t.match(/turn completed/g) ?? []).length === 2);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const lookups = lines.filter((l) => l.msg === 'sender looked up');
    const done = lines.filter((l) => l.msg === 'turn completed');
    expect(lookups).toHaveLength(2);
    expect(done).toHaveLength(2);
    for (const result of [one, two]) {
      const lookup = lookups.find((l) => l.sessionId === result?.sessionId);
      const summary = done.find((l) => l.sessionId === result?.sessionId);
      expect(lookup?.turnId).toMatch(/^turn_/);
      expect(summary).toMatchObject({ level: 30, turnId: lookup?.turnId, outcome: 'answered', steps: 1, platform: 'test' });
      expect(summary).toHaveProperty('costUsd');
      expect(summary).toHaveProperty('latencyMs');
    }
    expect(new Set(done.map((l) => l.turnId)).size).toBe(2);
    expect(text).not.toContain('xoxb-very-secret');
  });

  it('the run an approval resumes logs under the session it belongs to', async () => {
    const { app, logFile, model, channel } = await engineLoggingTo('json');
    // The adapter logs while it re-renders the decided card.
    const update = channel.updateApproval.bind(channel);
    channel.updateApproval = async (ref, view) => {
      app.logger.info({ approval: view.id }, 'approval card updated');
      return update(ref, view);
    };
    model.push(callTools({ name: 'refund', args: { amountUsd: 5 } }));
    const paused = await app.engine.handleMessage(message('T1', 'm1'));
    expect(paused.status).toBe('paused');
    model.push(answer('Refunded.'));
    const decider = { userId: 'U_DANA', platform: 'test', displayName: 'Dana', role: 'staff' as const };
    expect(await app.engine.decideApproval({ approvalId: paused.pendingApprovals[0] as string, decision: 'approve', decider })).toMatchObject({ ok: true });
    const text = await readWhen(logFile, (t) => (t.match(/turn completed/g) ?? []).length === 2);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.filter((l) => l.msg === 'turn completed');
    const card = lines.find((l) => l.msg === 'approval card updated');
    expect(card).toMatchObject({ sessionId: paused.sessionId, turnId: done[1]?.turnId });
    expect(done.map((l) => [l.outcome, l.sessionId])).toEqual([
      ['awaiting_approval', paused.sessionId],
      ['answered', paused.sessionId],
    ]);
    expect(done[0]?.turnId).not.toBe(done[1]?.turnId);
  });

  it('LOG_FORMAT=pretty writes readable lines, still with turn ids and secrets masked', async () => {
    const { app, logFile, model } = await engineLoggingTo('pretty');
    model.push(answer('Hi'));
    await app.engine.handleMessage(message('T1', 'm1'));
    const text = await readWhen(logFile, (t) => t.includes('turn completed'));
    // One line per entry: time, level, message, then the fields.
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: turn completed \{"turnId":"turn_[^\n]*"outcome":"answered"[^\n]*\}$/m);
    expect(() => JSON.parse(text.split('\n')[0] ?? '')).toThrow();
    expect(text).not.toContain('xoxb-very-secret');
  });
});
