import type { APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Caller, MessageRef, ReplyStream } from '../../src/ports';
import { botMessages, startHarness, type Harness } from './harness';

/** DiscordChannel.openStream through discord.js and the simulator, driven step by step as the engine would. */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.stop();
});

const recipient: Caller = { userId: '1', platform: 'discord', displayName: 'Max', role: 'member' };
const current = (m: APIMessage) => h.sim.world.messages.get(m.id)!;
const buttonsOf = (m: APIMessage) => ((current(m).components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));

/** Open a stream in a fresh support thread; `use` runs inside the engine's turn. */
async function withStream(use: (stream: ReplyStream, threadId: string) => Promise<void>): Promise<string> {
  const f = h.sim.world.fixture;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let failure: unknown;
  h.engine.respond = async (message, channel) => {
    try {
      const stream = await channel.openStream!(message.conversation, { recipient });
      await use(stream!, message.conversation.threadId);
    } catch (error) {
      failure = error; // an assertion inside the turn fails the test, not the engine
    } finally {
      done();
    }
  };
  const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'look it up', mentionBot: true });
  await finished;
  if (failure) throw failure;
  return asked.id;
}

describe('DiscordChannel.openStream', () => {
  it('shows tool steps as progress lines with a Stop button, then cancel keeps the text and drops both', async () => {
    const threadId = await withStream(async (stream, thread) => {
      await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'in_progress' });
      await vi.waitFor(() => expect(botMessages(h.sim, thread).map((m) => m.content)).toEqual(['🔎 Looking up order ORD-1001…']));
      expect(buttonsOf(botMessages(h.sim, thread)[0]!)).toEqual([`turn:stop:${thread}`]);
      await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' });
      await stream.progress({ id: 'call_2', title: 'Checking the refund policy', status: 'error' });
      await stream.append('Your order shipped yesterday.');
      await vi.waitFor(() =>
        expect(botMessages(h.sim, thread)[0]!.content).toBe('Your order shipped yesterday.\n\n✅ Looking up order ORD-1001\n⚠️ Checking the refund policy'),
      );
      await stream.cancel();
    });
    const [message, ...others] = botMessages(h.sim, threadId);
    expect(others).toEqual([]);
    expect(current(message!).content).toBe('Your order shipped yesterday.');
    expect(buttonsOf(message!)).toEqual([]);
  });

  it('keeps a full message plus progress lines within 2,000 characters', async () => {
    const threadId = await withStream(async (stream, thread) => {
      await stream.progress({ id: 'a', title: 'a'.repeat(145), status: 'in_progress' });
      await stream.progress({ id: 'b', title: 'b'.repeat(145), status: 'in_progress' });
      await stream.append('x'.repeat(1_700));
      // All of the text is on screen, with the progress lines, and every write was accepted.
      await vi.waitFor(() => expect(botMessages(h.sim, thread).map((m) => m.content.replace(/[^x]/g, '')).join('')).toBe('x'.repeat(1_700)));
      expect(botMessages(h.sim, thread).at(-1)!.content).toContain(`🔎 ${'b'.repeat(145)}…`);
      await stream.finish({ text: 'x'.repeat(1_700) });
    });
    expect(h.sim.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(botMessages(h.sim, threadId).map((m) => m.content)).toEqual(['x'.repeat(1_700)]);
  });

  it('posts the final answer itself when creating the streamed message failed, and never throws', async () => {
    let ref: MessageRef | undefined;
    h.sim.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/, status: 403, code: 50013, message: 'Missing Permissions' });
    const threadId = await withStream(async (stream, thread) => {
      await stream.append('Partial ');
      await vi.waitFor(() => expect(h.sim.requestsTo('POST', '/channels/:channelId/messages').some((r) => r.params.channelId === thread && r.status === 403)).toBe(true));
      ref = await stream.finish({ text: 'Partial answer, complete.' });
    });
    expect(botMessages(h.sim, threadId).map((m) => m.content)).toEqual(['Partial answer, complete.']);
    expect(ref?.messageId).toBe(botMessages(h.sim, threadId)[0]!.id);
    expect(h.logger.dump()).toContain('discord streamed reply write failed');
  });

  it('does not hammer Discord when writes keep failing (invalid requests get a bot banned)', async () => {
    h.sim.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/, status: 403, code: 50013, message: 'Missing Permissions', times: 1_000 });
    let finished: MessageRef | undefined | 'not yet' = 'not yet';
    const threadId = await withStream(async (stream, thread) => {
      await stream.append('Partial ');
      await vi.waitFor(() => expect(h.sim.requestsTo('POST', '/channels/:channelId/messages').some((r) => r.params.channelId === thread)).toBe(true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stream.append('more');
      finished = await stream.finish({ text: 'Partial more' });
    });
    // One try while streaming (the next would wait out the interval), one at finish; finish reports nothing shown.
    expect(h.sim.requestsTo('POST', '/channels/:channelId/messages').filter((r) => r.params.channelId === threadId).map((r) => r.status)).toEqual([403, 403]);
    expect(finished).toBeUndefined();
  });
});
