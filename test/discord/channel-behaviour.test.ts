import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChannelType, MessageReferenceType, MessageType, type APIMessage } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/index';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';
import { messageJson, userJson } from '../simulators/discord/payloads';
import type { SimChannel } from '../simulators/discord/world';
import { type RefundEngine, startRefundEngine } from '../support/refund-engine';
import { botMessages, CapturingLogger } from './harness';

/**
 * Per-channel behaviour (AGENT_CONFIG `channels:`) through the real discord.js
 * client, the real engine and the Discord simulator: #ask-anything answers
 * every question, offers no tool groups and escalates to #ask-oncall.
 */
let sim: DiscordSimulator;
let engine: RefundEngine;
let adapter: DiscordAdapter | undefined;
let logger: CapturingLogger;
let dir: string;
let askAll: SimChannel;
let askOncall: SimChannel;

/** A text channel in the fixture guild, added before the bot connects (so the guild it receives lists it). */
function textChannel(name: string): SimChannel {
  const c: SimChannel = { id: sim.world.nextId(), type: ChannelType.GuildText, name, guildId: sim.world.fixture.guildId, parentId: null, ownerId: null, recipientId: null, messageIds: [] };
  sim.world.channels.set(c.id, c);
  return c;
}

async function start(options: { privilegedIntents?: boolean } = {}): Promise<void> {
  sim = await DiscordSimulator.start(options);
  askAll = textChannel('ask-anything');
  askOncall = textChannel('ask-oncall');
  dir = await mkdtemp(path.join(tmpdir(), 'discord-channels-'));
  const config = path.join(dir, 'agent.yaml');
  // Unquoted: YAML integers of 18+ digits must keep every digit.
  await writeFile(config, `channels:\n  ${askAll.id}:\n    respond: all\n    tools: []\n    oncall: ${askOncall.id}\n`);
  engine = await startRefundEngine('discord-channels', { AGENT_CONFIG: config });
  logger = new CapturingLogger();
  adapter = await startDiscord({ engine: engine.app.engine, env: sim.env(), logger, channels: engine.app.channels, readyTimeoutMs: 10_000 });
}

afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  await sim.close();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const f = () => sim.world.fixture;
const textOf = (m: APIMessage) => [m.content, ...m.embeds.flatMap((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((x) => [x.name, x.value])])].filter(Boolean).join('\n');
const say = (channelId: string, content: string, from = f().users.member, mentionBot = false) => sim.actions.say({ from, channelId, content, mentionBot });
/** Wait until the bot wrote something matching `until` in the thread opened from `message`. */
const answered = (message: APIMessage, until: RegExp) => vi.waitFor(() => expect(botMessages(sim, message.id).some((m) => until.test(textOf(m)))).toBe(true), { timeout: 10_000 });

describe('respond: all in Discord', () => {
  it('answers an unmentioned question in a respond: all channel in a thread of its own; a mentions-only channel stays quiet', async () => {
    await start();
    const quiet = say(f().supportChannelId, 'How do I change my billing address?');
    const question = say(askAll.id, 'How do I change my billing address?');
    await answered(question, /Echo: How do I change my billing address\?/);
    expect(sim.threadsOf(askAll.id).map((t) => t.id)).toEqual([question.id]);
    expect(sim.threadsOf(f().supportChannelId)).toEqual([]);
    expect(sim.world.channels.has(quiet.id)).toBe(false);
  });

  it('does not treat bots, messages addressed to someone else or replies to another person as questions', async () => {
    await start();
    say(askAll.id, 'deploy finished', f().users.otherBot);
    say(askAll.id, `<@${f().users.staff}> can you look at my invoice?`);
    const first = say(askAll.id, 'first question');
    await answered(first, /Echo: first question/);
    // A reply to the member's message, as Discord sends it: type 19, message_reference, the replied-to author in mentions.
    const reply = messageJson(sim.world, {
      channelId: askAll.id,
      author: sim.world.users.get(f().users.member2)!,
      content: 'me too',
      type: MessageType.Reply,
      message_reference: { type: MessageReferenceType.Default, message_id: first.id, channel_id: askAll.id, guild_id: f().guildId },
      referenced_message: first,
      mentions: [{ ...userJson(sim.world.users.get(f().users.member)!) }],
    });
    sim.deliver(reply);
    const last = say(askAll.id, 'last question');
    await answered(last, /Echo: last question/);
    expect(sim.threadsOf(askAll.id).map((t) => t.id).sort()).toEqual([first.id, last.id].sort());
  });

  it('a tool the channel does not enable is neither offered nor run, whatever the model asks', async () => {
    await start();
    const question = say(askAll.id, 'please refund order 1042');
    await answered(question, /not available in this channel/);
    expect(engine.refunds).toEqual([]);
    expect(botMessages(sim, question.id).some((m) => /Approval needed/.test(textOf(m)))).toBe(false);
  });

  it('escalations from the channel go to its own on-call channel, others to DISCORD_ONCALL_CHANNEL', async () => {
    await start();
    say(askAll.id, 'I want to talk to a human please');
    await vi.waitFor(() => expect(botMessages(sim, askOncall.id)).toHaveLength(1), { timeout: 10_000 });
    expect(botMessages(sim, f().oncallChannelId)).toEqual([]);
    say(f().supportChannelId, 'I want to talk to a human please', f().users.member, true);
    await vi.waitFor(() => expect(botMessages(sim, f().oncallChannelId)).toHaveLength(1), { timeout: 10_000 });
    expect(botMessages(sim, askOncall.id)).toHaveLength(1);
  });

  it('without the Message Content intent it starts on mentions with a warning: respond: all channels answer mentions only', async () => {
    await start({ privilegedIntents: false });
    expect(logger.dump()).toMatch(/Discord refused the Message Content intent.*respond: all channels answer mentions only/);
    expect(logger.dump()).toContain(askAll.id);
    const unread = say(askAll.id, 'How do I change my billing address?');
    const mentioned = say(askAll.id, 'How do I change my billing address?', f().users.member, true);
    await answered(mentioned, /Echo: How do I change my billing address\?/);
    expect(sim.threadsOf(askAll.id).map((t) => t.id)).toEqual([mentioned.id]);
    expect(sim.world.channels.has(unread.id)).toBe(false);
  });
});
