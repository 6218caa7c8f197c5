import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlatformError } from '../../src/errors';
import type { ConversationRef } from '../../src/ports';
import { botMessages, startHarness, type Harness } from './harness';

let h: Harness;
let conversation: ConversationRef;
beforeAll(async () => {
  h = await startHarness({ adapter: { typingIntervalMs: 25 } });
  const f = h.sim.world.fixture;
  const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'channel tests', mentionBot: true });
  // Handled, not just received: tests below count the bot's messages after this first answer.
  await vi.waitFor(() => expect(h.engine.hasHandled(asked.id)).toBe(true));
  conversation = h.engine.received.find((m) => m.messageId === asked.id)!.conversation;
});
afterAll(async () => {
  await h?.stop();
});

const fenceCount = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('```')).length;

describe('DiscordChannel through the real client', () => {
  it('splits long answers into messages of at most 2,000 characters with code blocks intact', async () => {
    const code = ['```js', ...Array.from({ length: 40 }, (_, i) => `console.log("step ${i}");`), '```'].join('\n');
    const prose = Array.from({ length: 400 }, (_, i) => `token${i}`).join(' ');
    const answer = `${prose}\n\n${code}\n\n${prose} THE-END`;
    h.engine.respond = async (message, channel) => {
      await channel.postMessage(message.conversation, { text: answer });
    };
    const f = h.sim.world.fixture;
    const asked = h.sim.actions.say({ from: f.users.member, channelId: conversation.threadId, content: 'long one please' });
    await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === asked.id)).toBe(true));
    await vi.waitFor(() => expect(botMessages(h.sim, conversation.threadId).map((m) => m.content).join('\n')).toContain('THE-END'));
    const parts = botMessages(h.sim, conversation.threadId).slice(1).map((m) => m.content);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(fenceCount(part) % 2).toBe(0);
    }
    expect(parts.filter((p) => p.includes(code))).toHaveLength(1);
    const words = (t: string) => t.split(/\s+/).filter(Boolean);
    expect(parts.flatMap(words)).toEqual(words(answer));
    expect(h.sim.requestsTo('POST', '/channels/:channelId/messages').every((r) => r.status === 200)).toBe(true);
  });

  it('re-sends typing until stopped, then stops', async () => {
    const typingCount = () => h.sim.requestsTo('POST', '/channels/:channelId/typing').filter((r) => r.params.channelId === conversation.threadId).length;
    const before = typingCount();
    const stop = await h.engine.channel!.startWorking!(conversation);
    await vi.waitFor(() => expect(typingCount() - before).toBeGreaterThanOrEqual(3));
    await stop();
    const atStop = typingCount();
    await new Promise((r) => setTimeout(r, 100));
    expect(typingCount()).toBe(atStop);
  });

  it('waits out a 429 through discord.js and logs the rate limit instead of swallowing it', async () => {
    h.sim.rateLimitNext({ method: 'POST', path: new RegExp(`^/channels/${conversation.threadId}/messages$`), retryAfter: 0.3 });
    const started = Date.now();
    const ref = await h.engine.channel!.postMessage(conversation, { text: 'after the rate limit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(ref).toMatchObject({ platform: 'discord', channelId: conversation.threadId });
    expect(h.sim.messagesIn(conversation.threadId).at(-1)!.content).toBe('after the rate limit');
    expect(h.sim.requests.some((r) => r.status === 429)).toBe(true);
    const logged = h.logger.lines.find((l) => l.obj.event === 'rateLimited');
    expect(logged).toMatchObject({ level: 'warn', obj: { route: '/channels/:id/messages', method: 'POST' } });
    // Not the URL: for interaction webhooks it carries the interaction token.
    expect(Object.keys(logged!.obj)).not.toContain('url');
  });

  it('surfaces Discord refusals as PlatformErrors with Discord’s code', async () => {
    h.sim.failNext({ method: 'POST', path: new RegExp(`^/channels/${conversation.threadId}/messages$`), status: 403, code: 50013, message: 'Missing Permissions' });
    const error = await h.engine.channel!.postMessage(conversation, { text: 'will fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: 'discord_50013', retryable: false });
    expect((error as Error).message).toContain('Missing Permissions');
  });

  it('posts nothing for an empty answer (Discord would reject it)', async () => {
    const count = h.sim.requestsTo('POST', '/channels/:channelId/messages').length;
    expect(await h.engine.channel!.postMessage(conversation, { text: '   ' })).toBeUndefined();
    expect(h.sim.requestsTo('POST', '/channels/:channelId/messages').length).toBe(count);
  });

  it('never pings: every message goes out with allowed_mentions.parse = []', async () => {
    await h.engine.channel!.postMessage(conversation, { text: 'Hey @everyone, look' });
    const last = h.sim.requestsTo('POST', '/channels/:channelId/messages').at(-1)!;
    expect(last.body).toMatchObject({ content: 'Hey @everyone, look', allowed_mentions: { parse: [] } });
  });

  it('tells the user when the engine throws, and logs it', async () => {
    h.engine.respond = async () => {
      throw new Error('engine exploded');
    };
    const f = h.sim.world.fixture;
    h.sim.actions.say({ from: f.users.member, channelId: conversation.threadId, content: 'break please' });
    await vi.waitFor(() =>
      expect(h.sim.messagesIn(conversation.threadId).at(-1)!.content).toBe('Sorry, something went wrong on my side. Please try again in a moment.'),
    );
    expect(h.logger.lines.some((l) => l.level === 'error' && l.msg === 'engine failed on a discord message')).toBe(true);
  });

  it('logs and skips a mention when the thread cannot be opened', async () => {
    const f = h.sim.world.fixture;
    h.sim.failNext({ method: 'POST', path: /\/threads$/, status: 403, code: 50013, message: 'Missing Permissions' });
    const before = h.engine.received.length;
    const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'no threads for you', mentionBot: true });
    await vi.waitFor(() => expect(h.logger.lines.some((l) => l.msg === 'could not open a discord support thread')).toBe(true));
    expect(h.logger.lines.find((l) => l.msg === 'could not open a discord support thread')!.obj).toMatchObject({ code: 'discord_50013', messageId: asked.id });
    expect(h.engine.received.length).toBe(before);
  });
});
