import { InteractionResponseType, MessageFlags, type APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** Feedback buttons on Discord answers, through the real adapter, the simulator and the real engine. */
let h: EngineDiscordHarness;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
});
afterEach(async () => {
  await h?.close();
});

const f = () => h.sim.world.fixture;
const current = (m: APIMessage) => h.sim.world.messages.get(m.id)!;
const buttonsOf = (m: APIMessage) => ((current(m).components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));
const audit = async () => {
  await h.app.audit.flush();
  const { readFile } = await import('node:fs/promises');
  return (await readFile(h.app.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
};

async function answered(): Promise<{ threadId: string; reply: APIMessage }> {
  const mention = h.sim.actions.say({ from: f().users.member, channelId: f().supportChannelId, content: 'where is my parcel', mentionBot: true });
  await vi.waitFor(() => expect(botMessages(h.sim, mention.id).some((m) => m.content.startsWith('Echo:') && buttonsOf(m).length === 4)).toBe(true));
  const reply = botMessages(h.sim, mention.id).find((m) => m.content.startsWith('Echo:'))!;
  return { threadId: mention.id, reply };
}

describe('Discord feedback controls', () => {
  it('puts 👍 👎 "Talk to a human" "That solved it" on the final answer, and 👍 is stored and acknowledged privately', async () => {
    const { threadId, reply } = await answered();
    expect(buttonsOf(reply)).toEqual([`feedback:up:${threadId}`, `feedback:down:${threadId}`, `conversation:human:${threadId}`, `conversation:solved:${threadId}`]);
    const click = h.sim.actions.click({ by: f().users.member, messageId: reply.id, customId: `feedback:up:${threadId}` });
    await vi.waitFor(() => expect(click.followUps).toHaveLength(1));
    expect(click.followUps[0]!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(click.followUps[0]!.content).toBe('Thanks for the feedback!');
    expect((await audit()).filter((e) => e.event === 'feedback')).toEqual([expect.objectContaining({ rating: 'up', message_id: reply.id })]);
  });

  it('👎 opens "What went wrong?"; the reason reaches the on-call channel and the audit holds it only sealed', async () => {
    const { threadId, reply } = await answered();
    const click = h.sim.actions.click({ by: f().users.member, messageId: reply.id, customId: `feedback:down:${threadId}` });
    await vi.waitFor(() => expect(click.ack).toBeDefined());
    expect(click.ack!.type).toBe(InteractionResponseType.Modal);
    expect(click.modal).toEqual({ customId: `feedback:reason:${threadId}`, title: 'What went wrong?', inputs: [expect.objectContaining({ customId: 'reason' })] });
    const submit = h.sim.actions.submitModal({ by: f().users.member, opener: click, values: { reason: 'It echoed me instead of tracking ORD-7' } });
    await vi.waitFor(() => expect(submit.followUps).toHaveLength(1));
    const oncall = () => [...h.sim.world.messages.values()].filter((m) => m.channel_id === f().oncallChannelId);
    await vi.waitFor(() => expect(oncall().some((m) => m.content.includes('It echoed me instead of tracking ORD-7'))).toBe(true));
    const records = await audit();
    expect(records.filter((e) => e.event === 'feedback')).toEqual([expect.objectContaining({ rating: 'down', has_reason: true })]);
    expect(JSON.stringify(records)).not.toContain('ORD-7');
  });

  it('"Talk to a human" escalates with trigger user_request; "That solved it" resolves', async () => {
    const { threadId, reply } = await answered();
    h.sim.actions.click({ by: f().users.member, messageId: reply.id, customId: `conversation:solved:${threadId}` });
    await vi.waitFor(async () => expect((await audit()).filter((e) => e.event === 'conversation_outcome')).toEqual([expect.objectContaining({ outcome: 'resolved', resolution: 'user' })]));
    h.sim.actions.click({ by: f().users.member, messageId: reply.id, customId: `conversation:human:${threadId}` });
    await vi.waitFor(async () => expect((await audit()).filter((e) => e.event === 'escalation')).toEqual([expect.objectContaining({ trigger: 'user_request' })]));
    await vi.waitFor(() => expect(botMessages(h.sim, threadId).some((m) => m.content.includes('human teammate'))).toBe(true));
  });
});
