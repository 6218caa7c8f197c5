import { afterEach, describe, expect, it } from 'vitest';
import { IDS, type SlackHarness, blockText, startSlackHarness } from './harness';

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

async function mention(text = 'hi') {
  const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> ${text}`);
  await h.delivery.event(h.payloads.appMention(post));
  await h.settle();
  return post;
}

describe('rate limits (429)', () => {
  it('waits for Retry-After and then delivers', async () => {
    const waits: number[] = [];
    h = await startSlackHarness({ adapter: { sleep: async (ms) => void waits.push(ms) } });
    h.sim.failNext('chat.postMessage', { retryAfter: 2 });
    const post = await mention();
    expect(waits).toEqual([2_000]);
    expect(h.sim.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(h.sim.workspace.botMessagesIn(IDS.support, post.ts)).toHaveLength(1);
    expect(h.logger.entries.some((e) => e.msg === 'slack rate limited; waiting')).toBe(true);
  });

  it('really waits (real clock)', async () => {
    h = await startSlackHarness();
    h.sim.failNext('chat.update', { retryAfter: 1 });
    const started = Date.now();
    const post = await mention();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(blockText(replies[0]!.blocks)).toContain('You said: hi');
  });

  it('does not wait beyond its bound; gives up with a retryable rate-limit error', async () => {
    const waits: number[] = [];
    h = await startSlackHarness({ adapter: { sleep: async (ms) => void waits.push(ms), maxRateLimitWaitMs: 5_000 } });
    h.sim.failNext('chat.postMessage', { retryAfter: 120, times: 10 });
    await mention();
    expect(waits).toEqual([]);
    const failure = h.logger.entries.find((e) => e.msg === 'slack message not delivered' || e.msg === 'slack turn failed');
    expect(failure).toBeDefined();
    expect(JSON.stringify(h.logger.entries)).toContain('slack_rate_limited');
  });

  it('stops after a bounded number of consecutive 429s', async () => {
    const waits: number[] = [];
    h = await startSlackHarness({ adapter: { sleep: async (ms) => void waits.push(ms) } });
    h.sim.failNext('chat.postMessage', { retryAfter: 1, times: 50 });
    await mention();
    // Every call (placeholder, answer, error notice) waits at most 3 times, then gives up.
    const calls = h.sim.callsTo('chat.postMessage').length;
    expect(waits.every((ms) => ms === 1_000)).toBe(true);
    expect(waits.length).toBeLessThanOrEqual(9);
    expect(calls).toBe((waits.length / 3) * 4);
  });
});

describe('other platform errors', () => {
  it('logs and tells the user when Slack refuses the answer', async () => {
    h = await startSlackHarness();
    // Placeholder posts fine; the answer (update, then a fresh post) is refused.
    h.sim.failNext('chat.update', { error: 'msg_too_long' });
    h.sim.failNext('chat.postMessage', { error: 'msg_too_long', after: 1 });
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> hi`);
    await h.delivery.event(h.payloads.appMention(post));
    await h.settle();
    const texts = h.sim.workspace.botMessagesIn(IDS.support, post.ts).map((m) => m.text);
    expect(texts).toEqual([expect.stringMatching(/could not post my answer/)]); // placeholder retired
    const logged = h.logger.entries.find((e) => e.msg === 'slack message not delivered');
    expect(logged?.obj).toMatchObject({ slackError: 'msg_too_long' });
  });

  it('logs the failure when the thread itself is unreachable', async () => {
    h = await startSlackHarness();
    h.sim.workspace.channels.get(IDS.support)!.botMember = false; // bot removed from the channel
    await mention();
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    expect(errors.map((e) => e.msg)).toContain('slack turn failed');
    expect(JSON.stringify(errors)).toContain('slack_not_in_channel');
  });
});

describe('long answers', () => {
  it('splits within Slack limits, keeps order, and never splits a code block that fits', async () => {
    h = await startSlackHarness();
    const paragraphs = Array.from({ length: 420 }, (_, i) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(14).trim()}.`);
    const code = ['```ts', ...Array.from({ length: 60 }, (_, i) => `const line${i} = ${i}; // keep together`), '```'].join('\n');
    const hugeCode = ['```', ...Array.from({ length: 300 }, (_, i) => `row ${i} ${'x'.repeat(40)}`), '```'].join('\n');
    paragraphs.splice(200, 0, code);
    paragraphs.splice(300, 0, hugeCode);
    h.engine.reply = () => paragraphs.join('\n\n');
    const post = await mention('tell me everything');

    const messages = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(messages.length).toBeGreaterThanOrEqual(2); // more than 50 sections → several messages
    const sections: string[] = [];
    for (const m of messages) {
      const blocks = m.blocks as Array<{ type: string; text?: { text: string } }>;
      expect(blocks.length).toBeLessThanOrEqual(50);
      for (const b of blocks) {
        expect(b.text!.text.length).toBeLessThanOrEqual(3_000);
        expect((b.text!.text.match(/```/g) ?? []).length % 2).toBe(0); // fences balanced in every section
        sections.push(b.text!.text);
      }
    }
    const all = sections.join('\n');
    const order = [0, 150, 199, 250, 419].map((i) => all.indexOf(`Paragraph ${i}:`));
    expect(order.every((pos, i) => pos >= 0 && (i === 0 || pos > order[i - 1]!))).toBe(true);
    const holder = sections.filter((s) => s.includes('const line0'));
    expect(holder).toHaveLength(1);
    expect(holder[0]).toContain('const line59');
    expect(all).toContain('row 299');
  });
});
