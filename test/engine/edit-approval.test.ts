import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

/** Staff approve refunds; above $100 only an admin may. */
function refundTool(log: number[]) {
  return defineTool({
    name: 'issue_refund',
    description: 'Refund an amount',
    input: z.object({ chargeId: z.string().regex(/^ch_\d+$/), amountUsd: z.number().positive().max(1_000) }),
    permission: 'member',
    approval: ({ amountUsd }) => (amountUsd > 100 ? 'admin' : 'staff'),
    describe: ({ chargeId, amountUsd }) => `Refund $${amountUsd.toFixed(2)} for charge ${chargeId}`,
    execute: async ({ amountUsd }) => {
      log.push(amountUsd);
      return { refunded: amountUsd };
    },
  });
}

async function pausedRefund() {
  const log: number[] = [];
  const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { chargeId: 'ch_3006', amountUsd: 29 } })]);
  model.fallback = (request) => answer(`Result: ${JSON.stringify(lastToolResult(request))}`);
  h = await EngineHarness.create({ model, tools: [refundTool(log)] });
  const turn = await h.send('refund the duplicate charge');
  return { log, model, approvalId: turn.pendingApprovals[0]! };
}

describe('edit and approve', () => {
  it('runs the edited arguments, tells the model what the approver changed, and audits both versions', async () => {
    const { log, approvalId } = await pausedRefund();
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana, args: { chargeId: 'ch_3006', amountUsd: 25 } });
    expect(outcome.ok).toBe(true);
    expect(log).toEqual([25]);
    const told = h.channel.texts().at(-1)!;
    expect(told).toContain('"refunded":25');
    expect(told).toContain('approver_changes');
    expect(told).toContain('amountUsd 29 → 25');
    expect(outcome.ok && outcome.view.action).toBe('Refund $25.00 for charge ch_3006');
    const edited = (await h.audit()).find((e) => e.event === 'approval_edited');
    expect(edited).toMatchObject({ user_id: users.dana.userId, original_args: { amountUsd: 29 }, tool_args: { amountUsd: 25 } });
  });

  it('checks the policy again: raising the amount over the threshold needs an admin, and nothing changes until one approves', async () => {
    const { log, approvalId } = await pausedRefund();
    const refused = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana, args: { chargeId: 'ch_3006', amountUsd: 150 } });
    expect(refused).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(!refused.ok && refused.message).toContain('needs an admin');
    expect(log).toEqual([]);
    expect(!refused.ok && refused.view?.status).toBe('pending');
    const approved = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.root, args: { chargeId: 'ch_3006', amountUsd: 150 } });
    expect(approved.ok).toBe(true);
    expect(log).toEqual([150]);
  });

  it('rejects invalid edits with the validation error and leaves the request open', async () => {
    const { log, approvalId } = await pausedRefund();
    const bad = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana, args: { chargeId: 'nonsense', amountUsd: -5 } });
    expect(bad).toMatchObject({ ok: false, reason: 'invalid_edit' });
    expect(!bad.ok && bad.message).toMatch(/chargeId.*amountUsd|amountUsd.*chargeId/s);
    expect(log).toEqual([]);
    // The original request still stands and can be approved as it was.
    expect((await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana })).ok).toBe(true);
    expect(log).toEqual([29]);
  });

  it('never lets the requester approve their own request by editing it', async () => {
    const { log, approvalId } = await pausedRefund();
    const own = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.alice, args: { chargeId: 'ch_3006', amountUsd: 5 } });
    expect(own).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(log).toEqual([]);
  });

  it('keeps the requested value of a field the approver left out (hidden, e.g. redacted on the card)', async () => {
    const { log, approvalId } = await pausedRefund();
    const outcome = await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana, args: { amountUsd: 20 } });
    expect(outcome.ok).toBe(true);
    expect(log).toEqual([20]);
    expect(outcome.ok && outcome.view.action).toBe('Refund $20.00 for charge ch_3006');
  });

  it('treats an edit that changes nothing as a plain approval', async () => {
    const { log, approvalId } = await pausedRefund();
    expect((await h.engine.decideApproval({ approvalId, decision: 'approve', decider: users.dana, args: { amountUsd: 29, chargeId: 'ch_3006' } })).ok).toBe(true);
    expect(log).toEqual([29]);
    expect((await h.audit()).some((e) => e.event === 'approval_edited')).toBe(false);
  });
});
