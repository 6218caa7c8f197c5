import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimMessage } from '../simulators/slack/state';
import { type EngineSlackHarness, startEngineSlackHarness } from './e2e-harness';
import { IDS, blockText } from './harness';

/**
 * "Nothing done twice": Slack retries, redelivers and sends two events for one
 * post. The adapter gives every copy the same message id and the real engine
 * (SQLite store, `inbound:` markers) answers it once. A fake engine would
 * only test itself, so these run against the real one.
 */
let h: EngineSlackHarness;

beforeEach(async () => {
  h = await startEngineSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const textOf = (m: SimMessage) => `${m.text}\n${blockText(m.blocks)}`;
/** What the user sees in a thread (placeholders that were replaced count once). */
const botTexts = (channel: string, threadTs?: string) => h.sim.workspace.botMessagesIn(channel, threadTs).map(textOf);
const answersTo = (channel: string, threadTs: string | undefined, text: string) =>
  botTexts(channel, threadTs).filter((t) => t.includes(`Echo: ${text}`));

async function mention(text: string): Promise<SimMessage> {
  const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> ${text}`);
  expect((await h.delivery.event(h.payloads.appMention(root))).status).toBe(200);
  await h.settle();
  return root;
}

describe('one answer per Slack post, whatever Slack delivers', () => {
  it('answers once when Slack retries the delivery (X-Slack-Retry-Num 1..3)', async () => {
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> order status?`);
    const envelope = h.payloads.appMention(post);
    expect((await h.delivery.event(envelope)).status).toBe(200);
    for (const retryNum of [1, 2, 3]) {
      expect((await h.delivery.event(envelope, { retryNum, retryReason: retryNum === 1 ? 'http_timeout' : 'http_error' })).status).toBe(200);
    }
    await h.settle();
    expect(botTexts(IDS.support, post.ts)).toEqual([expect.stringContaining('Echo: order status?')]);
  });

  it('asks for one approval when a refund request is retried', async () => {
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> please refund order 1042`);
    const envelope = h.payloads.appMention(post);
    await Promise.all([h.delivery.event(envelope), h.delivery.event(envelope, { retryNum: 1 })]);
    await h.settle();
    expect(botTexts(IDS.support, post.ts).filter((t) => t.includes('Approval needed'))).toHaveLength(1);
    // The model's reply and the card, and no "still waiting for a decision" for a second copy.
    expect(botTexts(IDS.support, post.ts)).toHaveLength(2);
  });

  it('answers once when a retry races the first delivery', async () => {
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> racing`);
    const envelope = h.payloads.appMention(post);
    await Promise.all([h.delivery.event(envelope), h.delivery.event(envelope, { retryNum: 1 }), h.delivery.event(envelope, { retryNum: 2 })]);
    await h.settle();
    expect(botTexts(IDS.support, post.ts)).toEqual([expect.stringContaining('Echo: racing')]);
  });

  it('answers once for the message + app_mention pair Slack sends for a mention in an active thread', async () => {
    const root = await mention('first');
    const again = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> second`, root.ts);
    await Promise.all([h.delivery.event(h.payloads.message(again)), h.delivery.event(h.payloads.appMention(again))]);
    await h.settle();
    expect(answersTo(IDS.support, root.ts, 'second')).toHaveLength(1);
    expect(botTexts(IDS.support, root.ts)).toHaveLength(2);
  });

  it('answers once for the pair when the follow-up carries no mention but app_mention arrives anyway', async () => {
    // Slack sends app_mention for the post and a message event into the active thread; both name the same ts.
    const root = await mention('first');
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'plain follow-up', root.ts);
    await Promise.all([h.delivery.event(h.payloads.message(followUp)), h.delivery.event(h.payloads.appMention(followUp))]);
    await h.settle();
    expect(answersTo(IDS.support, root.ts, 'plain follow-up')).toHaveLength(1);
  });

  it('answers once when the same post is redelivered later under a new event id', async () => {
    const root = await mention('first');
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'where is it?', root.ts);
    expect((await h.delivery.event(h.payloads.message(followUp))).status).toBe(200);
    await h.settle();
    // Redelivered after the answer went out: a new envelope and event id, the same post.
    expect((await h.delivery.event(h.payloads.message(followUp))).status).toBe(200);
    expect((await h.delivery.event(h.payloads.message(followUp), { retryNum: 1 })).status).toBe(200);
    await h.settle();
    expect(answersTo(IDS.support, root.ts, 'where is it?')).toHaveLength(1);
    expect(botTexts(IDS.support, root.ts)).toHaveLength(2);
  });

  it('answers a DM once across retries and redeliveries', async () => {
    const dm = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'hi in private');
    const envelope = h.payloads.message(dm);
    await Promise.all([h.delivery.event(envelope), h.delivery.event(envelope, { retryNum: 1 })]);
    await h.settle();
    expect((await h.delivery.event(h.payloads.message(dm))).status).toBe(200);
    await h.settle();
    expect(botTexts(IDS.dmMember)).toEqual([expect.stringContaining('Echo: hi in private')]);
  });

  it('still answers two different posts with the same text', async () => {
    const root = await mention('same words');
    const again = h.sim.workspace.userPost(IDS.support, IDS.member, 'same words', root.ts);
    expect((await h.delivery.event(h.payloads.message(again))).status).toBe(200);
    await h.settle();
    expect(answersTo(IDS.support, root.ts, 'same words')).toHaveLength(2);
  });

  it('answers once when Socket Mode redelivers an envelope', async () => {
    await h.close();
    h = await startEngineSlackHarness({ socketMode: true });
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> over the socket`);
    const envelope = h.payloads.appMention(post);
    expect((await h.sim.socketMode.send('events_api', envelope)).envelope_id).toBeTruthy();
    await h.sim.socketMode.send('events_api', envelope, { retryAttempt: 1 });
    await h.settle();
    expect(botTexts(IDS.support, post.ts)).toEqual([expect.stringContaining('Echo: over the socket')]);
  });
});
