import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalView, ConversationRef } from '../../src/ports';
import type { SimMessage } from '../simulators/slack/state';
import { IDS, type SlackHarness, blockText, startSlackHarness } from './harness';

let h: SlackHarness;
let thread: SimMessage;
let conversation: ConversationRef;

beforeEach(async () => {
  h = await startSlackHarness();
  thread = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> refund my order`);
  conversation = { platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.support, threadId: thread.ts };
});
afterEach(async () => {
  await h.close();
});

async function requestApproval(view: Partial<ApprovalView> = {}) {
  await h.engine.requestApproval(conversation, { id: 'apr_1042', requester: { userId: IDS.member, displayName: 'member' }, ...view });
  return h.sim.workspace.botMessagesIn(IDS.support, thread.ts).find((m) => blockText(m.blocks).includes('Approval needed'))!;
}

async function click(user: string, card: SimMessage, actionId: string) {
  const current = h.sim.workspace.findMessage(card.channel, card.ts)!;
  const res = await h.delivery.interaction(h.payloads.blockAction({ user, message: current, actionId, responseUrl: h.sim.responseUrl() }));
  expect(res.status).toBe(200);
  return res;
}

const buttons = (m: SimMessage) =>
  (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

describe('approval card', () => {
  it('says what will happen, with what, who asked, who decides and when it expires, with Approve/Deny', async () => {
    const expiresAt = Date.UTC(2030, 0, 2, 15, 30);
    const card = await requestApproval({ expiresAt });
    expect(card.thread_ts).toBe(thread.ts);
    const text = blockText(card.blocks);
    expect(text).toContain('Refund $120.00 on order #1042 to the original card');
    expect(text).toContain('"orderId": "1042"');
    expect(text).toContain(`<@${IDS.member}>`);
    expect(text).toContain('staff or admins');
    expect(text).toContain(`<!date^${Math.floor(expiresAt / 1000)}^`);
    expect(buttons(card).map((b) => [b.action_id, b.value])).toEqual([
      ['approval_approve', 'apr_1042'],
      ['approval_edit', 'apr_1042'],
      ['approval_deny', 'apr_1042'],
    ]);
  });
});

describe('clicking', () => {
  it('tells an unauthorized clicker privately and changes nothing', async () => {
    const card = await requestApproval();
    await click(IDS.member2, card, 'approval_approve');
    await h.settle();

    expect(h.engine.decisions).toHaveLength(1);
    expect(h.engine.decisions[0]!.decider).toMatchObject({ userId: IDS.member2, role: 'member' });
    const ephemeral = h.sim.workspace.ephemerals;
    expect(ephemeral).toHaveLength(1);
    expect(ephemeral[0]).toMatchObject({ user: IDS.member2, channel: IDS.support, thread_ts: thread.ts, via: 'chat.postEphemeral' });
    expect(ephemeral[0]!.text).toContain('Only staff or admins can decide this.');
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(after.updates).toBe(0);
    expect(buttons(after)).toHaveLength(3);
    expect(h.engine.executed).toEqual([]);
  });

  it('lets an authorized approver decide: card updated in place, buttons gone, result in the thread', async () => {
    const card = await requestApproval();
    await click(IDS.staff, card, 'approval_approve');
    await h.settle();

    expect(h.engine.decisions[0]!.decider).toMatchObject({ userId: IDS.staff, role: 'staff', roleSource: 'slack:staff_usergroup' });
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(after.updates).toBe(1);
    expect(buttons(after)).toEqual([]);
    expect(blockText(after.blocks)).toContain(`Approved by <@${IDS.staff}>`);
    expect(h.engine.executed).toEqual(['apr_1042']);
    expect(blockText(h.sim.workspace.botMessagesIn(IDS.support, thread.ts).at(-1)!.blocks)).toContain('Done: Refund $120.00 on order #1042 to the original card');
    expect(h.sim.workspace.ephemerals).toEqual([]);
  });

  it('records a denial as such', async () => {
    const card = await requestApproval();
    await click(IDS.admin, card, 'approval_deny');
    await h.settle();
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(blockText(after.blocks)).toContain(`Denied by <@${IDS.admin}>`);
    expect(h.engine.executed).toEqual([]);
  });

  it('executes once on double clicks and racing approvers; the losers are told privately', async () => {
    const card = await requestApproval();
    const payloadFor = (user: string) =>
      h.payloads.blockAction({ user, message: h.sim.workspace.findMessage(card.channel, card.ts)!, actionId: 'approval_approve', responseUrl: h.sim.responseUrl() });
    const clicks = [payloadFor(IDS.staff), payloadFor(IDS.staff), payloadFor(IDS.admin)];
    const results = await Promise.all(clicks.map((p) => h.delivery.interaction(p)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.settle();
    expect(h.engine.decisions).toHaveLength(3);
    expect(h.engine.executed).toEqual(['apr_1042']);
    expect(h.sim.workspace.ephemerals.map((e) => e.text)).toEqual([expect.stringContaining('Already approved'), expect.stringContaining('Already approved')]);
    expect(h.sim.workspace.findMessage(card.channel, card.ts)!.updates).toBe(1);
  });

  it('falls back to response_url when chat.postEphemeral fails', async () => {
    const card = await requestApproval();
    h.sim.failNext('chat.postEphemeral', { error: 'user_not_in_channel' });
    await click(IDS.guest, card, 'approval_approve');
    await h.settle();
    expect(h.sim.responses).toHaveLength(1);
    expect(h.sim.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(h.sim.responses[0]!.body.text)).toContain('Only staff or admins');
  });
});

describe('expiry', () => {
  it('re-renders the card as expired, without buttons, when the engine says so', async () => {
    const card = await requestApproval();
    const entry = h.engine.approvals.get('apr_1042')!;
    await h.engine.channel!.updateApproval(entry.ref!, { ...entry.view, status: 'expired' });
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(buttons(after)).toEqual([]);
    expect(blockText(after.blocks)).toMatch(/Expired/);
  });
});
