import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationRef } from '../../src/ports';
import { startHarness, type Harness } from './harness';

let h: Harness;
let conversation: ConversationRef;
beforeAll(async () => {
  h = await startHarness();
  const f = h.sim.world.fixture;
  const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'timing', mentionBot: true });
  // Wait for the answer, not just the call: `pending` must be back to 0 before the tests count on it.
  await vi.waitFor(() => expect(h.sim.messagesIn(asked.id).some((m) => m.author.id === h.sim.world.bot.id)).toBe(true));
  await vi.waitFor(() => expect(h.engine.pending).toBe(0));
  conversation = h.engine.received.find((m) => m.messageId === asked.id)!.conversation;
});
afterAll(async () => {
  await h?.stop();
});

/** Make the engine hang until `release()` (or for good, if never called). */
function slowEngine(): () => void {
  expect(h.engine.pending).toBe(0);
  let release!: () => void;
  h.engine.gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    release();
    h.engine.gate = Promise.resolve();
  };
}

describe('interactions are acknowledged within 3 seconds, whatever the engine does', () => {
  it('defers a command before the engine answers, then edits the reply', async () => {
    const f = h.sim.world.fixture;
    const release = slowEngine();
    const run = h.sim.actions.command({ by: f.users.staff, channelId: f.supportChannelId, subcommand: 'status' });
    await vi.waitFor(() => expect(h.engine.pending).toBe(1));
    // The engine is still working, and Discord has already been answered.
    expect(run.ack).toMatchObject({ type: InteractionResponseType.DeferredChannelMessageWithSource, ephemeral: true });
    release();
    await vi.waitFor(() => expect((run.original?.flags ?? MessageFlags.Loading) & MessageFlags.Loading).toBe(0));
    expect(run.original!.embeds[0]!.title).toBe('Support status');
  });

  it('defers a button click before the engine decides', async () => {
    const f = h.sim.world.fixture;
    const view = await h.engine.requestApproval(conversation);
    const card = h.sim.messagesIn(conversation.threadId).at(-1)!;
    const release = slowEngine();
    const click = h.sim.actions.click({ by: f.users.member, messageId: card.id, customId: `approval:approve:${view.id}` });
    await vi.waitFor(() => expect(h.engine.pending).toBe(1));
    expect(click.ack?.type).toBe(InteractionResponseType.DeferredMessageUpdate);
    release();
    await vi.waitFor(() => expect(click.followUps).toHaveLength(1));
  });

  it('still answers when the engine takes longer than Discord waits (real 3.3 s)', async () => {
    const f = h.sim.world.fixture;
    const view = await h.engine.requestApproval(conversation);
    const card = h.sim.messagesIn(conversation.threadId).at(-1)!;
    const release = slowEngine();
    const timer = setTimeout(release, 3_300);
    try {
      const click = h.sim.actions.click({ by: f.users.staff, messageId: card.id, customId: `approval:approve:${view.id}` });
      // The simulator refuses callbacks after 3 s (10062), as Discord does; the decision must still land.
      await vi.waitFor(() => expect(h.sim.messagesIn(conversation.threadId).at(-1)!.content).toBe(`Done: ${view.action}`), { timeout: 8_000 });
      expect(click.ack!.at - click.createdAt).toBeLessThan(3_000);
      expect(h.sim.requestsTo('POST', '/interactions/:id/:token/callback').filter((r) => r.status !== 204)).toEqual([]);
    } finally {
      clearTimeout(timer);
      release();
    }
  }, 15_000);
});
