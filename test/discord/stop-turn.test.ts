import { MessageFlags, type APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** Stopping an answer mid-way: the Stop button and `/support stop`, through the real engine. */
let h: EngineDiscordHarness;
let release: () => void = () => undefined;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
  const held = new Promise<void>((resolve) => (release = resolve));
  // The model writes its first words, then keeps thinking until stopped (or released).
  h.model.between = (text) => (text.startsWith('write a long answer') ? held : Promise.resolve());
});
afterEach(async () => {
  release();
  await h?.close();
});

const f = () => h.sim.world.fixture;
const current = (m: APIMessage) => h.sim.world.messages.get(m.id)!;
const buttonsOf = (m: APIMessage) => ((current(m).components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));

/** A held answer in progress: its thread and the message carrying the Stop button. */
async function answerInProgress(): Promise<{ threadId: string; message: APIMessage }> {
  const mention = h.sim.actions.say({ from: f().users.member, channelId: f().supportChannelId, content: 'write a long answer', mentionBot: true });
  await vi.waitFor(() => expect(botMessages(h.sim, mention.id)).toHaveLength(1));
  const message = botMessages(h.sim, mention.id)[0]!;
  expect(message.content).toBe('Echo:');
  expect(buttonsOf(message)).toEqual([`turn:stop:${mention.id}`]);
  return { threadId: mention.id, message };
}

describe('stopping an answer in Discord', () => {
  it('the requester stops a held answer with the Stop button: "Stopped.", the button goes, what was written stays', async () => {
    const { threadId, message } = await answerInProgress();
    const click = h.sim.actions.click({ by: f().users.member, messageId: message.id, customId: `turn:stop:${threadId}` });
    await vi.waitFor(() => expect(current(message).content).toMatch(/^Echo: ?\n\nStopped\.$/));
    expect(buttonsOf(message)).toEqual([]);
    expect(click.ack?.at! - click.createdAt).toBeLessThan(3_000);
    expect(click.followUps).toEqual([]);
    expect(botMessages(h.sim, threadId)).toHaveLength(1);
  });

  it('refuses a member who did not ask, privately, and the answer carries on', async () => {
    const { threadId, message } = await answerInProgress();
    const click = h.sim.actions.click({ by: f().users.member2, messageId: message.id, customId: `turn:stop:${threadId}` });
    await vi.waitFor(() => expect(click.followUps).toHaveLength(1));
    expect(click.followUps[0]!.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(click.followUps[0]!.content).toBe('Only the person being helped, or support staff, can stop this.');
    expect(buttonsOf(message)).toEqual([`turn:stop:${threadId}`]);
    release();
    await vi.waitFor(() => expect(current(message).content).toBe('Echo: write a long answer'));
    // Stop goes with the finished answer; its feedback controls take the place.
    expect(buttonsOf(message)).toEqual([`feedback:up:${threadId}`, `feedback:down:${threadId}`, `conversation:human:${threadId}`, `conversation:solved:${threadId}`]);
  });

  it('staff stop it with /support stop typed in the thread', async () => {
    const { threadId, message } = await answerInProgress();
    const command = h.sim.actions.command({ by: f().users.staff, channelId: threadId, subcommand: 'stop' });
    await vi.waitFor(() => expect(current(message).content).toMatch(/^Echo: ?\n\nStopped\.$/));
    expect(buttonsOf(message)).toEqual([]);
    await vi.waitFor(() => expect(JSON.stringify(command.original)).toMatch(/Stopping/));
  });
});
