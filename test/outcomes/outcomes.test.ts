import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const HOUR = 3_600_000;
const usage = { promptTokens: 1_000_000, completionTokens: 0 };

/** A model that answers every request with the text after `say:` in the last user message. */
function echoModel(): ScriptedModel {
  const model = new ScriptedModel();
  model.fallback = (request) => {
    const last = request.messages.findLast((m) => m.role === 'user');
    const text = last && last.role === 'user' ? last.content : '';
    return answer(/say:(.*)$/.exec(text)?.[1]?.trim() ?? 'Done.', usage);
  };
  return model;
}

const outcomeEvents = async () => (await h.audit()).filter((e) => e.event === 'conversation_outcome');

describe('conversation outcomes', () => {
  it('resolves an answered conversation after RESOLVED_AFTER_HOURS of quiet, not before', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '24' } });
    await h.send('where is ORD-1 say: It has shipped.');
    h.clock.advance(23 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([]);
    h.clock.advance(2 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([expect.objectContaining({ outcome: 'resolved', resolution: 'timeout', user_messages: 1 })]);
  });

  it('a new message restarts the quiet time', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '2' } });
    await h.send('say: First answer.');
    h.clock.advance(1.5 * HOUR);
    await h.send('say: Second answer.');
    h.clock.advance(1 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([]);
    h.clock.advance(1.5 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([expect.objectContaining({ outcome: 'resolved', user_messages: 2 })]);
  });

  it('counts silence after the bot asked something as abandoned', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '1' } });
    await h.send('refund please say: Which order do you mean?');
    h.clock.advance(2 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([expect.objectContaining({ outcome: 'abandoned', resolution: 'none' })]);
  });

  it('"That solved it" resolves at once, and the sweep does not count it again', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '1' } });
    await h.send('say: Try again now?');
    expect(await h.engine.resolveConversation({ conversation: h.conversation(), caller: users.alice })).toMatchObject({ ok: true });
    h.clock.advance(2 * HOUR);
    await h.engine.sweep();
    expect(await outcomeEvents()).toEqual([expect.objectContaining({ outcome: 'resolved', resolution: 'user' })]);
    expect(h.channel.texts().at(-1)).toMatch(/Glad that's sorted/);
  });

  it('an escalation handed back by a human counts as escalated and resolved by a human; one never handed back as unresolved', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '1' } });
    await h.send('I want to talk to a human', { conversation: h.conversation('A') });
    await h.engine.handBack({ conversation: h.conversation('A'), caller: users.dana });
    await h.send('get me a real person', { conversation: h.conversation('B') });
    h.clock.advance(2 * HOUR);
    await h.engine.sweep();
    const events = await outcomeEvents();
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'escalated', resolution: 'human' }),
      expect.objectContaining({ outcome: 'escalated', resolution: 'none' }),
    ]);
  });

  it('computes the rates on a small known set', async () => {
    h = await EngineHarness.create({ model: echoModel(), env: { RESOLVED_AFTER_HOURS: '1', MODEL_PRICES: '{"gpt-4o-mini":{"input":0.1,"output":0}}' } });
    const c = (t: string) => ({ conversation: h.conversation(t) });
    // 1: resolved by the user after one message (first contact); each answer costs $0.10.
    await h.send('say: Done.', c('1'));
    await h.engine.resolveConversation({ conversation: h.conversation('1'), caller: users.alice });
    // 2: resolved by quiet time after two messages.
    await h.send('say: Step one.', c('2'));
    await h.send('say: Step two.', c('2'));
    // 3: abandoned after a question.
    await h.send('say: Which order?', c('3'));
    // 4: escalated, handed back by staff.
    await h.send('say: Looked it up.', c('4'));
    await h.engine.talkToHuman({ conversation: h.conversation('4'), caller: users.alice });
    await h.engine.handBack({ conversation: h.conversation('4'), caller: users.dana });
    await h.engine.feedback({ conversation: h.conversation('1'), caller: users.alice, rating: 'up' });
    await h.engine.feedback({ conversation: h.conversation('2'), caller: users.alice, rating: 'up' });
    await h.engine.feedback({ conversation: h.conversation('3'), caller: users.alice, rating: 'up' });
    await h.engine.feedback({ conversation: h.conversation('4'), caller: users.alice, rating: 'down' });
    h.clock.advance(2 * HOUR);
    await h.engine.sweep();

    const { today, week } = await h.engine.outcomes();
    expect(today).toMatchObject({
      conversations: 4,
      resolvedByBot: 2,
      firstContactResolved: 1,
      escalated: 1,
      escalatedResolved: 1,
      abandoned: 1,
      feedbackUp: 3,
      feedbackDown: 1,
      automationRate: 0.5,
      firstContactResolutionRate: 0.25,
      escalationRate: 0.25,
      csat: 0.75,
    });
    // Five answers at $0.10 over three resolved conversations (two by the bot, one by a human).
    expect(today.costUsd).toBeCloseTo(0.5, 6);
    expect(today.costPerResolvedUsd).toBeCloseTo(0.5 / 3, 6);
    expect(today.period).toBe('2026-11-22');
    expect(week).toMatchObject({ period: '2026-W47', conversations: 4, automationRate: 0.5 });

    const status = await h.engine.command({ name: 'status', args: [], caller: users.root });
    expect(status.text).toContain('Automation rate 50%, first-contact resolution 25%, escalation rate 25%');
    expect(status.text).toContain('CSAT 75% (3 up, 1 down)');
    const memberStatus = await h.engine.command({ name: 'status', args: [], caller: users.alice });
    expect(memberStatus.text).not.toContain('Automation rate');

    const metrics = (await h.app.metrics?.render()) ?? '';
    expect(metrics).toContain('support_conversation_outcomes_total{outcome="resolved",resolution="user"} 1');
    expect(metrics).toContain('support_conversation_outcomes_total{outcome="resolved",resolution="timeout"} 1');
    expect(metrics).toContain('support_conversation_outcomes_total{outcome="abandoned",resolution="none"} 1');
    expect(metrics).toContain('support_conversation_outcomes_total{outcome="escalated",resolution="human"} 1');
    expect(metrics).toContain('support_feedback_total{rating="up"} 3');
    expect(metrics).toContain('support_outcome_rate{rate="automation"} 0.5');
    expect(metrics).toContain('support_outcome_rate{rate="csat"} 0.75');
  });
});
