import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approvalRecordSchema } from '../../src/approvals/approval-record';
import { createSealer } from '../../src/sessions/sealer';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

let h: EngineHarness;
afterEach(async () => h?.close());

function refundTool(log: Array<{ amount: number; by: string; key: string }>) {
  return defineTool({
    name: 'issue_refund',
    description: 'Refund an amount',
    input: z.object({ amount: z.number().positive() }),
    permission: 'member',
    approval: ({ amount }) => (amount > 100 ? 'admin' : 'staff'),
    describe: ({ amount }) => `Refund $${amount.toFixed(2)}`,
    execute: async ({ amount }, ctx) => {
      log.push({ amount, by: ctx.caller.userId, key: ctx.idempotencyKey });
      return { refunded: amount };
    },
  });
}

const resetTool = (log: string[]) =>
  defineTool({
    name: 'reset_password',
    description: 'Send a reset link',
    input: z.object({}),
    permission: 'member',
    approval: 'requester',
    describe: () => 'Send a password reset link',
    execute: async (_input, ctx) => {
      log.push(ctx.caller.userId);
      return { sent: true };
    },
  });

async function pausedRefund(amount = 40) {
  const log: Array<{ amount: number; by: string; key: string }> = [];
  const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amount } })]);
  model.fallback = (request) => answer(`Model saw: ${JSON.stringify(lastToolResult(request))}`);
  h = await EngineHarness.create({ model, tools: [refundTool(log)] });
  const turn = await h.send('refund me please');
  const approvalId = turn.pendingApprovals[0] as string;
  return { log, model, turn, approvalId };
}

describe('approvals', () => {
  it('pauses the run, persists the request and asks the channel to render it', async () => {
    const { turn, log, approvalId } = await pausedRefund();
    expect(turn.status).toBe('paused');
    expect(log).toEqual([]);
    expect(h.channel.approvals).toHaveLength(1);
    expect(h.channel.approvals[0]).toMatchObject({
      id: approvalId,
      toolName: 'issue_refund',
      action: 'Refund $40.00',
      args: { amount: 40 },
      requester: { userId: users.alice.userId },
      requirement: 'staff',
      status: 'pending',
      expiresAt: h.clock.now() + 15 * 60_000,
    });
    expect((await h.engine.status()).pendingApprovals).toBe(1);
  });

  it('refuses self-approval and unauthorised deciders without changing anything, and audits it', async () => {
    const { log, approvalId } = await pausedRefund();
    const self = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.alice });
    expect(self).toMatchObject({ ok: false, reason: 'not_allowed' });
    const member = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.bob });
    expect(member).toMatchObject({ ok: false, reason: 'not_allowed' });
    const staffRequester = { ...users.alice, role: 'staff' as const }; // even a staff requester cannot approve their own
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: staffRequester })).toMatchObject({ ok: false });
    expect(log).toEqual([]);
    expect(h.channel.approvalUpdates).toEqual([]);
    const refused = (await h.audit()).filter((r) => r.event === 'approval_decision_refused');
    expect(refused.map((r) => r.user_id)).toEqual([users.alice.userId, users.bob.userId, users.alice.userId]);
    // Still decidable by someone allowed.
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).toMatchObject({ ok: true });
    expect(log).toHaveLength(1);
  });

  it('executes exactly once under double clicks and racing approvers, with frozen arguments', async () => {
    const { log, approvalId } = await pausedRefund(40);
    const decisions = await Promise.all([
      h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana }),
      h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana }),
      h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.sam }),
      h.engine.decideApproval({ approvalId, decision: 'deny', decider: users.root }),
      h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.root }),
    ]);
    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    expect(decisions.filter((d) => !d.ok).every((d) => !d.ok && d.reason === 'already_decided')).toBe(true);
    const winner = decisions.find((d) => d.ok);
    if (winner?.ok && winner.view.status === 'approved') {
      expect(log).toEqual([{ amount: 40, by: users.alice.userId, key: approvalId }]);
    } else {
      expect(log).toEqual([]);
    }
    // A replayed click later changes nothing either.
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.sam })).toMatchObject({ ok: false, reason: 'already_decided' });
    expect(log.length).toBeLessThanOrEqual(1);
    expect(h.channel.approvalUpdates).toHaveLength(1);
  });

  it('resumes after approval: the tool runs as the requester and the final answer is posted', async () => {
    const { log, approvalId, model } = await pausedRefund(40);
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });
    expect(outcome.ok && outcome.view).toMatchObject({ status: 'approved', decidedBy: { userId: users.dana.userId } });
    expect(log).toEqual([{ amount: 40, by: users.alice.userId, key: approvalId }]);
    expect(lastToolResult(model.requests.at(-1))).toEqual({ refunded: 40 });
    expect(outcome.ok && outcome.result?.reply).toBe('Model saw: {"refunded":40}');
    expect(h.channel.texts().at(-1)).toBe('Model saw: {"refunded":40}');
    expect(h.channel.approvalUpdates[0]?.view.status).toBe('approved');
    expect((await h.engine.status()).pendingApprovals).toBe(0);
  });

  it('needs an admin above the threshold (policy depends on the arguments)', async () => {
    const { log, approvalId } = await pausedRefund(500);
    expect(h.channel.approvals[0]?.requirement).toBe('admin');
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.root })).toMatchObject({ ok: true });
    expect(log).toHaveLength(1);
  });

  it('tells the model who declined', async () => {
    const { log, approvalId, model } = await pausedRefund(40);
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'deny', decider: users.dana });
    expect(outcome).toMatchObject({ ok: true, view: { status: 'denied', decidedBy: { userId: users.dana.userId } } });
    expect(log).toEqual([]);
    expect(lastToolResult(model.requests.at(-1))).toEqual({ denied: 'Dana (staff) declined this request; the action was not taken.' });
    expect(h.channel.texts().at(-1)).toMatch(/Model saw: .*declined/);
  });

  it('lets the requester withdraw their own request, and says so', async () => {
    const { log, approvalId, model } = await pausedRefund(40);
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'deny', decider: users.alice });
    expect(outcome).toMatchObject({ ok: true, view: { status: 'denied' } });
    expect(log).toEqual([]);
    expect(lastToolResult(model.requests.at(-1))).toEqual({ cancelled: expect.stringMatching(/withdrawn by the requester/) });
  });

  it('lets only the requester confirm a requester-confirmation tool', async () => {
    const log: string[] = [];
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'reset_password' }), answer('Link sent.')]);
    h = await EngineHarness.create({ model, tools: [resetTool(log)] });
    const turn = await h.send('reset my password');
    const approvalId = turn.pendingApprovals[0] as string;
    expect(h.channel.approvals[0]?.decidersText).toMatch(/Alice \(the requester\) confirms/);
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.root })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.alice })).toMatchObject({ ok: true });
    expect(log).toEqual([users.alice.userId]);
  });

  it('auto-denies an expired request, updates the card and tells the conversation', async () => {
    const { log, approvalId, model } = await pausedRefund(40);
    h.clock.advance(15 * 60_000 + 1);
    await h.engine.sweep();
    expect(log).toEqual([]);
    expect(h.channel.approvalUpdates.map((u) => u.view.status)).toEqual(['expired']);
    expect(lastToolResult(model.requests.at(-1))).toEqual({ expired: expect.stringMatching(/expired after 15 minutes/) });
    expect(h.channel.texts().some((t) => /expired without a decision/.test(t))).toBe(true);
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).toMatchObject({ ok: false, reason: 'expired' });
    expect(log).toEqual([]);
    const events = (await h.audit()).map((r) => r.event);
    expect(events).toContain('approval_expired');
  });

  it('treats a click after the deadline as expiry even before the sweeper runs', async () => {
    const { log, approvalId } = await pausedRefund(40);
    h.clock.advance(16 * 60_000);
    expect(await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).toMatchObject({ ok: false, reason: 'expired' });
    expect(log).toEqual([]);
  });

  it('survives a restart: the pending approval and paused run resume in a new process', async () => {
    const log: Array<{ amount: number; by: string; key: string }> = [];
    const tools = [refundTool(log)];
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amount: 25 } })]);
    h = await EngineHarness.create({ model, tools });
    const approvalId = (await h.send('refund 25')).pendingApprovals[0] as string;
    const model2 = new ScriptedModel('gpt-4o-mini', [(req) => answer(`after restart: ${JSON.stringify(lastToolResult(req))}`)]);
    h = await h.restart({ model: model2, tools });
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });
    expect(outcome.ok).toBe(true);
    expect(log).toEqual([{ amount: 25, by: users.alice.userId, key: approvalId }]);
    expect(h.channel.texts().at(-1)).toBe('after restart: {"refunded":25}');
  });

  it('reads a stored approval back after a restart (edit forms on any replica), redacted, and decided ones as decided', async () => {
    const log: Array<{ amount: number; by: string; key: string }> = [];
    const tools = [refundTool(log)];
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amount: 25 } }), answer('ok')]);
    h = await EngineHarness.create({ model, tools });
    const approvalId = (await h.send('refund 25')).pendingApprovals[0] as string;
    h = await h.restart({ model, tools });
    expect(await h.engine.approval(approvalId)).toMatchObject({ id: approvalId, status: 'pending', toolName: 'issue_refund', args: { amount: 25 } });
    expect(await h.engine.approval('apr_unknown')).toBeUndefined();
    await h.engine.decideApproval({ approvalId, decision: 'deny', decider: users.dana });
    expect(await h.engine.approval(approvalId)).toMatchObject({ status: 'denied' });
  });

  it('refuses to execute when the stored arguments no longer match their fingerprint', async () => {
    const { log, approvalId } = await pausedRefund(40);
    // Tamper with the persisted request as an attacker with the key could: change the amount only.
    const key = await readFile(path.join(h.dataDir, 'encryption.key'), 'utf8');
    const sealer = createSealer(Buffer.from(key, 'hex'));
    const stored = await h.app.store.get<{ sealed: string }>(`approval:${approvalId}`);
    const record = approvalRecordSchema.parse(sealer.open(stored?.sealed ?? '', `approval:${approvalId}`));
    record.args = { amount: 4000 };
    await h.app.store.set(`approval:${approvalId}`, { sealed: sealer.seal(record, `approval:${approvalId}`) });
    await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });
    expect(log).toEqual([]);
    expect((await h.audit()).some((r) => r.event === 'approval_integrity_failed')).toBe(true);
  });

  it('holds messages sent while paused and feeds them to the model on resume', async () => {
    const { approvalId, model } = await pausedRefund(40);
    const waiting = await h.send('any news?');
    expect(waiting.status).toBe('paused');
    expect(waiting.reply).toMatch(/still waiting for a decision/);
    await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana });
    const last = model.requests.at(-1)?.messages.at(-1);
    expect(last).toEqual({ role: 'user', content: 'any news?' });
  });
});

describe('racing deciders', () => {
  it('tells every losing clicker what was decided and by whom', async () => {
    const { approvalId } = await pausedRefund(40);
    const outcomes = await Promise.all([users.dana, users.sam, users.root, users.dana].map((decider) => h.engine.decideApproval({ approvalId, decision: 'approve', decider })));
    const losers = outcomes.filter((o) => !o.ok);
    expect(losers).toHaveLength(3);
    for (const loser of losers) expect(!loser.ok && loser.message).toMatch(/^This request was already approved by (Dana|Sam|Root)/);
  });
});
