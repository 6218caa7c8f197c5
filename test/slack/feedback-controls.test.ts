import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FEEDBACK_IDS, replyControlBlocks } from '../../adapters/slack/feedback-blocks';
import { blockProblems } from '../simulators/slack/block-rules';
import type { SimMessage } from '../simulators/slack/state';
import { type EngineSlackHarness, startEngineSlackHarness } from './e2e-harness';
import { IDS, blockText } from './harness';

/** Feedback controls on Slack answers: the real adapter, the simulator and the real engine. */
let h: EngineSlackHarness;
beforeEach(async () => {
  h = await startEngineSlackHarness();
});
afterEach(async () => {
  await h.close();
});

type Json = Record<string, unknown>;
const inThread = (root: SimMessage) => h.sim.workspace.botMessagesIn(IDS.support, root.ts);
const audit = async () => {
  await h.app.audit.flush();
  return (await readFile(h.app.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
};

async function answered(): Promise<{ root: SimMessage; answer: SimMessage }> {
  const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> where is my parcel`);
  expect((await h.delivery.event(h.payloads.appMention(root))).status).toBe(200);
  await h.settle();
  const answer = inThread(root).find((m) => `${m.text}`.includes('Echo:'));
  expect(answer).toBeDefined();
  return { root, answer: h.sim.workspace.findMessage(answer!.channel, answer!.ts)! };
}

async function click(message: SimMessage, actionId: string, feedback?: 'positive' | 'negative'): Promise<Json> {
  const payload = h.payloads.blockAction({ user: IDS.member, message, actionId, responseUrl: h.sim.responseUrl(), ...(feedback ? { feedback } : {}) });
  expect((await h.delivery.interaction(payload)).status).toBe(200);
  await h.settle();
  return payload;
}

describe('Slack feedback controls', () => {
  it('renders valid Block Kit in both styles', () => {
    const conversation = { platform: 'slack', workspaceId: 'T1', channelId: 'C1', threadId: '1.2' };
    const all = { feedback: true, talkToHuman: true, solved: true };
    const native = replyControlBlocks(conversation, all);
    expect(native.map((b) => b.type)).toEqual(['context_actions', 'actions']);
    expect(blockProblems(native)).toEqual([]);
    const fallback = replyControlBlocks(conversation, all, 'buttons');
    expect(fallback.map((b) => b.type)).toEqual(['actions']);
    expect(blockProblems(fallback)).toEqual([]);
    expect(JSON.stringify(fallback)).toContain(FEEDBACK_IDS.feedbackDown);
  });

  it('puts feedback_buttons and "Talk to a human" / "That solved it" under the final answer; 👍 is stored', async () => {
    const { answer } = await answered();
    const types = (answer.blocks as Json[]).map((b) => b.type);
    expect(types.slice(-2)).toEqual(['context_actions', 'actions']);
    // Streamed answers keep their text in the stream; posted ones in their blocks.
    expect(`${h.sim.agent.stream(answer.channel, answer.ts)?.markdown ?? ''}\n${blockText(answer.blocks)}`).toContain('Echo: where is my parcel');
    await click(answer, FEEDBACK_IDS.feedback, 'positive');
    expect((await audit()).filter((e) => e.event === 'feedback')).toEqual([expect.objectContaining({ rating: 'up', message_id: answer.ts })]);
    expect(h.sim.workspace.ephemerals.some((e) => e.text.includes('Thanks for the feedback'))).toBe(true);
  });

  it('👎 opens "What went wrong?" with views.open; the submitted reason reaches on-call and stays sealed in the audit', async () => {
    const { answer } = await answered();
    await click(answer, FEEDBACK_IDS.feedback, 'negative');
    const open = h.sim.calls.find((c) => c.method === 'views.open');
    expect(open).toBeDefined();
    const view = (typeof open!.args.view === 'string' ? JSON.parse(open!.args.view) : open!.args.view) as Json;
    expect(view).toMatchObject({ type: 'modal', callback_id: FEEDBACK_IDS.reasonModal, title: { text: 'What went wrong?' } });

    const submission = {
      type: 'view_submission',
      team: { id: h.sim.teamId, domain: h.sim.teamDomain },
      user: { id: IDS.member, team_id: h.sim.teamId },
      api_app_id: h.sim.appId,
      token: 'verification',
      trigger_id: '1.2',
      view: {
        ...view,
        id: 'V1',
        team_id: h.sim.teamId,
        state: { values: { [FEEDBACK_IDS.reasonBlock]: { [FEEDBACK_IDS.reasonInput]: { type: 'plain_text_input', value: 'It echoed me instead of tracking ORD-7' } } } },
      },
    };
    expect((await h.delivery.interaction(submission)).status).toBe(200);
    await h.settle();
    const oncall = h.sim.workspace.botMessagesIn(IDS.oncall);
    expect(oncall.some((m) => `${m.text}`.includes('It echoed me instead of tracking ORD-7'))).toBe(true);
    const records = await audit();
    // The form's thumbs-down (a simulator without views.open also makes the click count one without a reason).
    expect(records.filter((e) => e.event === 'feedback' && e.has_reason)).toEqual([expect.objectContaining({ rating: 'down', message_id: answer.ts })]);
    expect(JSON.stringify(records)).not.toContain('ORD-7');
  });

  it('counts 👎 without a reason when the form cannot be opened', async () => {
    const { answer } = await answered();
    h.sim.failNext('views.open', { error: 'expired_trigger_id' });
    await click(answer, FEEDBACK_IDS.feedback, 'negative');
    expect((await audit()).filter((e) => e.event === 'feedback')).toEqual([expect.objectContaining({ rating: 'down', has_reason: false })]);
  });

  it('"Talk to a human" escalates with trigger user_request; "That solved it" resolves', async () => {
    const { root, answer } = await answered();
    await click(answer, FEEDBACK_IDS.solved);
    expect((await audit()).filter((e) => e.event === 'conversation_outcome')).toEqual([expect.objectContaining({ outcome: 'resolved', resolution: 'user' })]);
    await click(h.sim.workspace.findMessage(answer.channel, answer.ts)!, FEEDBACK_IDS.talkToHuman);
    expect((await audit()).filter((e) => e.event === 'escalation')).toEqual([expect.objectContaining({ trigger: 'user_request' })]);
    expect(inThread(root).some((m) => `${m.text} ${blockText(m.blocks)}`.includes('human teammate'))).toBe(true);
  });
});
