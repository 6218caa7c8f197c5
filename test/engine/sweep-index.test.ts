import { afterEach, describe, expect, it } from 'vitest';
import { staffRefundTool } from '../support/refund-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const MINUTE = 60_000;

async function pausedRefund(log: number[]): Promise<string> {
  const refund = staffRefundTool(log);
  const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'issue_refund', args: { amount: 30 } })]);
  model.fallback = () => answer('done');
  h = await EngineHarness.create({ model, tools: [refund], env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
  return (await h.send('refund me')).pendingApprovals[0] as string;
}

describe('sweeps and /status read the due-time indexes', () => {
  it('never scan the keyspace once running', async () => {
    await pausedRefund([]);
    await h.send('I need a human', { conversation: h.conversation('T2') });
    await h.engine.sweep(); // the first sweep moves pre-index markers over, once
    const store = h.app.store;
    const scan = store.scan.bind(store);
    let scans = 0;
    store.scan = <T>(prefix: string) => {
      scans += 1;
      return scan<T>(prefix);
    };
    h.clock.advance(11 * MINUTE);
    await h.engine.sweep();
    const status = await h.engine.status();
    expect(status).toMatchObject({ pendingApprovals: 1, openEscalations: 1 });
    expect(h.channel.oncall).toHaveLength(2); // the reminder went out
    expect(scans).toBe(0);
  });

  it('finishes a decision whose process died after claiming it, 30 s after the claim', async () => {
    const log: number[] = [];
    const approvalId = await pausedRefund(log);
    // What a process that crashed right after winning the claim leaves behind.
    const claimedAt = h.clock.now();
    await h.app.store.setIfAbsent(`approval-decision:${approvalId}`, { decision: 'approved', by: users.dana, at: claimedAt });
    await h.app.store.schedule('approvals', approvalId, claimedAt + 30_000);
    h.clock.advance(10_000);
    await h.engine.sweep();
    expect(log).toEqual([]);
    h.clock.advance(21_000);
    await h.engine.sweep();
    expect(log).toEqual([30]);
    expect((await h.engine.status()).pendingApprovals).toBe(0);
    h.clock.advance(20 * MINUTE);
    await h.engine.sweep();
    expect(log).toEqual([30]);
  });

  it('picks up approvals and escalations an older release recorded as marker keys', async () => {
    const log: number[] = [];
    const approvalId = await pausedRefund(log);
    const { escalationId } = await h.send('I need a human', { conversation: h.conversation('T2') });
    const store = h.app.store;
    // Rewind to how the previous release recorded open work: marker keys, no index entries.
    await store.unschedule('approvals', approvalId);
    await store.unschedule('escalation-reminders', escalationId as string);
    await store.unschedule('escalations-active', escalationId as string);
    await store.set(`approvals:open:${approvalId}`, { id: approvalId, sessionId: 'test:W1:C1:T1', expiresAt: h.clock.now() + 15 * MINUTE });
    await store.set(`escalations:active:${escalationId}`, { id: escalationId, nextNotifyAt: h.clock.now() + 10 * MINUTE, claimed: false });
    h = await h.restart();
    await h.engine.sweep();
    expect(await h.engine.status()).toMatchObject({ pendingApprovals: 1, openEscalations: 1 });
    expect(await h.app.store.get(`approvals:open:${approvalId}`)).toBeUndefined();
    h.clock.advance(16 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.approvalUpdates.map((u) => u.view.status)).toEqual(['expired']);
    expect(h.channel.oncall.map((v) => v.id)).toEqual([escalationId]);
  });
});
