import { InteractionResponseType, MessageFlags, type APIEmbed, type APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Caller, ConversationRef } from '../../src/ports';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const embedOf = (message: APIMessage): APIEmbed => message.embeds[0]!;
const fieldValue = (message: APIMessage, name: string) => embedOf(message).fields?.find((f) => f.name === name)?.value;
const buttonsOf = (message: APIMessage) =>
  ((message.components ?? []) as { components: { custom_id: string; label: string }[] }[]).flatMap((row) => row.components);

async function openThread(content: string): Promise<{ conversation: ConversationRef; caller: Caller }> {
  const f = h.sim.world.fixture;
  const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content, mentionBot: true });
  // Handled, not just received: the fake's answer must be in the thread before the tests read its last message.
  await vi.waitFor(() => expect(h.engine.hasHandled(asked.id)).toBe(true));
  const inbound = h.engine.received.find((m) => m.messageId === asked.id)!;
  return { conversation: inbound.conversation, caller: inbound.caller };
}

async function escalated(content: string) {
  const { conversation, caller } = await openThread(content);
  const view = await h.engine.escalate(conversation, { customer: caller });
  const notice = h.sim.messagesIn(h.sim.world.fixture.oncallChannelId).find((m) => embedOf(m)?.footer?.text === `Escalation ${view.id}`)!;
  return { conversation, view, notice };
}

describe('escalation and hand-off', () => {
  it('posts an on-call notice with summary, customer, urgency, a jump link to the thread and a Claim button', async () => {
    const f = h.sim.world.fixture;
    const { conversation, view, notice } = await escalated('I need a human');
    const link = `https://discord.com/channels/${f.guildId}/${conversation.threadId}`;
    expect(notice.content).toBe('Escalation (high): Customer was **double charged** for order #1042 and wants a person.');
    expect(embedOf(notice).url).toBe(link);
    expect(embedOf(notice).description).toBe(view.summary);
    expect(fieldValue(notice, 'Customer')).toBe(`<@${f.users.member}> (Max) · member`);
    expect(fieldValue(notice, 'Urgency')).toBe('high');
    expect(fieldValue(notice, 'Conversation')).toBe(`[Jump to the thread](${link})`);
    expect(fieldValue(notice, 'Steps taken')).toBe('• Looked up order #1042\n• Found two charges');
    expect(buttonsOf(notice).map((b) => [b.custom_id, b.label])).toEqual([
      [`escalation:claim:${view.id}`, 'Claim'],
      [`handback:${conversation.threadId}`, 'Hand back to the bot'],
    ]);
    expect(h.sim.messagesIn(conversation.threadId).at(-1)!.content).toBe('A human from the team is coming.');
  });

  it('refuses a claim from a non-staff member, ephemerally, leaving the notice as it was', async () => {
    const f = h.sim.world.fixture;
    const { view, notice } = await escalated('human please');
    const click = h.sim.actions.click({ by: f.users.member, messageId: notice.id, customId: `escalation:claim:${view.id}` });
    await vi.waitFor(() => expect(click.followUps.map((m) => m.content)).toEqual(['Only staff can claim escalations.']));
    expect(click.followUps[0]!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(h.sim.world.messages.get(notice.id)!.edited_timestamp).toBeNull();
  });

  it('lets staff claim: the notice shows the claimer and offers Hand back; the claimer gets the jump link', async () => {
    const f = h.sim.world.fixture;
    const { conversation, view, notice } = await escalated('talk to a person');
    const click = h.sim.actions.click({ by: f.users.staff, messageId: notice.id, customId: `escalation:claim:${view.id}` });
    await vi.waitFor(() => expect(click.followUps).toHaveLength(1));
    expect(click.ack?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(h.engine.claims.at(-1)).toMatchObject({ escalationId: view.id, caller: { userId: f.users.staff, role: 'staff' } });
    expect(click.followUps[0]!.content).toBe(`It is yours. Jump in: https://discord.com/channels/${f.guildId}/${conversation.threadId}`);
    const updated = h.sim.world.messages.get(notice.id)!;
    expect(fieldValue(updated, 'Status')).toBe(`Claimed by <@${f.users.staff}> (Stella)`);
    expect(updated.content).toBe('Escalation claimed by Stella: Customer was **double charged** for order #1042 and wants a person.');
    expect(buttonsOf(updated).map((b) => b.custom_id)).toEqual([`handback:${conversation.threadId}`]);
  });

  it('hands the thread back to the bot from the on-call notice', async () => {
    const f = h.sim.world.fixture;
    const { conversation, view, notice } = await escalated('agent!');
    const claim = h.sim.actions.click({ by: f.users.staff, messageId: notice.id, customId: `escalation:claim:${view.id}` });
    await vi.waitFor(() => expect(claim.followUps).toHaveLength(1));

    const handBack = h.sim.actions.click({ by: f.users.staff, messageId: notice.id, customId: `handback:${conversation.threadId}` });
    await vi.waitFor(() => expect(handBack.followUps.map((m) => m.content)).toEqual(['Handed back to the bot.']));
    expect(h.engine.handbacks.at(-1)).toMatchObject({ conversation, caller: { userId: f.users.staff, role: 'staff' } });
    const closed = h.sim.world.messages.get(notice.id)!;
    expect(fieldValue(closed, 'Status')).toBe('Closed: handed back to the bot');
    expect(buttonsOf(closed)).toEqual([]);
  });

  it('links DM conversations with @me and says it is a DM', async () => {
    const f = h.sim.world.fixture;
    const dm = h.sim.actions.dm({ from: f.users.member, content: 'escalate me' });
    await vi.waitFor(() => expect(h.engine.hasHandled(dm.id)).toBe(true));
    const inbound = h.engine.received.find((m) => m.messageId === dm.id)!;
    const view = await h.engine.escalate(inbound.conversation, { customer: inbound.caller, urgency: 'urgent' });
    const notice = h.sim.messagesIn(f.oncallChannelId).find((m) => embedOf(m)?.footer?.text === `Escalation ${view.id}`)!;
    expect(fieldValue(notice, 'Conversation')).toBe(`[Direct message with the bot](https://discord.com/channels/@me/${dm.channel_id})`);
  });

  it('posts budget alerts to the on-call channel', async () => {
    await h.engine.channel!.alertOncall!({ kind: 'budget', text: 'Monthly spend at 80% ($160 of $200)' });
    expect(h.sim.messagesIn(h.sim.world.fixture.oncallChannelId).at(-1)!.content).toBe('⚠️ **budget alert**: Monthly spend at 80% ($160 of $200)');
  });
});
