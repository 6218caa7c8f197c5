import type { APIMessage } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { splitMessage } from '../../adapters/discord/split-message';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** Streamed answers through the real engine, discord.js and the simulator (which enforces the edit bucket). */
let h: EngineDiscordHarness;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
});
afterEach(async () => {
  await h?.close();
});

const f = () => h.sim.world.fixture;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const buttonsOf = (m: APIMessage) => ((m.components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));
/** What a finished answer offers: the feedback controls, never Stop. */
const finalButtons = (threadId: string) => [`feedback:up:${threadId}`, `feedback:down:${threadId}`, `conversation:human:${threadId}`, `conversation:solved:${threadId}`];
const contentOf = (body: unknown) => (body as { content?: string }).content ?? '';
const MIN_GAP_MS = 1_500;

/** Ask in the support channel; resolves with the thread id once the turn has finished. */
async function ask(text: string): Promise<string> {
  const mention = h.sim.actions.say({ from: f().users.member, channelId: f().supportChannelId, content: text, mentionBot: true });
  return mention.id;
}

function expectSpacedEdits(messageId: string): void {
  const times = h.sim.edits(messageId).map((e) => e.at);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(MIN_GAP_MS);
}

describe('streamed answers in Discord', () => {
  it('arrive as one message edited as text comes in, at most once every 1.5 s, without a 429', async () => {
    const answer = Array.from({ length: 24 }, (_, i) => `word${i}`).join(' ');
    h.model.answer = (text) => (text === 'tell me slowly' ? answer : undefined);
    h.model.between = () => sleep(200); // about 5 s of writing
    const threadId = await ask('tell me slowly');

    await vi.waitFor(() => expect(botMessages(h.sim, threadId).map((m) => m.content)).toEqual([answer]), { timeout: 15_000 });
    const [message] = botMessages(h.sim, threadId);
    const edits = h.sim.edits(message!.id);
    // Shown while written: several edits, each a longer prefix of the answer, the Stop button until the end.
    expect(edits.length).toBeGreaterThanOrEqual(3);
    const shown = edits.map((e) => contentOf(e.body));
    for (const [i, text] of shown.entries()) {
      expect(answer.startsWith(text.trim())).toBe(true);
      if (i > 0) expect(text.length).toBeGreaterThanOrEqual(shown[i - 1]!.length);
    }
    await vi.waitFor(() => expect(buttonsOf(h.sim.world.messages.get(message!.id)!)).toEqual(finalButtons(threadId)));
    expectSpacedEdits(message!.id);
    expect(h.sim.edits().filter((e) => e.status === 429)).toEqual([]);
  });

  it('continues a 5,000-character answer in new messages, split as a posted answer is, losing nothing', async () => {
    const paragraph = (n: number) => Array.from({ length: 40 }, (_, i) => `p${n}w${i}`).join(' ');
    let answer = '';
    for (let n = 0; answer.length < 5_000; n++) answer += `${answer === '' ? '' : '\n\n'}${paragraph(n)}`;
    h.model.answer = (text) => (text === 'tell me everything' ? answer : undefined);
    let pieces = 0;
    h.model.between = () => (++pieces % 60 === 0 ? sleep(400) : Promise.resolve());
    const threadId = await ask('tell me everything');

    const expected = splitMessage(answer);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    await vi.waitFor(() => expect(botMessages(h.sim, threadId).map((m) => m.content)).toEqual(expected), { timeout: 15_000 });
    const messages = botMessages(h.sim, threadId);
    expect(messages.every((m) => m.content.length <= 2_000)).toBe(true);
    // Stop is gone everywhere; the answer's controls sit under its last message only.
    expect(messages.map((m) => buttonsOf(m))).toEqual([...messages.slice(1).map(() => []), finalButtons(threadId)]);
    // Nothing lost, nothing repeated: the words read back in order.
    expect(messages.map((m) => m.content).join(' ').split(/\s+/)).toEqual(answer.split(/\s+/));
    for (const m of messages) expectSpacedEdits(m.id);
    expect(h.sim.requests.filter((r) => r.status === 429)).toEqual([]);
    // Messages are continued, not re-posted: each was created once, while the answer was still being written.
    const posts = h.sim.requestsTo('POST', '/channels/:channelId/messages').filter((r) => r.params.channelId === threadId);
    expect(posts).toHaveLength(messages.length);
    expect(posts.every((p) => JSON.stringify(p.body).includes(`turn:stop:${threadId}`))).toBe(true);
  });

  it('posts an answer that came at once as a single message, like postMessage', async () => {
    const threadId = await ask('hello');
    await vi.waitFor(() => expect(botMessages(h.sim, threadId).map((m) => m.content)).toEqual(['Echo: hello']));
    await vi.waitFor(() => expect(buttonsOf(botMessages(h.sim, threadId)[0]!)).toEqual(finalButtons(threadId)));
  });
});
