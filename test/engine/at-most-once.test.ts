import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config';
import { createEngine } from '../../src/engine';
import { silentLogger } from '../../src/logger';
import type { Engine, ToolDefinition } from '../../src/ports';
import { createSealer } from '../../src/sessions/sealer';
import { SqliteStore } from '../../src/sessions/sqlite-store';
import { defineTool } from '../../src/tools/define-tool';
import { users } from '../support/engine-harness';
import { FlakyStore, journalOutcomeWrite, sessionWrite } from '../support/flaky-store';
import { ManualClock } from '../support/manual-clock';
import { MemoryAudit } from '../support/memory-audit';
import { RecordingChannel } from '../support/recording-channel';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

/** Past the sweeper's "stalled decision" threshold, so it finishes interrupted decisions. */
const STALLED = 31_000;

interface Rig {
  engine: Engine;
  store: FlakyStore;
  audit: MemoryAudit;
  channel: RecordingChannel;
  clock: ManualClock;
  model: ScriptedModel;
  close(): Promise<void>;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** The real engine over a real SQLite store wrapped so chosen writes fail once. */
async function startRig(tool: ToolDefinition, firstCall = callTools({ name: 'refund_order', args: { orderId: 'ORD-1', amountUsd: 29 } })): Promise<Rig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'at-most-once-'));
  const store = new FlakyStore(await SqliteStore.open({ path: path.join(dir, 'store.sqlite') }));
  const clock = new ManualClock();
  const audit = new MemoryAudit();
  const channel = new RecordingChannel('test');
  const model = new ScriptedModel('gpt-4o-mini', [firstCall]);
  model.fallback = (request) => answer(`Model saw: ${JSON.stringify(lastToolResult(request))}`);
  const engine = createEngine({
    config: loadConfig({ DATA_DIR: dir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent' }),
    store,
    sealer: createSealer(randomBytes(32)),
    model,
    tools: [tool],
    audit,
    logger: silentLogger(),
    clock,
    retryInitialDelayMs: 1,
    sharedStore: false,
  });
  engine.attach(channel);
  return {
    engine,
    store,
    audit,
    channel,
    clock,
    model,
    async close() {
      await engine.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A refund tool that counts real executions; `idempotent` as a TOOLS_DIR author would declare it. */
function refundTool(executions: string[], options: { idempotent?: boolean } = {}) {
  return defineTool({
    name: 'refund_order',
    description: 'Refund an order',
    input: z.object({ orderId: z.string(), amountUsd: z.number() }),
    permission: 'member',
    approval: 'staff',
    describe: ({ orderId, amountUsd }) => `Refund $${amountUsd.toFixed(2)} on order ${orderId}`,
    ...(options.idempotent ? { idempotent: true } : {}),
    async execute({ orderId, amountUsd }, ctx) {
      executions.push(ctx.idempotencyKey);
      return { refundId: `REF-${executions.length}`, orderId, amountUsd };
    },
  });
}

async function pausedRefund(r: Rig): Promise<string> {
  const turn = await r.engine.handleMessage({ conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' }, caller: users.alice, text: 'refund ORD-1 please', messageId: 'm1' });
  expect(turn.status).toBe('paused');
  return turn.pendingApprovals[0] as string;
}

describe('approved side effects across failures and recovery', () => {
  it('runs an approved refund once when the session save fails and the sweeper recovers the decision', async () => {
    const executions: string[] = [];
    rig = await startRig(refundTool(executions));
    const approvalId = await pausedRefund(rig);

    rig.store.failNextSet(sessionWrite);
    await expect(rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).rejects.toThrow(/injected store failure/);
    expect(executions).toEqual([approvalId]);

    rig.clock.advance(STALLED);
    await rig.engine.sweep();

    expect(rig.store.failed).toHaveLength(1);
    expect(executions).toEqual([approvalId]); // not refunded a second time
    // The model is fed exactly what the one execution returned.
    expect(lastToolResult(rig.model.requests.at(-1))).toEqual({ refundId: 'REF-1', orderId: 'ORD-1', amountUsd: 29 });
    expect(rig.channel.texts().at(-1)).toBe('Model saw: {"refundId":"REF-1","orderId":"ORD-1","amountUsd":29}');
    expect(rig.audit.of('tool_call').filter((e) => e.approval_id === approvalId)).toHaveLength(1);
    expect(rig.audit.of('tool_outcome_reused')).toMatchObject([{ approval_id: approvalId, success: true }]);
    expect((await rig.engine.status()).pendingApprovals).toBe(0);
  });

  it('does not re-run a non-idempotent tool interrupted mid-call: the thread and on-call are told, and it is audited', async () => {
    const executions: string[] = [];
    rig = await startRig(refundTool(executions));
    const approvalId = await pausedRefund(rig);

    // A crash right after the tool ran: neither its outcome nor the session reaches the store.
    rig.store.failNextSet(journalOutcomeWrite);
    rig.store.failNextSet(sessionWrite);
    await expect(rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).rejects.toThrow(/injected store failure/);
    expect(executions).toEqual([approvalId]);
    const callsBefore = rig.model.calls;

    rig.clock.advance(STALLED);
    await rig.engine.sweep();

    expect(executions).toEqual([approvalId]);
    const thread = rig.channel.texts().at(-1) ?? '';
    expect(thread).toMatch(/can't confirm whether the request to refund \$29\.00 on order ORD-1 happened; a teammate will verify/);
    expect(rig.channel.oncall).toHaveLength(1);
    expect(rig.channel.oncall[0]).toMatchObject({ trigger: 'tool_outcome_unknown', urgency: 'high' });
    expect(rig.channel.oncall[0]?.reason).toContain(`Refund $29.00 on order ORD-1 (tool refund_order, approval ${approvalId}`);
    expect(rig.audit.of('tool_outcome_unknown')).toMatchObject([{ approval_id: approvalId, tool_name: 'refund_order', success: false }]);
    // Humans have the thread now: the model is not asked to improvise an answer about it.
    expect(rig.model.calls).toBe(callsBefore);
    expect((await rig.engine.status()).pendingApprovals).toBe(0);
  });

  it('alerts on-call directly when humans already have the thread', async () => {
    const executions: string[] = [];
    const twoRefunds = callTools(
      { name: 'refund_order', args: { orderId: 'ORD-1', amountUsd: 29 } },
      { name: 'refund_order', args: { orderId: 'ORD-2', amountUsd: 15 } },
    );
    rig = await startRig(refundTool(executions), twoRefunds);
    const turn = await rig.engine.handleMessage({ conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' }, caller: users.alice, text: 'refund both', messageId: 'm1' });
    const [first, second] = turn.pendingApprovals as [string, string];
    for (const approvalId of [first, second]) {
      rig.store.failNextSet(journalOutcomeWrite);
      rig.store.failNextSet(sessionWrite);
      await expect(rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).rejects.toThrow(/injected store failure/);
    }
    expect(executions).toEqual([first, second]);

    rig.clock.advance(STALLED);
    await rig.engine.sweep();

    expect(executions).toEqual([first, second]);
    // The first unknown outcome hands the thread to humans; the second cannot escalate again, so it alerts.
    // The sweeper may recover them in either order.
    const approvalIn = (text: string | undefined) => /approval (apr_[\w-]+)/.exec(text ?? '')?.[1];
    expect(rig.channel.oncall).toHaveLength(1);
    expect(rig.channel.alerts).toMatchObject([{ kind: 'tool_outcome_unknown' }]);
    expect([approvalIn(rig.channel.oncall[0]?.reason), approvalIn(rig.channel.alerts[0]?.text)].sort()).toEqual([first, second].sort());
    expect(rig.channel.texts().filter((t) => /can't confirm whether/.test(t))).toHaveLength(2);
    expect(rig.audit.of('tool_outcome_unknown').map((e) => e.approval_id).sort()).toEqual([first, second].sort());
  });

  it('treats an approved, non-idempotent tool that timed out as unknown: run once, a person checks', async () => {
    const executions: string[] = [];
    const slowRefund = defineTool({
      ...refundTool(executions),
      timeoutMs: 30,
      async execute(_args, ctx) {
        executions.push(ctx.idempotencyKey);
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { refunded: true };
      },
    });
    rig = await startRig(slowRefund);
    const approvalId = await pausedRefund(rig);
    await rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });

    expect(executions).toEqual([approvalId]);
    expect(rig.channel.oncall).toMatchObject([{ trigger: 'tool_outcome_unknown' }]);
    expect(rig.channel.texts().at(-1)).toMatch(/can't confirm whether the request to refund \$29\.00 on order ORD-1 happened/);
    expect(rig.audit.of('tool_outcome_unknown')).toMatchObject([{ approval_id: approvalId }]);
  });

  it('re-runs an idempotent tool interrupted mid-call with the same idempotency key', async () => {
    const executions: string[] = [];
    rig = await startRig(refundTool(executions, { idempotent: true }));
    const approvalId = await pausedRefund(rig);

    rig.store.failNextSet(journalOutcomeWrite);
    rig.store.failNextSet(sessionWrite);
    await expect(rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).rejects.toThrow(/injected store failure/);

    rig.clock.advance(STALLED);
    await rig.engine.sweep();

    expect(executions).toEqual([approvalId, approvalId]);
    expect(rig.audit.of('tool_outcome_unknown')).toEqual([]);
    expect(rig.channel.oncall).toEqual([]);
    expect(rig.channel.texts().at(-1)).toBe('Model saw: {"refundId":"REF-2","orderId":"ORD-1","amountUsd":29}');
  });

  it('does not start a side effect it cannot journal', async () => {
    const executions: string[] = [];
    rig = await startRig(refundTool(executions));
    const approvalId = await pausedRefund(rig);
    rig.store.failNextSet((key) => key.startsWith('tool-exec:'));
    await rig.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });
    expect(executions).toEqual([]);
    expect(lastToolResult(rig.model.requests.at(-1))).toEqual({ error: expect.stringMatching(/nothing was done/) });
  });
});

describe('journal cost on the hot path', () => {
  const directTool = (flags: { readOnly?: boolean }, runs: string[]) =>
    defineTool({
      name: 'do_thing',
      description: 'A direct call',
      input: z.object({}),
      permission: 'member',
      approval: 'none',
      ...flags,
      async execute(_args, ctx) {
        runs.push(ctx.idempotencyKey);
        return { ok: true };
      },
    });

  for (const [label, flags, expected] of [
    ['read-only calls write nothing to the journal', { readOnly: true }, 0],
    ['side-effecting calls write it exactly twice (executing, done)', {}, 2],
  ] as const) {
    it(label, async () => {
      const runs: string[] = [];
      rig = await startRig(directTool(flags, runs), callTools({ name: 'do_thing' }));
      await rig.engine.handleMessage({ conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' }, caller: users.alice, text: 'do it', messageId: 'm1' });
      expect(runs).toHaveLength(1);
      expect(rig.store.writes.filter((key) => key.startsWith('tool-exec:'))).toHaveLength(expected);
    });
  }
});
