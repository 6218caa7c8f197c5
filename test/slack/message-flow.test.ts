import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimMessage } from '../simulators/slack/state';
import { type EngineSlackHarness, startEngineSlackHarness } from './e2e-harness';
import { IDS } from './harness';

/** What a person in a busy thread experiences, through Bolt and the real engine. */
let h: EngineSlackHarness;
beforeEach(async () => {
  h = await startEngineSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const answers = (root: SimMessage) => h.sim.workspace.botMessagesIn(IDS.support, root.ts).map((m) => m.text);

describe('Slack threads lose nothing', () => {
  it('answers a follow-up sent while the bot is still writing its first answer', async () => {
    let release: () => void = () => undefined;
    const thinking = new Promise<void>((resolve) => (release = resolve));
    h.model.hold = (text) => (text === 'my order never came' ? thinking : Promise.resolve());
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> my order never came`);
    expect((await h.delivery.event(h.payloads.appMention(root))).status).toBe(200);
    // Written before the first answer exists: no mention, so only the thread makes it ours.
    const followUp = h.sim.workspace.userPost(IDS.support, IDS.member, 'it was ORD-1001', root.ts);
    expect((await h.delivery.event(h.payloads.message(followUp))).status).toBe(200);
    release();
    await h.settle();
    const texts = answers(root);
    expect(texts.some((t) => t?.includes('Echo: my order never came'))).toBe(true);
    expect(texts.some((t) => t?.includes('Echo: it was ORD-1001'))).toBe(true);
  });

  it('keeps the order people wrote in when looking up the first writer is slow', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> hello`);
    await h.delivery.event(h.payloads.appMention(root));
    await h.settle();
    // member2 is not cached yet and Slack is slow to say who they are; member is cached.
    h.sim.latency = (method, args) => (method === 'users.info' && args.user === IDS.member2 ? 150 : 0);
    const first = h.sim.workspace.userPost(IDS.support, IDS.member2, 'first words', root.ts);
    const second = h.sim.workspace.userPost(IDS.support, IDS.member, 'second words', root.ts);
    await h.delivery.event(h.payloads.message(first));
    await h.delivery.event(h.payloads.message(second));
    await h.settle();
    const texts = answers(root).filter((t) => t?.includes('words'));
    expect(texts.map((t) => (t?.includes('first') ? 'first' : 'second'))).toEqual(['first', 'second']);
  });

  it('ignores replies in threads the bot was never part of', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, 'people talking among themselves');
    const reply = h.sim.workspace.userPost(IDS.support, IDS.member2, 'indeed', root.ts);
    expect((await h.delivery.event(h.payloads.message(reply))).status).toBe(200);
    await h.settle();
    expect(answers(root)).toEqual([]);
  });
});
