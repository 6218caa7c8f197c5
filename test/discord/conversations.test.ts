import { GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('Discord conversations', () => {
  it('identifies with the intents the bot needs, over uncompressed JSON', () => {
    const want = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent | GatewayIntentBits.DirectMessages;
    expect(h.sim.gateway.intents).toBe(want);
    expect(h.sim.gateway.connections[0]).toBe('/?v=10&encoding=json');
  });

  it('opens a thread from a mention in a support channel and answers there', async () => {
    const f = h.sim.world.fixture;
    const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'How do I reset my password?', mentionBot: true });

    await vi.waitFor(() => expect(h.sim.threadsOf(f.supportChannelId).map((t) => t.id)).toContain(asked.id));
    const thread = h.sim.world.channels.get(asked.id)!;
    expect(thread.name).toBe('How do I reset my password?');
    await vi.waitFor(() => expect(botMessages(h.sim, thread.id).map((m) => m.content)).toEqual(['You said: How do I reset my password?']));

    const inbound = h.engine.received.find((m) => m.messageId === asked.id)!;
    expect(inbound.conversation).toEqual({ platform: 'discord', workspaceId: f.guildId, channelId: f.supportChannelId, threadId: thread.id });
    expect(inbound.text).toBe('How do I reset my password?');
    expect(inbound.permalink).toBe(`https://discord.com/channels/${f.guildId}/${thread.id}`);
    expect(inbound.caller).toMatchObject({ userId: f.users.member, platform: 'discord', role: 'member', displayName: 'Max' });
    // Nothing was posted in the support channel itself: the conversation lives in the thread.
    expect(botMessages(h.sim, f.supportChannelId)).toEqual([]);
  });

  it('ignores mentions outside the support channels and unmentioned chatter inside them', async () => {
    const f = h.sim.world.fixture;
    const before = h.engine.received.length;
    const elsewhere = h.sim.actions.say({ from: f.users.member, channelId: f.generalChannelId, content: 'help?', mentionBot: true });
    const chatter = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'anyone around?' });
    // A message after both proves they were processed (the gateway delivers in order).
    const marker = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'marker', mentionBot: true });
    await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === marker.id)).toBe(true));
    expect(h.engine.received.slice(before).map((m) => m.messageId)).toEqual([marker.id]);
    expect(h.sim.threadsOf(f.generalChannelId)).toEqual([]);
    expect(h.sim.world.channels.has(elsewhere.id) || h.sim.world.channels.has(chatter.id)).toBe(false);
  });

  it('takes follow-ups in an active thread without a mention, and ignores threads it is not part of', async () => {
    const f = h.sim.world.fixture;
    const first = h.sim.actions.say({ from: f.users.staff, channelId: f.supportChannelId, content: 'Billing question', mentionBot: true });
    await vi.waitFor(() => expect(botMessages(h.sim, first.id)).toHaveLength(1));
    const followUp = h.sim.actions.say({ from: f.users.staff, channelId: first.id, content: 'It was charged twice' });
    await vi.waitFor(() => expect(botMessages(h.sim, first.id).map((m) => m.content)).toContain('You said: It was charged twice'));
    const inbound = h.engine.received.find((m) => m.messageId === followUp.id)!;
    expect(inbound.conversation.threadId).toBe(first.id);
    expect(inbound.caller.role).toBe('staff');

    // A thread in general (someone else's) is not the bot's business unless the engine says so.
    const humanThreadStarter = h.sim.actions.say({ from: f.users.member, channelId: f.generalChannelId, content: 'off-topic' });
    h.sim.createThread(f.generalChannelId, humanThreadStarter.id, 'off-topic');
    const inHumanThread = h.sim.actions.say({ from: f.users.member, channelId: humanThreadStarter.id, content: 'lol' });
    const marker = h.sim.actions.say({ from: f.users.staff, channelId: first.id, content: 'marker' });
    await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === marker.id)).toBe(true));
    expect(h.engine.received.some((m) => m.messageId === inHumanThread.id)).toBe(false);
  });

  it('serves DMs as their own conversation', async () => {
    const f = h.sim.world.fixture;
    const dm = h.sim.actions.dm({ from: f.users.member, content: 'hi from DMs' });
    await vi.waitFor(() => expect(botMessages(h.sim, dm.channel_id).map((m) => m.content)).toEqual(['You said: hi from DMs']));
    const inbound = h.engine.received.find((m) => m.messageId === dm.id)!;
    expect(inbound.conversation).toEqual({ platform: 'discord', workspaceId: '@me', channelId: dm.channel_id, threadId: dm.channel_id });
    expect(inbound.caller.role).toBe('member');
  });

  it('ignores other bots and its own messages', async () => {
    const f = h.sim.world.fixture;
    const before = h.engine.received.length;
    h.sim.actions.say({ from: f.users.otherBot, channelId: f.supportChannelId, content: 'beep', mentionBot: true });
    const marker = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'after the bot', mentionBot: true });
    await vi.waitFor(() => expect(botMessages(h.sim, marker.id)).toHaveLength(1));
    // Only the human message reached the engine; the bot's own reply (also dispatched) did not.
    expect(h.engine.received.slice(before).map((m) => m.messageId)).toEqual([marker.id]);
  });

  it('shows typing while the engine works, re-sent until stopped', async () => {
    const f = h.sim.world.fixture;
    h.engine.respond = async (message, channel) => {
      const stop = await channel.startWorking!(message.conversation);
      await new Promise((r) => setTimeout(r, 60));
      await stop();
      await channel.postMessage(message.conversation, { text: 'done' });
    };
    const asked = h.sim.actions.dm({ from: f.users.staff, content: 'slow one' });
    await vi.waitFor(() => expect(botMessages(h.sim, asked.channel_id).map((m) => m.content)).toContain('done'));
    const typing = h.sim.requestsTo('POST', '/channels/:channelId/typing').filter((r) => r.params.channelId === asked.channel_id);
    expect(typing.length).toBeGreaterThanOrEqual(1);
  });
});
