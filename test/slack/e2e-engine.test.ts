import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimMessage } from '../simulators/slack/state';
import { type EngineSlackHarness, startEngineSlackHarness } from './e2e-harness';
import { IDS, blockText } from './harness';

/** Through the real engine (bootstrap: SQLite store, sealed sessions, audit) and the Slack simulator. */
let h: EngineSlackHarness;

beforeEach(async () => {
  h = await startEngineSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const inThread = (root: SimMessage) => h.sim.workspace.botMessagesIn(IDS.support, root.ts);
const textOf = (m: SimMessage) => `${m.text}\n${blockText(m.blocks)}`;
const buttons = (m: SimMessage) =>
  ((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string }> }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).map((e) => e.action_id);

async function mention(text: string, user: string = IDS.member): Promise<SimMessage> {
  const root = h.sim.workspace.userPost(IDS.support, user, `<@${h.sim.botUserId}> ${text}`);
  expect((await h.delivery.event(h.payloads.appMention(root))).status).toBe(200);
  await h.settle();
  return root;
}

async function reply(root: SimMessage, text: string, user: string = IDS.member): Promise<void> {
  const m = h.sim.workspace.userPost(IDS.support, user, text, root.ts);
  expect((await h.delivery.event(h.payloads.message(m))).status).toBe(200);
  await h.settle();
}

function clickPayload(user: string, message: SimMessage, actionId: string) {
  const current = h.sim.workspace.findMessage(message.channel, message.ts)!;
  return h.payloads.blockAction({ user, message: current, actionId, responseUrl: h.sim.responseUrl() });
}

async function click(user: string, message: SimMessage, actionId: string): Promise<void> {
  expect((await h.delivery.interaction(clickPayload(user, message, actionId))).status).toBe(200);
  await h.settle();
}

async function approvalCard(): Promise<{ root: SimMessage; card: SimMessage }> {
  const root = await mention('please refund order 1042');
  const card = inThread(root).find((m) => textOf(m).includes('Approval needed'));
  expect(card).toBeDefined();
  return { root, card: card! };
}

describe('conversations with the real engine', () => {
  it('answers a mention in its thread, streamed with no placeholder left beside it, and follow-ups without a mention', async () => {
    const root = await mention('hello');
    expect(inThread(root)).toHaveLength(1);
    expect(textOf(inThread(root)[0]!)).toContain('Echo: hello');
    expect(h.sim.agent.stream(IDS.support, inThread(root)[0]!.ts)?.stopped).toBe(true);
    await reply(root, 'and more');
    expect(textOf(inThread(root).at(-1)!)).toContain('Echo: and more');
  });

  it('answers once across retries, duplicates and the message + app_mention pair', async () => {
    const root = await mention('first');
    const m = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> second`, root.ts);
    const mentionEnvelope = h.payloads.appMention(m);
    await Promise.all([
      h.delivery.event(mentionEnvelope),
      h.delivery.event(h.payloads.message(m)),
      h.delivery.event(mentionEnvelope, { retryNum: 1, retryReason: 'http_timeout' }),
      h.delivery.event(h.payloads.appMention(m)), // same post, new event_id
    ]);
    await h.settle();
    expect(inThread(root).filter((b) => textOf(b).includes('Echo: second'))).toHaveLength(1);
  });
});

describe('approvals with the real engine', () => {
  it('refuses an unauthorized clicker privately and leaves the card as it is', async () => {
    const { card } = await approvalCard();
    expect(buttons(card)).toEqual(['approval_approve', 'approval_edit', 'approval_deny']);
    const before = structuredClone(card);
    await click(IDS.member2, card, 'approval_approve');
    await click(IDS.member, card, 'approval_approve'); // the requester cannot approve their own request
    expect(h.sim.workspace.ephemerals.map((e) => e.user)).toEqual([IDS.member2, IDS.member]);
    expect(h.sim.workspace.ephemerals[0]!.text).toMatch(/your role here is member/i);
    expect(h.sim.workspace.ephemerals[1]!.text).toMatch(/can't approve your own request/);
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(after.updates).toBe(before.updates);
    expect(after.blocks).toEqual(before.blocks);
    expect(h.refunds).toEqual([]);
  });

  it('executes exactly once on double clicks and racing approvers, updates the card and posts the result', async () => {
    const { root, card } = await approvalCard();
    const clicks = [clickPayload(IDS.staff, card, 'approval_approve'), clickPayload(IDS.staff, card, 'approval_approve'), clickPayload(IDS.admin, card, 'approval_approve'), clickPayload(IDS.owner, card, 'approval_approve')];
    const answers = await Promise.all(clicks.map((p) => h.delivery.interaction(p)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await h.settle();

    expect(h.refunds).toHaveLength(1);
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(buttons(after)).toEqual([]);
    expect(textOf(after)).toMatch(/Approved by <@U0(STAFF|ADMIN|OWNER)>/);
    expect(h.sim.workspace.ephemerals).toHaveLength(3);
    for (const e of h.sim.workspace.ephemerals) expect(e.text).toMatch(/already approved/i);
    expect(textOf(inThread(root).at(-1)!)).toContain('Done: {"refunded":true,"orderId":"1042"}');
  });

  it('marks the card expired, without buttons, when nobody decides in time', async () => {
    const { root, card } = await approvalCard();
    const stale = structuredClone(card); // a client that still shows the buttons
    h.clock.advance(16 * 60_000);
    await h.app.engine.sweep();
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(buttons(after)).toEqual([]);
    expect(textOf(after)).toMatch(/Expired/);
    expect(inThread(root).some((m) => /expired without a decision/.test(textOf(m)))).toBe(true);
    const late = h.payloads.blockAction({ user: IDS.staff, message: stale, actionId: 'approval_approve', responseUrl: h.sim.responseUrl() });
    expect((await h.delivery.interaction(late)).status).toBe(200);
    await h.settle();
    expect(h.sim.workspace.ephemerals.at(-1)).toMatchObject({ user: IDS.staff, text: expect.stringMatching(/expired/) });
    expect(h.refunds).toEqual([]);
  });
});

describe('escalation and hand-off with the real engine', () => {
  it('notifies on-call with a permalink, claims, stays silent, and hands back via /support handback <link>', async () => {
    const root = await mention('where is my parcel?');
    await reply(root, 'I want to talk to a human');
    const notice = h.sim.workspace.botMessagesIn(IDS.oncall)[0]!;
    expect(textOf(notice)).toContain(h.sim.permalink(root));
    expect(textOf(notice)).toContain(`<@${IDS.member}>`);
    expect(buttons(notice)).toEqual(['escalation_claim', 'escalation_handback']);
    expect(textOf(inThread(root).at(-1)!)).toMatch(/human teammate/);

    await click(IDS.member2, notice, 'escalation_claim');
    expect(h.sim.workspace.ephemerals.at(-1)).toMatchObject({ user: IDS.member2, text: expect.stringMatching(/Only support staff/) });
    await click(IDS.staff, notice, 'escalation_claim');
    expect(textOf(h.sim.workspace.findMessage(notice.channel, notice.ts)!)).toContain(`Claimed by <@${IDS.staff}>`);
    expect(textOf(inThread(root).at(-1)!)).toMatch(/picked this up/);

    const before = inThread(root).length;
    await reply(root, 'hello? is anyone there?');
    expect(inThread(root)).toHaveLength(before); // the bot keeps quiet while a human has it

    const responseUrl = h.sim.responseUrl();
    await h.delivery.command(h.payloads.slashCommand({ user: IDS.staff, channel: IDS.support, text: `handback ${h.sim.permalink(root)}`, responseUrl }));
    await h.settle();
    expect(blockText(h.sim.responses.at(-1)!.body.blocks as unknown[])).toContain('Handed back to the bot.');
    expect(textOf(h.sim.workspace.findMessage(notice.channel, notice.ts)!)).toMatch(/Closed/);
    await reply(root, 'thanks, one more thing');
    expect(textOf(inThread(root).at(-1)!)).toContain('Echo: thanks, one more thing');
  });

  it('hands back from the on-call button', async () => {
    const root = await mention('I want to talk to a human');
    const notice = h.sim.workspace.botMessagesIn(IDS.oncall)[0]!;
    await click(IDS.staff, notice, 'escalation_claim');
    await click(IDS.member, notice, 'escalation_handback');
    expect(h.sim.workspace.ephemerals.at(-1)).toMatchObject({ user: IDS.member, text: expect.stringMatching(/Only support staff/) });
    await click(IDS.staff, notice, 'escalation_handback');
    expect(h.sim.workspace.ephemerals.at(-1)).toMatchObject({ user: IDS.staff, text: 'Handed back to the bot.' });
    expect(textOf(inThread(root).at(-1)!)).toMatch(/handed this conversation back to me/);
  });
});

describe('/support with the real engine', () => {
  async function support(user: string, text: string) {
    const responseUrl = h.sim.responseUrl();
    await h.delivery.command(h.payloads.slashCommand({ user, channel: IDS.support, text, responseUrl }));
    await h.settle();
    const body = h.sim.responses.find((r) => responseUrl.endsWith(r.id))!.body;
    expect(body.response_type).toBe('ephemeral');
    return blockText(body.blocks as unknown[]);
  }

  it('answers status, help and cost; cost all only for admins', async () => {
    expect(await support(IDS.member, 'status')).toContain('Model: keyword-test');
    expect(await support(IDS.member, 'help')).toContain('Support bot help');
    expect(await support(IDS.member, 'cost')).toMatch(/\$/);
    expect(await support(IDS.member, 'cost all')).toMatch(/Only workspace admins/);
    expect(await support(IDS.admin, 'cost all')).not.toMatch(/Only workspace admins/);
  });
});
