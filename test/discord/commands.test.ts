import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandReplyEmbed } from '../../adapters/discord/command-embed';
import { embedSize } from '../../adapters/discord/embed-limits';
import type { CommandReply } from '../../src/ports';
import type { SimInteraction } from '../simulators/discord/discord-simulator';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function answered(interaction: SimInteraction) {
  // A deferred reply shows "thinking…" (Loading) until the bot edits it.
  await vi.waitFor(() => expect((interaction.original?.flags ?? MessageFlags.Loading) & MessageFlags.Loading).toBe(0));
  return interaction.original!;
}

describe('/support commands', () => {
  it('/support status: deferred ephemerally at once, then the engine reply as an embed', async () => {
    const f = h.sim.world.fixture;
    h.engine.commandReply = () => ({
      ok: true,
      title: 'Support agent status',
      sections: [
        { title: 'Model', lines: ['gpt-4o-mini (openai)', 'breaker: closed'] },
        { title: 'Queues', lines: ['2 pending approvals', '1 open escalation'] },
      ],
      text: 'status',
    });
    const run = h.sim.actions.command({ by: f.users.staff, channelId: f.supportChannelId, subcommand: 'status' });
    const reply = await answered(run);
    expect(run.ack).toMatchObject({ type: InteractionResponseType.DeferredChannelMessageWithSource, ephemeral: true });
    expect(run.ack!.at - run.createdAt).toBeLessThan(3_000);
    expect(reply.flags! & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.embeds[0]).toMatchObject({
      title: 'Support agent status',
      fields: [
        { name: 'Model', value: 'gpt-4o-mini (openai)\nbreaker: closed', inline: false },
        { name: 'Queues', value: '2 pending approvals\n1 open escalation', inline: false },
      ],
    });
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'status', args: [], caller: { userId: f.users.staff, role: 'staff' }, conversation: undefined });
    // Ephemeral: nothing landed in the channel.
    expect(h.sim.messagesIn(f.supportChannelId).some((m) => m.id === reply.id)).toBe(false);
  });

  it('/support cost passes `all` for the admin view (boolean or string option)', async () => {
    const f = h.sim.world.fixture;
    await answered(h.sim.actions.command({ by: f.users.admin, channelId: f.generalChannelId, subcommand: 'cost', options: { all: true } }));
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'cost', args: ['all'], caller: { role: 'admin' } });
    await answered(h.sim.actions.command({ by: f.users.admin, channelId: f.generalChannelId, subcommand: 'cost', options: { all: 'all' } }));
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'cost', args: ['all'] });
    await answered(h.sim.actions.command({ by: f.users.member, channelId: f.generalChannelId, subcommand: 'cost' }));
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'cost', args: [], caller: { role: 'member' } });
  });

  it('/support forget: "me" by default, a chosen member by id, scoped to the server (or the DMs)', async () => {
    const f = h.sim.world.fixture;
    await answered(h.sim.actions.command({ by: f.users.member, channelId: f.generalChannelId, subcommand: 'forget' }));
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'forget', args: ['me'], workspaceId: f.guildId, caller: { userId: f.users.member } });
    await answered(h.sim.actions.command({ by: f.users.admin, channelId: f.generalChannelId, subcommand: 'forget', options: { user: { user: f.users.member2 } } }));
    expect(h.engine.commands.at(-1)).toMatchObject({ name: 'forget', args: [f.users.member2], caller: { role: 'admin' } });
    // Naming yourself is the same as "me".
    await answered(h.sim.actions.command({ by: f.users.member, channelId: f.generalChannelId, subcommand: 'forget', options: { user: { user: f.users.member } } }));
    expect(h.engine.commands.at(-1)).toMatchObject({ args: ['me'] });
    const dm = h.sim.actions.dmChannel(f.users.outsider);
    await answered(h.sim.actions.command({ by: f.users.outsider, channelId: dm.id, subcommand: 'forget' }));
    expect(h.engine.commands.at(-1)).toMatchObject({ args: ['me'], workspaceId: '@me' });
  });

  it('/support help in a DM carries the DM conversation and the looked-up role', async () => {
    const f = h.sim.world.fixture;
    const dmChannel = h.sim.actions.dmChannel(f.users.outsider);
    await answered(h.sim.actions.command({ by: f.users.outsider, channelId: dmChannel.id, subcommand: 'help' }));
    expect(h.engine.commands.at(-1)).toMatchObject({
      name: 'help',
      caller: { userId: f.users.outsider, role: 'guest' },
      conversation: { platform: 'discord', workspaceId: '@me', channelId: dmChannel.id, threadId: dmChannel.id },
    });
  });

  it('/support handback in a thread names that thread as the conversation', async () => {
    const f = h.sim.world.fixture;
    const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'thread for handback', mentionBot: true });
    await vi.waitFor(() => expect(h.sim.world.channels.has(asked.id)).toBe(true));
    h.engine.commandReply = (input) => ({ ok: false, title: 'Hand back', sections: [], text: `Not handed off (${input.conversation?.threadId})` });
    const reply = await answered(h.sim.actions.command({ by: f.users.staff, channelId: asked.id, subcommand: 'handback' }));
    expect(h.engine.commands.at(-1)).toMatchObject({
      name: 'handback',
      conversation: { workspaceId: f.guildId, channelId: f.supportChannelId, threadId: asked.id },
    });
    expect(reply.embeds[0]).toMatchObject({ title: 'Hand back', description: `Not handed off (${asked.id})`, color: 0xda373c });
  });

  it('keeps huge replies inside embed limits and says what was left out', async () => {
    const f = h.sim.world.fixture;
    h.engine.commandReply = () => ({
      ok: true,
      title: 'Spend report',
      sections: Array.from({ length: 30 }, (_, i) => ({ title: `Day ${i + 1}`, lines: Array.from({ length: 40 }, (_, j) => `user${j}: $${j}.00`) })),
      text: 'big',
    });
    const reply = await answered(h.sim.actions.command({ by: f.users.admin, channelId: f.generalChannelId, subcommand: 'cost', options: { all: true } }));
    const embed = reply.embeds[0]!;
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
    expect(embedSize(embed)).toBeLessThanOrEqual(6000);
    for (const field of embed.fields!) expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(embed.footer?.text).toMatch(/^\d+ more sections not shown$/);
  });

  it('tells the user when the engine fails, instead of leaving "thinking…"', async () => {
    const f = h.sim.world.fixture;
    h.engine.commandReply = () => {
      throw new Error('boom');
    };
    const reply = await answered(h.sim.actions.command({ by: f.users.member, channelId: f.generalChannelId, subcommand: 'status' }));
    expect(reply.content).toBe('Sorry, something went wrong on my side. Please try again in a moment.');
    expect(h.logger.lines.some((l) => l.level === 'error' && l.msg === 'discord interaction failed')).toBe(true);
  });

  it('answers an unknown subcommand directly, without the engine', async () => {
    const f = h.sim.world.fixture;
    const before = h.engine.commands.length;
    const run = h.sim.actions.command({ by: f.users.member, channelId: f.generalChannelId, subcommand: 'reboot' });
    await vi.waitFor(() => expect(run.ack?.type).toBe(InteractionResponseType.ChannelMessageWithSource));
    expect(run.original?.content).toBe('I do not know that command. Try `/support help`.');
    expect(h.engine.commands.length).toBe(before);
  });
});

describe('commandReplyEmbed', () => {
  const reply = (sections: CommandReply['sections']): CommandReply => ({ ok: true, title: 'T', sections, text: 'plain' });

  it('uses the plain text when there are no sections', () => {
    expect(commandReplyEmbed(reply([]))).toMatchObject({ title: 'T', description: 'plain', fields: [] });
  });

  it('never sends an empty field value (Discord rejects it)', () => {
    expect(commandReplyEmbed(reply([{ title: 'Empty', lines: [] }])).fields).toEqual([{ name: 'Empty', value: '—', inline: false }]);
  });

  it('cuts long sections at a line boundary', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'z'.repeat(20)}`);
    const value = commandReplyEmbed(reply([{ title: 'Long', lines }])).fields![0]!.value;
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(value.endsWith('\n…')).toBe(true);
    expect(value.split('\n').slice(0, -1).every((l) => lines.includes(l))).toBe(true);
  });

  it('drops fields past 25 with a note', () => {
    const embed = commandReplyEmbed(reply(Array.from({ length: 27 }, (_, i) => ({ title: `S${i}`, lines: ['x'] }))));
    expect(embed.fields).toHaveLength(25);
    expect(embed.footer?.text).toBe('2 more sections not shown');
  });
});
