import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimMessage } from '../simulators/slack/state';
import { type RefundEngine, startRefundEngine } from '../support/refund-engine';
import { IDS, blockText, startSlackHarness, type SlackHarness } from './harness';

/**
 * Per-channel behaviour (AGENT_CONFIG `channels:`) through the real Bolt app,
 * the real engine and the Slack simulator: C0ASKALL answers every question,
 * offers no tool groups and escalates to its own on-call channel.
 */
const ASK_ALL = 'C0ASKALL';
const ASK_ALL_ONCALL = 'C0ASKONCALL';

let dir: string;
let engine: RefundEngine;
let h: SlackHarness<RefundEngine['app']['engine']>;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slack-channels-'));
  const config = path.join(dir, 'agent.yaml');
  await writeFile(config, `channels:\n  ${ASK_ALL}:\n    respond: all\n    tools: []\n    oncall: ${ASK_ALL_ONCALL}\n  ${IDS.oncall}:\n    respond: all\n`);
  engine = await startRefundEngine('slack-channels', { AGENT_CONFIG: config });
  h = await startSlackHarness({ engine: engine.app.engine, adapter: { channels: engine.app.channels } });
  h.sim.workspace.addChannel({ id: ASK_ALL, name: 'ask-anything' });
  h.sim.workspace.addChannel({ id: ASK_ALL_ONCALL, name: 'ask-oncall', type: 'group' });
});
afterEach(async () => {
  await h.close();
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const repliesTo = (root: SimMessage) => h.sim.workspace.botMessagesIn(root.channel, root.ts);
const textOf = (m: SimMessage) => `${m.text}\n${blockText(m.blocks)}`;

async function post(channel: string, text: string, user: string = IDS.member): Promise<SimMessage> {
  const m = h.sim.workspace.userPost(channel, user, text);
  expect((await h.delivery.event(h.payloads.message(m))).status).toBe(200);
  await h.settle();
  return m;
}

describe('respond: all in Slack', () => {
  it('answers an unmentioned question in a respond: all channel, in its thread; a mentions-only channel stays quiet', async () => {
    const question = await post(ASK_ALL, 'How do I change my billing address?');
    expect(repliesTo(question).map(textOf).join('\n')).toContain('Echo: How do I change my billing address?');

    const chatter = await post(IDS.support, 'How do I change my billing address?');
    expect(repliesTo(chatter)).toEqual([]);
    expect(h.sim.workspace.botMessagesIn(IDS.support)).toEqual([]);
  });

  it('a follow-up in the thread it opened needs no mention', async () => {
    const question = await post(ASK_ALL, 'first question');
    const followUp = h.sim.workspace.userPost(ASK_ALL, IDS.member, 'and a second one', question.ts);
    await h.delivery.event(h.payloads.message(followUp));
    await h.settle();
    expect(repliesTo(question).map(textOf).join('\n')).toContain('Echo: and a second one');
  });

  it('does not treat edits, joins, bots, or messages addressed to someone else as questions', async () => {
    const original = h.sim.workspace.userPost(ASK_ALL, IDS.member, 'typo');
    await h.delivery.event(h.payloads.messageChanged(original, 'an edited question?'));
    const joinTs = h.sim.workspace.nextTs();
    await h.delivery.event(
      h.payloads.envelope({ type: 'message', subtype: 'channel_join', user: IDS.member2, text: `<@${IDS.member2}> has joined the channel`, channel: ASK_ALL, ts: joinTs, event_ts: joinTs, channel_type: 'channel' }),
    );
    await h.delivery.event(h.payloads.botMessage(ASK_ALL, 'Deploy finished, any questions?'));
    const toSomeone = h.sim.workspace.userPost(ASK_ALL, IDS.member, `<@${IDS.staff}> can you look at my invoice?`);
    await h.delivery.event(h.payloads.message(toSomeone));
    await h.settle();
    expect(h.sim.workspace.botMessagesIn(ASK_ALL)).toEqual([]);
  });

  it('never answers every message in an on-call channel, even when configured to', async () => {
    await post(IDS.oncall, 'Who is on call tonight?', IDS.staff);
    expect(h.sim.workspace.botMessagesIn(IDS.oncall)).toEqual([]);
    expect(h.logger.entries.some((e) => e.msg?.includes('respond: all ignored in an on-call channel'))).toBe(true);
  });

  it('a tool the channel does not enable is neither offered nor run, whatever the model asks', async () => {
    const question = await post(ASK_ALL, 'please refund order 1042');
    expect(engine.refunds).toEqual([]);
    const replies = repliesTo(question).map(textOf).join('\n');
    expect(replies).not.toContain('Approval needed');
    expect(replies).toContain('not available in this channel');
  });

  it('escalations from the channel go to its own on-call channel; others to SLACK_ONCALL_CHANNEL', async () => {
    const question = await post(ASK_ALL, 'I want to talk to a human please');
    const notices = h.sim.workspace.botMessagesIn(ASK_ALL_ONCALL);
    expect(notices).toHaveLength(1);
    expect(blockText(notices[0]!.blocks)).toContain('I want to talk to a human please');
    expect(h.sim.workspace.botMessagesIn(IDS.oncall)).toEqual([]);
    expect(repliesTo(question).length).toBeGreaterThan(0);

    const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> I want to talk to a human please`);
    await h.delivery.event(h.payloads.appMention(root));
    await h.settle();
    expect(h.sim.workspace.botMessagesIn(IDS.oncall)).toHaveLength(1);
    expect(h.sim.workspace.botMessagesIn(ASK_ALL_ONCALL)).toHaveLength(1);
  });
});
