import { readFile } from 'node:fs/promises';
import { InteractionResponseType, MessageFlags, type APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimInteraction } from '../simulators/discord/discord-simulator';
import type { CommandOptionValue } from '../simulators/discord/simulator-actions';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** Through the real engine (bootstrap: SQLite store, sealed sessions, audit) and the Discord simulator. */
let h: EngineDiscordHarness;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
});
afterEach(async () => {
  await h?.close();
});

const f = () => h.sim.world.fixture;
const bot = (channelId: string) => botMessages(h.sim, channelId);
const current = (m: APIMessage) => h.sim.world.messages.get(m.id)!;
const textOf = (m: APIMessage) =>
  [m.content, ...m.embeds.flatMap((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((x) => [x.name, x.value]), e.footer?.text])]
    .filter(Boolean)
    .join('\n');
const buttons = (m: APIMessage) =>
  ((current(m).components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));

/** A mention in the support channel; resolves with the thread id once the bot has said `until` there. */
async function mention(text: string, until: RegExp, from = f().users.member): Promise<string> {
  const message = h.sim.actions.say({ from, channelId: f().supportChannelId, content: text, mentionBot: true });
  await vi.waitFor(() => expect(bot(message.id).some((m) => until.test(textOf(m)))).toBe(true));
  // The reply is posted before the turn saves the new session; a follow-up sent in between is not served yet.
  await h.untilServed(message.id);
  return message.id;
}

async function say(threadId: string, text: string, until?: RegExp, from = f().users.member): Promise<string> {
  const message = h.sim.actions.say({ from, channelId: threadId, content: text });
  if (until) await vi.waitFor(() => expect(bot(threadId).some((m) => until.test(textOf(m)))).toBe(true));
  return message.id;
}

async function approvalCard(): Promise<{ threadId: string; card: APIMessage; approvalId: string }> {
  const threadId = await mention('please refund order 1042', /Approval needed/);
  const card = bot(threadId).find((m) => /Approval needed/.test(textOf(m)))!;
  const approvalId = buttons(card)[0]!.replace('approval:approve:', '');
  return { threadId, card, approvalId };
}

async function settledClicks(clicks: SimInteraction[]) {
  await vi.waitFor(() => expect(clicks.every((c) => c.ack !== undefined)).toBe(true));
  for (const c of clicks) expect(c.ack!.type).toBe(InteractionResponseType.DeferredMessageUpdate);
}

describe('conversations with the real engine', () => {
  it('answers a mention in its thread, shows typing, and takes follow-ups without a mention', async () => {
    const threadId = await mention('hello', /Echo: hello/);
    expect(bot(threadId).map((m) => m.content)).toEqual(['Echo: hello']);
    expect(h.sim.requestsTo('POST', '/channels/:channelId/typing').some((r) => r.params.channelId === threadId)).toBe(true);
    await say(threadId, 'and more', /Echo: and more/);
    await say(threadId, 'hello from staff', /Echo: hello from staff/, f().users.staff);
  });

  it('serves DMs as their own session', async () => {
    const dm = h.sim.actions.dm({ from: f().users.member, content: 'hi in private' });
    await vi.waitFor(() => expect(bot(dm.channel_id).map((m) => m.content)).toContain('Echo: hi in private'));
  });
});

describe('approvals with the real engine', () => {
  it('refuses unauthorized clickers privately and leaves the card as it is', async () => {
    const { card, approvalId } = await approvalCard();
    expect(buttons(card)).toEqual([`approval:approve:${approvalId}`, `approval:edit:${approvalId}`, `approval:deny:${approvalId}`]);
    expect(textOf(card)).toContain('Refund $120.00 on order #1042');
    const before = structuredClone(current(card));
    const other = h.sim.actions.click({ by: f().users.member2, messageId: card.id, customId: `approval:approve:${approvalId}` });
    const own = h.sim.actions.click({ by: f().users.member, messageId: card.id, customId: `approval:approve:${approvalId}` });
    await vi.waitFor(() => expect([...other.followUps, ...own.followUps]).toHaveLength(2));
    expect(other.followUps[0]!.content).toMatch(/your role here is member/i);
    expect(own.followUps[0]!.content).toMatch(/can't approve your own request/);
    for (const m of [...other.followUps, ...own.followUps]) expect(m.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(current(card)).toEqual(before);
    expect(h.refunds).toEqual([]);
  });

  it('executes exactly once on double clicks and racing approvers, updates the card and posts the result', async () => {
    const { threadId, card, approvalId } = await approvalCard();
    const id = `approval:approve:${approvalId}`;
    const clicks = [f().users.staff, f().users.staff, f().users.admin, f().users.owner].map((by) => h.sim.actions.click({ by, messageId: card.id, customId: id }));
    await settledClicks(clicks);
    await vi.waitFor(() => expect(bot(threadId).some((m) => m.content.includes('Done: {"refunded":true,"orderId":"1042"}'))).toBe(true));
    await vi.waitFor(() => expect(clicks.flatMap((c) => c.followUps)).toHaveLength(3));

    expect(h.refunds).toHaveLength(1);
    expect(buttons(card)).toEqual([]);
    expect(current(card).embeds[0]!.title).toBe('Approved');
    expect(textOf(current(card))).toMatch(new RegExp(`<@(${f().users.staff}|${f().users.admin}|${f().users.owner})>`));
    for (const m of clicks.flatMap((c) => c.followUps)) expect(m.content).toMatch(/already (approved|decided)/i);
    expect(clicks.filter((c) => c.followUps.length === 0)).toHaveLength(1);
  });

  it('marks the card expired, without buttons, when the sweep finds nobody decided in time', async () => {
    const { threadId, card } = await approvalCard();
    h.clock.advance(16 * 60_000);
    await h.app.engine.sweep();
    await vi.waitFor(() => expect(current(card).embeds[0]!.title).toBe('Expired: nothing was done'));
    expect(buttons(card)).toEqual([]);
    await vi.waitFor(() => expect(bot(threadId).some((m) => /expired without a decision/.test(textOf(m)))).toBe(true));
    expect(h.refunds).toEqual([]);
  });

  it('refuses a click that arrives after expiry, and the card catches up', async () => {
    const { card, approvalId } = await approvalCard();
    h.clock.advance(16 * 60_000);
    const late = h.sim.actions.click({ by: f().users.staff, messageId: card.id, customId: `approval:approve:${approvalId}` });
    await vi.waitFor(() => expect(late.followUps.map((m) => m.content)).toEqual([expect.stringMatching(/expired/i)]));
    await vi.waitFor(() => expect(buttons(card)).toEqual([]));
    expect(h.refunds).toEqual([]);
  });
});

describe('escalation and hand-off with the real engine', () => {
  it('notifies on-call with a jump link, claims, stays silent, and hands back with /support handback', async () => {
    const threadId = await mention('where is my parcel?', /Echo: where is my parcel\?/);
    await say(threadId, 'I want to talk to a human', /human teammate/);
    const notice = bot(f().oncallChannelId)[0]!;
    const link = `https://discord.com/channels/${f().guildId}/${threadId}`;
    expect(notice.embeds[0]!.url).toBe(link);
    expect(textOf(notice)).toContain(`<@${f().users.member}>`);
    expect(buttons(notice)).toEqual([expect.stringMatching(/^escalation:claim:esc/), `handback:${threadId}`]);

    const refused = h.sim.actions.click({ by: f().users.member2, messageId: notice.id, customId: buttons(notice)[0]! });
    await vi.waitFor(() => expect(refused.followUps.map((m) => m.content)).toEqual([expect.stringMatching(/only support staff/i)]));
    expect(current(notice).edited_timestamp).toBeNull();
    h.sim.actions.click({ by: f().users.staff, messageId: notice.id, customId: buttons(notice)[0]! });
    await vi.waitFor(() => expect(textOf(current(notice))).toContain(`Claimed by <@${f().users.staff}>`));
    await vi.waitFor(() => expect(bot(threadId).some((m) => /picked this up/.test(m.content))).toBe(true));

    const before = bot(threadId).length;
    // Handed back only after the engine has this message: otherwise it could be answered after the hand-back.
    await h.untilReceived(await say(threadId, 'hello? is anyone there?'));
    const handback = h.sim.actions.command({ by: f().users.staff, channelId: threadId, subcommand: 'handback' });
    await vi.waitFor(() => expect(textOf(handback.original ?? ({ embeds: [] } as unknown as APIMessage))).toContain('Handed back to the bot.'));
    await vi.waitFor(() => expect(textOf(current(notice))).toMatch(/Closed/));
    // The bot kept quiet while a human had it: the only new message is the hand-back notice.
    await vi.waitFor(() => expect(bot(threadId).slice(before).map((m) => m.content)).toEqual([expect.stringMatching(/handed this conversation back to me/)]));
    await say(threadId, 'thanks, one more thing', /Echo: thanks, one more thing/);
  });

  it('hands back from the on-call button', async () => {
    const threadId = await mention('I want to talk to a human', /human teammate/);
    const notice = bot(f().oncallChannelId)[0]!;
    h.sim.actions.click({ by: f().users.staff, messageId: notice.id, customId: buttons(notice)[0]! });
    await vi.waitFor(() => expect(buttons(notice)).toEqual([`handback:${threadId}`]));
    const refused = h.sim.actions.click({ by: f().users.member, messageId: notice.id, customId: `handback:${threadId}` });
    await vi.waitFor(() => expect(refused.followUps.map((m) => m.content)).toEqual([expect.stringMatching(/only support staff/i)]));
    const accepted = h.sim.actions.click({ by: f().users.staff, messageId: notice.id, customId: `handback:${threadId}` });
    await vi.waitFor(() => expect(accepted.followUps.map((m) => m.content)).toEqual([expect.stringMatching(/handed back/i)]));
    await vi.waitFor(() => expect(bot(threadId).some((m) => /handed this conversation back to me/.test(m.content))).toBe(true));
    expect(buttons(notice)).toEqual([]);
  });
});

describe('/support with the real engine', () => {
  async function support(by: string, subcommand: string, options?: Record<string, CommandOptionValue>) {
    const run = h.sim.actions.command({ by, channelId: f().supportChannelId, subcommand, options });
    await vi.waitFor(() => expect((run.original?.flags ?? MessageFlags.Loading) & MessageFlags.Loading).toBe(0));
    expect(run.original!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    return textOf(run.original!);
  }

  it('answers status, help and cost; cost all only for admins', async () => {
    expect(await support(f().users.member, 'status')).toContain('keyword-test');
    expect(await support(f().users.member, 'help')).toContain('Support bot help');
    expect(await support(f().users.member, 'cost')).toMatch(/\$/);
    expect(await support(f().users.member, 'cost', { all: true })).toMatch(/Only workspace admins/);
    const adminView = await support(f().users.admin, 'cost', { all: true });
    expect(adminView).not.toMatch(/Only workspace admins/);
    expect(adminView).toContain('Month to date');
  });

  it('/support forget deletes what the bot remembers about the caller; only admins may forget another member', async () => {
    const threadId = await mention('my csv export fails', /Echo: my csv export fails/);
    await say(threadId, 'that fixed it, thanks', /Echo: that fixed it/);
    // Another member cannot make the bot forget someone else, and nothing is deleted.
    expect(await support(f().users.member2, 'forget', { user: { user: f().users.member } })).toMatch(/Only workspace admins/);
    expect(await support(f().users.member, 'forget')).toMatch(/Forgotten: what I remembered about you \(1 earlier conversation, 1 solved case\)/);
    expect(await support(f().users.member, 'forget')).toMatch(/\(0 earlier conversations, 0 solved cases\)/);
    expect(await support(f().users.admin, 'forget', { user: { user: f().users.member2 } })).toContain(`about ${f().users.member2}`);
    await h.app.audit.flush();
    const audit = (await readFile(h.app.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.filter((e) => e.event === 'memory_forgotten').map((e) => [e.user_id, e.target_user_id, e.cases])).toEqual([
      [f().users.member, f().users.member, 1],
      [f().users.member, f().users.member, 0],
      [f().users.admin, f().users.member2, 0],
    ]);
    expect(audit.filter((e) => e.event === 'memory_forget_refused')).toEqual([expect.objectContaining({ user_id: f().users.member2 })]);
  });
});
