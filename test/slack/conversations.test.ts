import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDS, type SlackHarness, blockText, startSlackHarness } from './harness';

let h: SlackHarness;

beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

/** A user mentions the bot at the top of #support and the adapter is given time to finish. */
async function mention(text = 'hello there', user: string = IDS.member) {
  const post = h.sim.workspace.userPost(IDS.support, user, `<@${h.sim.botUserId}> ${text}`);
  const res = await h.delivery.event(h.payloads.appMention(post));
  expect(res.status).toBe(200);
  await h.settle();
  return post;
}

describe('mentions in channels', () => {
  it('answers a mention in a thread under it, replacing the placeholder in place', async () => {
    const post = await mention('where is my order?');

    expect(h.engine.received).toHaveLength(1);
    const inbound = h.engine.received[0]!;
    expect(inbound.text).toBe('where is my order?');
    expect(inbound.messageId).toBe(`${IDS.support}:${post.ts}`);
    expect(inbound.conversation).toEqual({ platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.support, threadId: post.ts });
    expect(inbound.caller).toMatchObject({ userId: IDS.member, platform: 'slack', role: 'member', displayName: 'mia' });

    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.thread_ts).toBe(post.ts);
    expect(blockText(replies[0]!.blocks)).toContain('You said: where is my order?');
    // The placeholder was posted first, then updated with the answer.
    expect(replies[0]!.updates).toBe(1);
    expect(h.sim.callsTo('chat.postMessage')[0]!.args.text).toMatch(/Working on it/);
    expect(h.sim.callsTo('chat.delete')).toHaveLength(0);
  });

  it('answers a mention inside an existing thread in that thread', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member2, 'the app crashes on login');
    const reply = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> any idea?`, root.ts);
    await h.delivery.event(h.payloads.appMention(reply));
    await h.settle();
    expect(h.engine.received[0]!.conversation.threadId).toBe(root.ts);
    expect(h.sim.workspace.botMessagesIn(IDS.support, root.ts)).toHaveLength(1);
  });

  it('still answers in place when the engine stops working before it posts', async () => {
    h.engine.stopBeforePost = true;
    const post = await mention();
    await new Promise((r) => setTimeout(r, 80)); // longer than the placeholder grace
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.updates).toBe(1);
  });

  it('tells the user when the engine fails', async () => {
    h.engine.failWith = new Error('boom');
    const post = await mention();
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(blockText(replies[0]!.blocks)).toMatch(/something went wrong/i);
    expect(h.logger.entries.some((e) => e.level === 'error' && e.msg === 'slack turn failed')).toBe(true);
  });
});

describe('follow-ups', () => {
  it('answers a follow-up without a mention in a thread the bot is part of', async () => {
    const post = await mention('first question');
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'and another thing', post.ts);
    await h.delivery.event(h.payloads.message(followUp));
    await h.settle();
    expect(h.engine.received.map((m) => m.text)).toEqual(['first question', 'and another thing']);
    expect(h.engine.received[1]!.conversation.threadId).toBe(post.ts);
    expect(h.sim.workspace.botMessagesIn(IDS.support, post.ts)).toHaveLength(2);
  });

  it('ignores threads the bot is not part of and top-level chatter', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, 'lunch?');
    const reply = h.sim.workspace.userPost(IDS.support, IDS.member2, 'sure', root.ts);
    await h.delivery.event(h.payloads.message(root));
    await h.delivery.event(h.payloads.message(reply));
    await h.settle();
    expect(h.engine.received).toHaveLength(0);
    expect(h.sim.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('direct messages', () => {
  it('answers a DM in the DM, and a DM thread as its own session', async () => {
    const dm = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'hi bot');
    await h.delivery.event(h.payloads.message(dm));
    await h.settle();
    expect(h.engine.received[0]!.conversation).toMatchObject({ channelId: IDS.dmMember, threadId: IDS.dmMember });
    const top = h.sim.workspace.botMessagesIn(IDS.dmMember);
    expect(top).toHaveLength(1);
    expect(top[0]!.thread_ts).toBeUndefined();

    const threaded = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'about that', dm.ts);
    await h.delivery.event(h.payloads.message(threaded));
    await h.settle();
    expect(h.engine.received[1]!.conversation.threadId).toBe(dm.ts);
    expect(h.sim.workspace.botMessagesIn(IDS.dmMember, dm.ts).filter((m) => m.thread_ts === dm.ts)).toHaveLength(1);
  });
});

// Exactly one answer per post (retries, redeliveries, the message + app_mention pair) is
// tested against the real engine in deduplication.test.ts: a fake's de-duplication proves nothing.

describe('ignored traffic', () => {
  it('ignores edits, deletions, other bots and its own messages', async () => {
    const post = await mention('first');
    const before = h.sim.calls.length;
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'typo', post.ts);
    const own = h.sim.workspace.botMessagesIn(IDS.support, post.ts)[0]!;

    const envelopes = [
      h.payloads.messageChanged(followUp, `<@${h.sim.botUserId}> fixed typo`),
      h.payloads.messageDeleted(followUp),
      h.payloads.botMessage(IDS.support, 'deploy finished', post.ts),
      h.payloads.appBotMessage(h.sim.workspace.userPost(IDS.support, 'U0OTHERBOT', 'I am a bot', post.ts)),
      h.payloads.message({ ...own, user: h.sim.botUserId }),
      h.payloads.appMention({ ...followUp, text: `<@${h.sim.botUserId}> typo` }),
    ];
    // The last one is an edit that added a mention: Slack marks it `edited`.
    (envelopes[5]!.event as Record<string, unknown>).edited = { user: IDS.member, ts: followUp.ts };
    for (const envelope of envelopes) expect((await h.delivery.event(envelope)).status).toBe(200);
    await h.settle();

    expect(h.engine.received).toHaveLength(1);
    expect(h.sim.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });
});

describe('the working placeholder', () => {
  it('is not shown when the answer comes quickly', async () => {
    await h.close();
    h = await startSlackHarness({ adapter: { placeholderDelayMs: 200 } });
    const post = await mention('quick one');
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies.map((r) => blockText(r.blocks))).toEqual([expect.stringContaining('You said: quick one')]);
    expect(replies[0]!.updates).toBe(0);
    expect(h.sim.callsTo('chat.postMessage')).toHaveLength(1);
    expect(h.sim.callsTo('chat.delete')).toHaveLength(0);
  });

  it('appears when the answer takes longer, and is replaced in place by it', async () => {
    await h.close();
    h = await startSlackHarness({ adapter: { placeholderDelayMs: 50 } });
    h.engine.reply = async (m) => {
      await new Promise((r) => setTimeout(r, 250));
      return `slow: ${m.text}`;
    };
    const post = await mention('slow one');
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(h.sim.callsTo('chat.postMessage')[0]!.args.text).toMatch(/Working on it/);
    expect(replies[0]!.updates).toBe(1);
    expect(blockText(replies[0]!.blocks)).toContain('slow: slow one');
  });
});
