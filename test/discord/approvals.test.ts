import { ButtonStyle, InteractionResponseType, MessageFlags, type APIEmbed, type APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlatformError } from '../../src/errors';
import type { ConversationRef } from '../../src/ports';
import { startHarness, type Harness } from './harness';

let h: Harness;
let conversation: ConversationRef;
beforeAll(async () => {
  h = await startHarness();
  const f = h.sim.world.fixture;
  const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'Please refund order 1001', mentionBot: true });
  // Handled, not just received: the fake's answer must be in the thread before the tests read its last message.
  await vi.waitFor(() => expect(h.engine.hasHandled(asked.id)).toBe(true));
  conversation = h.engine.received.find((m) => m.messageId === asked.id)!.conversation;
});
afterAll(async () => {
  await h?.stop();
});

const embedOf = (message: APIMessage): APIEmbed => message.embeds[0]!;
const fieldValue = (embed: APIEmbed, name: string) => embed.fields?.find((f) => f.name === name)?.value;
const buttonsOf = (message: APIMessage) =>
  ((message.components ?? []) as { components: { custom_id: string; label: string; style: number }[] }[]).flatMap((row) => row.components);

async function postCard(overrides: Parameters<Harness['engine']['requestApproval']>[1] = {}) {
  const f = h.sim.world.fixture;
  const view = await h.engine.requestApproval(conversation, {
    requester: { userId: f.users.member, displayName: 'Max' },
    requirement: 'staff',
    decidersText: 'staff, not the requester',
    ...overrides,
  });
  const card = h.sim.messagesIn(conversation.threadId).find((m) => embedOf(m)?.footer?.text === `Approval ${view.id}`)!;
  return { view, card };
}

describe('approval cards', () => {
  it('shows what will happen, the arguments, the requester, who may decide and the expiry, with Approve/Deny buttons', async () => {
    const { view, card } = await postCard();
    const embed = embedOf(card);
    expect(card.channel_id).toBe(conversation.threadId);
    expect(embed.title).toBe('Approval needed');
    expect(embed.description).toBe('Refund $120.00 on order #1042 to the original card');
    expect(fieldValue(embed, 'Arguments')).toContain('"amountUsd": 120');
    expect(fieldValue(embed, 'Requested by')).toBe(`<@${h.sim.world.fixture.users.member}> (Max)`);
    expect(fieldValue(embed, 'Who can decide')).toBe('staff, not the requester');
    expect(fieldValue(embed, 'Expires')).toBe(`<t:${Math.floor(view.expiresAt / 1000)}:R>`);
    expect(buttonsOf(card)).toEqual([
      { type: 2, custom_id: `approval:approve:${view.id}`, label: 'Approve', style: ButtonStyle.Success },
      { type: 2, custom_id: `approval:edit:${view.id}`, label: 'Edit and approve', style: ButtonStyle.Primary },
      { type: 2, custom_id: `approval:deny:${view.id}`, label: 'Deny', style: ButtonStyle.Danger },
    ]);
  });

  it('refuses an unauthorized click ephemerally and changes nothing', async () => {
    const f = h.sim.world.fixture;
    const { view, card } = await postCard();
    const edits = () => h.sim.requestsTo('PATCH', '/channels/:channelId/messages/:messageId').filter((r) => r.params.messageId === card.id);
    const click = h.sim.actions.click({ by: f.users.member, messageId: card.id, customId: `approval:approve:${view.id}` });

    await vi.waitFor(() => expect(click.followUps).toHaveLength(1));
    expect(click.ack?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(click.ack!.at - click.createdAt).toBeLessThan(3_000);
    expect(click.followUps[0]!.content).toBe('Only staff, not the requester can decide this.');
    expect(click.followUps[0]!.flags! & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(h.engine.decisions.at(-1)).toMatchObject({ approvalId: view.id, decision: 'approve', decider: { userId: f.users.member, role: 'member' } });
    expect(h.engine.executed.filter((id) => id === view.id)).toHaveLength(0);
    expect(edits()).toEqual([]);
    expect(buttonsOf(h.sim.world.messages.get(card.id)!)).toHaveLength(3);
    // The refusal is for the clicker only: nothing new in the thread.
    expect(h.sim.messagesIn(conversation.threadId).at(-1)!.id).toBe(card.id);
  });

  it('lets an authorized click through: the card shows the decision, buttons go, the result is posted', async () => {
    const f = h.sim.world.fixture;
    const { view, card } = await postCard();
    const click = h.sim.actions.click({ by: f.users.staff, messageId: card.id, customId: `approval:approve:${view.id}` });

    await vi.waitFor(() => expect(h.sim.messagesIn(conversation.threadId).at(-1)!.content).toBe('Done: Refund $120.00 on order #1042 to the original card'));
    expect(click.ack?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(click.followUps).toEqual([]);
    const updated = h.sim.world.messages.get(card.id)!;
    expect(embedOf(updated).title).toBe('Approved');
    expect(fieldValue(embedOf(updated), 'Decided by')).toMatch(new RegExp(`^<@${f.users.staff}> \\(Stella\\) <t:\\d+:R>$`));
    expect(fieldValue(embedOf(updated), 'Expires')).toBeUndefined();
    expect(buttonsOf(updated)).toEqual([]);
    expect(h.engine.executed.filter((id) => id === view.id)).toHaveLength(1);
    expect(() => h.sim.actions.click({ by: f.users.staff, messageId: card.id, customId: `approval:approve:${view.id}` })).toThrow(/no button/);
  });

  it('records a denial with the decider and runs nothing', async () => {
    const f = h.sim.world.fixture;
    const { view, card } = await postCard();
    h.sim.actions.click({ by: f.users.admin, messageId: card.id, customId: `approval:deny:${view.id}` });
    await vi.waitFor(() => expect(embedOf(h.sim.world.messages.get(card.id)!).title).toBe('Denied'));
    expect(fieldValue(embedOf(h.sim.world.messages.get(card.id)!), 'Denied by')).toContain(`<@${f.users.admin}>`);
    expect(h.engine.executed.filter((id) => id === view.id)).toHaveLength(0);
  });

  it('renders expiry when the engine reports it: no buttons, marked expired', async () => {
    const { view, card } = await postCard();
    const ref = { platform: 'discord', channelId: card.channel_id, messageId: card.id };
    await h.engine.channel!.updateApproval(ref, { ...view, status: 'expired' });
    const updated = h.sim.world.messages.get(card.id)!;
    expect(embedOf(updated).title).toBe('Expired: nothing was done');
    expect(buttonsOf(updated)).toEqual([]);
  });

  it('answers a click on a stale or foreign button without calling the engine', async () => {
    const f = h.sim.world.fixture;
    const { card } = await postCard();
    // Simulate an old card whose buttons carry an id format we no longer use.
    h.sim.world.messages.get(card.id)!.components = [{ type: 1, components: [{ type: 2, style: 1, label: 'Old', custom_id: 'legacy-approve-7' }] }];
    const before = h.engine.decisions.length;
    const click = h.sim.actions.click({ by: f.users.staff, messageId: card.id, customId: 'legacy-approve-7' });
    await vi.waitFor(() => expect(click.followUps.map((m) => m.content)).toEqual(['This button is no longer active.']));
    expect(h.engine.decisions.length).toBe(before);
  });

  it('refuses ids that would not fit in a 100-character custom_id before calling Discord', async () => {
    const posts = h.sim.requests.length;
    await expect(postCard({ id: 'x'.repeat(90) })).rejects.toMatchObject({ code: 'discord_custom_id_too_long' });
    await expect(postCard({ id: 'y'.repeat(90) })).rejects.toBeInstanceOf(PlatformError);
    expect(h.sim.requests.length).toBe(posts);
  });
});
