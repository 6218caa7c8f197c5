import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRef } from '../../src/ports';
import type { SimMessage } from '../simulators/slack/state';
import { IDS, type SlackHarness, blockText, startSlackHarness } from './harness';

let h: SlackHarness;

afterEach(async () => {
  await h.close();
});

/** A conversation the bot answered once, so it is active. */
async function activeThread(): Promise<{ root: SimMessage; conversation: ConversationRef }> {
  const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> I was charged twice`);
  await h.delivery.event(h.payloads.appMention(root));
  await h.settle();
  return { root, conversation: h.engine.received[0]!.conversation };
}

const oncallNotice = () => h.sim.workspace.botMessagesIn(IDS.oncall)[0]!;
const actionIds = (m: SimMessage) =>
  (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).map((e) => e.action_id);

async function click(user: string, message: SimMessage, actionId: string) {
  const current = h.sim.workspace.findMessage(message.channel, message.ts)!;
  expect((await h.delivery.interaction(h.payloads.blockAction({ user, message: current, actionId, responseUrl: h.sim.responseUrl() }))).status).toBe(200);
  await h.settle();
}

describe('escalation notice', () => {
  beforeEach(async () => {
    h = await startSlackHarness();
  });

  it('posts summary, customer, urgency, a permalink to the thread and a Claim button to the on-call channel', async () => {
    const { root, conversation } = await activeThread();
    await h.engine.escalate(conversation, { id: 'esc_1', customer: { userId: IDS.member, displayName: 'member', role: 'member' } });
    const notice = oncallNotice();
    const text = blockText(notice.blocks);
    expect(text).toContain('*double charged*'); // Markdown bold became mrkdwn bold
    expect(text).toContain(`<@${IDS.member}>`);
    expect(text).toMatch(/high/);
    expect(text).toContain(h.sim.permalink(root));
    expect(h.sim.callsTo('chat.getPermalink')[0]!.args).toMatchObject({ channel: IDS.support, message_ts: root.ts });
    expect(actionIds(notice)).toEqual(['escalation_claim', 'escalation_handback']);
  });

  it('uses the permalink the engine already has', async () => {
    const { conversation } = await activeThread();
    await h.engine.escalate(conversation, { id: 'esc_2', permalink: 'https://acme.slack.com/archives/C0SUPPORT/p1' });
    expect(blockText(oncallNotice().blocks)).toContain('https://acme.slack.com/archives/C0SUPPORT/p1');
    expect(h.sim.callsTo('chat.getPermalink')).toHaveLength(0);
  });

  it('refuses a claim by a non-staff user privately and changes nothing', async () => {
    const { conversation } = await activeThread();
    await h.engine.escalate(conversation, { id: 'esc_3' });
    await click(IDS.member2, oncallNotice(), 'escalation_claim');
    expect(h.engine.claims[0]!.caller.role).toBe('member');
    expect(h.sim.workspace.ephemerals.map((e) => [e.user, e.text])).toEqual([[IDS.member2, 'Only staff can claim escalations.']]);
    expect(oncallNotice().updates).toBe(0);
  });

  it('claims, keeps the bot silent in the thread, and hands back from the button', async () => {
    const { root, conversation } = await activeThread();
    await h.engine.escalate(conversation, { id: 'esc_4' });
    await click(IDS.staff, oncallNotice(), 'escalation_claim');

    expect(blockText(oncallNotice().blocks)).toContain(`Claimed by <@${IDS.staff}>`);
    expect(actionIds(oncallNotice())).toEqual(['escalation_handback']);
    const threadMessages = () => h.sim.workspace.botMessagesIn(IDS.support, root.ts);
    expect(blockText(threadMessages().at(-1)!.blocks)).toContain('taking over');

    // While handed off, follow-ups reach the engine but the bot says nothing.
    const before = threadMessages().length;
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'hello? anyone?', root.ts);
    await h.delivery.event(h.payloads.message(followUp));
    await h.settle();
    expect(h.engine.received.at(-1)!.text).toBe('hello? anyone?');
    expect(threadMessages()).toHaveLength(before);

    await click(IDS.staff, oncallNotice(), 'escalation_handback');
    expect(h.engine.handbacks[0]!.conversation).toEqual(conversation);
    expect(h.sim.workspace.ephemerals.at(-1)).toMatchObject({ user: IDS.staff, text: 'Handed back to the bot.' });
    expect(actionIds(oncallNotice())).toEqual([]);
    expect(blockText(oncallNotice().blocks)).toMatch(/Closed/);

    const again = h.sim.workspace.userPost(IDS.support, IDS.member, 'thanks, one more question', root.ts);
    await h.delivery.event(h.payloads.message(again));
    await h.settle();
    expect(blockText(threadMessages().at(-1)!.blocks)).toContain('You said: thanks, one more question');
  });

  it('posts budget alerts to the on-call channel', async () => {
    await h.engine.channel!.alertOncall!({ kind: 'budget', text: 'Monthly spend reached **80%** of $200.00' });
    const alert = oncallNotice();
    expect(alert.text).toContain('Budget alert');
    expect(blockText(alert.blocks)).toContain('*80%*');
  });
});
