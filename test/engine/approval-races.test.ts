import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalRecordSchema, type ApprovalRecord } from '../../src/approvals/approval-record';
import type { DecisionOutcome } from '../../src/ports';
import { createSealer } from '../../src/sessions/sealer';
import { staffRefundTool } from '../support/refund-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const refund = staffRefundTool();

/** The approval record as stored, opened with the harness's key. */
async function storedApproval(id: string): Promise<ApprovalRecord | undefined> {
  const key = await readFile(path.join(h.dataDir, 'encryption.key'), 'utf8');
  const envelope = await h.app.store.get<{ sealed: string }>(`approval:${id}`);
  if (!envelope) return undefined;
  return approvalRecordSchema.parse(createSealer(Buffer.from(key, 'hex')).open(envelope.sealed, `approval:${id}`));
}

describe('approval records change by compare-and-set', () => {
  it('a decision recorded while the approval card is being posted is not undone by saving the card reference', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amount: 40 } })]);
    model.fallback = () => answer('ok');
    h = await EngineHarness.create({ model, tools: [refund] });
    let decision: Promise<DecisionOutcome> | undefined;
    const post = h.channel.postApproval.bind(h.channel);
    h.channel.postApproval = async (view) => {
      const ref = await post(view);
      // A staff member clicks "deny" before the platform call has even returned.
      decision = h.engine.decideApproval({ approvalId: view.id, decision: 'deny', decider: users.dana });
      for (let i = 0; i < 200 && (await storedApproval(view.id))?.status !== 'denied'; i++) await new Promise((r) => setTimeout(r, 5));
      return ref;
    };
    const turn = await h.send('refund me please');
    const approvalId = turn.pendingApprovals[0] as string;
    expect(await decision).toMatchObject({ ok: true });
    const stored = await storedApproval(approvalId);
    expect(stored).toMatchObject({ status: 'denied', decidedBy: { userId: users.dana.userId }, message: { messageId: `approval-${approvalId}` } });
    // The card shows the decision: the decider knew where the card is even though it read the record before the ref was saved.
    expect(h.channel.approvalUpdates.map((u) => [u.ref.messageId, u.view.status])).toEqual([[`approval-${approvalId}`, 'denied']]);
    expect((await h.engine.status()).pendingApprovals).toBe(0);
  });
});
