import { InteractionResponseType, MessageFlags, type APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimInteraction } from '../simulators/discord/discord-simulator';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** "Edit and approve" on a Discord approval card, through the real engine. */
let h: EngineDiscordHarness;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
});
afterEach(async () => {
  await h?.close();
});

const f = () => h.sim.world.fixture;
const current = (m: APIMessage) => h.sim.world.messages.get(m.id)!;
const embedText = (m: APIMessage) => JSON.stringify(current(m).embeds);
const buttonsOf = (m: APIMessage) => ((current(m).components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));

async function approvalCard(): Promise<{ threadId: string; card: APIMessage; approvalId: string }> {
  const mention = h.sim.actions.say({ from: f().users.member, channelId: f().supportChannelId, content: 'please refund order 1042', mentionBot: true });
  await vi.waitFor(() => expect(botMessages(h.sim, mention.id).some((m) => m.embeds[0]?.title === 'Approval needed')).toBe(true));
  const card = botMessages(h.sim, mention.id).find((m) => m.embeds[0]?.title === 'Approval needed')!;
  const approvalId = buttonsOf(card)[0]!.replace('approval:approve:', '');
  return { threadId: mention.id, card, approvalId };
}

/** Click "Edit and approve" and wait for the modal. */
async function openModal(by: string, card: APIMessage, approvalId: string): Promise<SimInteraction> {
  const click = h.sim.actions.click({ by, messageId: card.id, customId: `approval:edit:${approvalId}` });
  await vi.waitFor(() => expect(click.ack).toBeDefined());
  return click;
}

describe('Edit and approve in Discord', () => {
  it('opens a modal pre-filled with the arguments within 3 s, and a valid edit refunds the edited amount', async () => {
    const { threadId, card, approvalId } = await approvalCard();
    expect(buttonsOf(card)).toContain(`approval:edit:${approvalId}`);
    const click = await openModal(f().users.staff, card, approvalId);
    expect(click.ack!.type).toBe(InteractionResponseType.Modal);
    expect(click.ack!.at - click.createdAt).toBeLessThan(3_000);
    expect(click.modal).toEqual({
      customId: `approval:edit:${approvalId}`,
      title: 'Edit and approve',
      inputs: [
        expect.objectContaining({ customId: 'orderId', label: 'orderId', value: '1042' }),
        expect.objectContaining({ customId: 'amountUsd', label: 'amountUsd', value: '120' }),
      ],
    });

    const submit = h.sim.actions.submitModal({ by: f().users.staff, opener: click, values: { amountUsd: '25' } });
    await vi.waitFor(() => expect(h.refundedUsd).toEqual([25]));
    await vi.waitFor(() => expect(current(card).embeds[0]!.title).toBe('Approved'));
    expect(embedText(card)).toContain('Refund $25.00 on order #1042');
    expect(current(card).embeds[0]!.fields!.find((x) => x.name === 'Arguments')!.value).toContain('"amountUsd": 25\n');
    expect(buttonsOf(card)).toEqual([]);
    expect(submit.ack!.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    expect(submit.followUps).toEqual([]);
    await vi.waitFor(() => expect(botMessages(h.sim, threadId).some((m) => m.content.startsWith('Done:'))).toBe(true));
  });

  it('edits a card whose arguments were cut to fit Discord, from the stored request', async () => {
    const { card, approvalId } = await approvalCard();
    // A card whose JSON was cut short (as long arguments are, to fit an embed field).
    const args = current(card).embeds[0]!.fields!.find((x) => x.name === 'Arguments')!;
    args.value = `${args.value.slice(0, 20)}…`;
    const click = await openModal(f().users.staff, card, approvalId);
    expect(click.ack!.type).toBe(InteractionResponseType.Modal);
    expect(click.modal?.inputs).toEqual([
      expect.objectContaining({ customId: 'orderId', value: '1042' }),
      expect.objectContaining({ customId: 'amountUsd', value: '120' }),
    ]);
    h.sim.actions.submitModal({ by: f().users.staff, opener: click, values: { amountUsd: '30' } });
    await vi.waitFor(() => expect(h.refundedUsd).toEqual([30]));
  });

  it('refuses an invalid edit privately with the validation error, and nothing changes', async () => {
    const { card, approvalId } = await approvalCard();
    const before = structuredClone(current(card));
    const click = await openModal(f().users.staff, card, approvalId);
    const submit = h.sim.actions.submitModal({ by: f().users.staff, opener: click, values: { amountUsd: 'twenty-five' } });
    await vi.waitFor(() => expect(submit.followUps).toHaveLength(1));
    expect(submit.followUps[0]!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(submit.followUps[0]!.content).toMatch(/^Those values are not valid: amountUsd: .+Nothing was changed\.$/);
    expect(current(card)).toEqual(before);
    expect(h.refunds).toEqual([]);

    // Still pending: a plain Approve afterwards refunds the original amount.
    h.sim.actions.click({ by: f().users.staff, messageId: card.id, customId: `approval:approve:${approvalId}` });
    await vi.waitFor(() => expect(h.refundedUsd).toEqual([120]));
  });

  it('refuses an edit by someone who may not approve, and nothing changes', async () => {
    const { card, approvalId } = await approvalCard();
    const before = structuredClone(current(card));
    const click = await openModal(f().users.member2, card, approvalId);
    const submit = h.sim.actions.submitModal({ by: f().users.member2, opener: click, values: { amountUsd: '1' } });
    await vi.waitFor(() => expect(submit.followUps).toHaveLength(1));
    expect(submit.followUps[0]!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(submit.followUps[0]!.content).toMatch(/your role here is member/i);
    expect(current(card)).toEqual(before);
    expect(h.refunds).toEqual([]);
  });
});
