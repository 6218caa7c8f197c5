import { afterEach, describe, expect, it } from 'vitest';
import { feedbackReasonContext } from '../../src/outcomes/conversation-actions';
import { createSealer } from '../../src/sessions/sealer';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const metricValue = async (name: string, labels: string) => {
  const text = (await h.app.metrics?.render()) ?? '';
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('feedback from the people helped', () => {
  it('offers feedback, talk-to-a-human and solved controls on final answers only', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('ORD-1001 has shipped.')]) });
    await h.send('Where is my order?');
    await h.send('');
    const [final, help] = h.channel.posts.map((p) => p.message);
    expect(final?.controls).toEqual({ feedback: true, talkToHuman: true, solved: true });
    expect(help?.controls).toBeUndefined();
  });

  it('stores a thumbs up with the conversation, audits it and counts it', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('ORD-1001 has shipped.')]) });
    await h.send('Where is my order?');
    const outcome = await h.engine.feedback({ conversation: h.conversation(), caller: users.alice, rating: 'up', messageRef: { platform: 'test', channelId: 'C1', messageId: 'm1' } });
    expect(outcome.ok).toBe(true);
    const audit = (await h.audit()).filter((e) => e.event === 'feedback');
    expect(audit).toEqual([expect.objectContaining({ rating: 'up', user_id: 'U_ALICE', message_id: 'm1', has_reason: false })]);
    expect(await metricValue('support_feedback_total', 'rating="up"')).toBe(1);
    expect((await h.engine.outcomes()).today).toMatchObject({ feedbackUp: 1, feedbackDown: 0, csat: 1 });
    expect(h.channel.alerts).toEqual([]);
  });

  it('posts a thumbs-down with a reason to on-call and keeps the reason only sealed in the audit trail', async () => {
    const key = 'ab'.repeat(32);
    h = await EngineHarness.create({ env: { ENCRYPTION_KEY: key }, model: new ScriptedModel('gpt-4o-mini', [answer('Try turning it off and on.')]) });
    await h.send('My app crashes');
    const reason = 'It ignored my question about invoice INV-2002';
    await h.engine.feedback({ conversation: h.conversation(), caller: users.alice, rating: 'down', reason });
    expect(h.channel.alerts).toEqual([{ kind: 'feedback', text: expect.stringContaining(reason) }]);
    const text = await h.auditText();
    expect(text).not.toContain('INV-2002');
    const record = (await h.audit()).find((e) => e.event === 'feedback');
    expect(record).toMatchObject({ rating: 'down', has_reason: true });
    expect(createSealer(Buffer.from(key, 'hex')).open(record?.reason_sealed as string, feedbackReasonContext('test:W1:C1:T1'))).toBe(reason);
    expect(await metricValue('support_feedback_total', 'rating="down"')).toBe(1);
  });

  it('lets only the person helped rate or close the conversation (staff may close or escalate it)', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('Here is what I found.')]) });
    await h.send('Where is my order?');
    const conversation = h.conversation();
    expect(await h.engine.feedback({ conversation, caller: users.bob, rating: 'down', reason: 'not mine' })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.feedback({ conversation, caller: users.dana, rating: 'up' })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.resolveConversation({ conversation, caller: users.bob })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.talkToHuman({ conversation, caller: users.bob })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect((await h.audit()).filter((e) => ['feedback', 'conversation_outcome', 'escalation'].includes(e.event))).toEqual([]);
    expect(h.channel.alerts).toEqual([]);
    expect(await h.engine.resolveConversation({ conversation, caller: users.dana })).toMatchObject({ ok: true });
  });

  it('answers not_found for a conversation the bot never had', async () => {
    h = await EngineHarness.create();
    expect(await h.engine.feedback({ conversation: h.conversation('nope'), caller: users.alice, rating: 'up' })).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('"Talk to a human" escalates with trigger user_request', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('Here is what I found.')]) });
    await h.send('Where is my order?');
    const outcome = await h.engine.talkToHuman({ conversation: h.conversation(), caller: users.alice });
    expect(outcome).toMatchObject({ ok: true, escalationId: expect.any(String) });
    expect(h.channel.oncall).toEqual([expect.objectContaining({ trigger: 'user_request' })]);
    expect((await h.audit()).filter((e) => e.event === 'escalation')).toEqual([expect.objectContaining({ trigger: 'user_request' })]);
    expect(await h.engine.talkToHuman({ conversation: h.conversation(), caller: users.alice })).toMatchObject({ ok: false, reason: 'already_handed_off' });
  });
});
