import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelError, ToolError } from '../../src/errors';
import { detectEscalation } from '../../src/escalation/triggers';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const flaky = defineTool({
  name: 'check_inventory',
  description: 'always down',
  input: z.object({}),
  permission: 'member',
  execute: async () => {
    throw new ToolError('inventory_down', 'Inventory service returned 503', { retryable: true });
  },
});

describe('escalation triggers', () => {
  it.each([
    ['I want to speak to your manager immediately!', 'user_request', 'high'],
    ['can I talk to a human please', 'user_request', 'normal'],
    ['get me a real person', 'user_request', 'normal'],
    ['human', 'user_request', 'normal'],
    ['this is the worst service, you useless bot', 'frustration', 'high'],
    ['This is ridiculous, third time I ask', 'frustration', 'normal'],
  ])('detects %j', (text, trigger, urgency) => {
    expect(detectEscalation(text)).toMatchObject({ trigger, urgency });
  });

  it.each(['Where is my order ORD-1001?', 'I want a refund', 'My application keeps crashing', 'Is a human reviewing refunds?x'.replace('x', '')])(
    'leaves ordinary requests alone: %j',
    (text) => {
      expect(detectEscalation(text)?.trigger).not.toBe('frustration');
    },
  );
});

describe('escalation and hand-off', () => {
  it('hands off when the user asks for a manager: summary to on-call, thread told, model not called', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    const result = await h.send('I want to speak to your manager immediately!');
    expect(model.calls).toBe(0);
    expect(result.status).toBe('escalated');
    expect(h.channel.oncall).toHaveLength(1);
    expect(h.channel.oncall[0]).toMatchObject({
      trigger: 'user_request',
      urgency: 'high',
      customer: { userId: users.alice.userId, displayName: 'Alice' },
      status: 'open',
      notifications: 1,
    });
    expect(h.channel.oncall[0]?.summary).toMatch(/manager immediately/);
    expect(h.channel.texts().at(-1)).toMatch(/human teammate/);
    expect((await h.engine.status()).openEscalations).toBe(1);
  });

  it('stays silent while handed off but records messages; staff hand back; members cannot', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [(req) => answer(`seen ${req.messages.filter((m) => m.role === 'user').length} user messages`)]);
    h = await EngineHarness.create({ model });
    await h.send('talk to a human');
    const posts = h.channel.posts.length;
    const silent = await h.send('hello? anyone?');
    expect(silent.status).toBe('handed_off');
    expect(h.channel.posts.length).toBe(posts);
    await h.send('I can help — Dana here', { caller: users.dana });
    expect(h.channel.posts.length).toBe(posts);
    expect(model.calls).toBe(0);

    expect(await h.engine.handBack({ conversation: h.conversation(), caller: users.alice })).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.handBack({ conversation: h.conversation(), caller: users.dana })).toMatchObject({ ok: true });
    expect(h.channel.texts().at(-1)).toMatch(/handed this conversation back/);
    expect(h.channel.oncallUpdates.at(-1)?.view.status).toBe('closed');
    const back = await h.send('thanks, one more question');
    expect(back.status).toBe('answered');
    // The model sees what was said during hand-off.
    expect(back.reply).toBe('seen 4 user messages');
    expect(await h.engine.handBack({ conversation: h.conversation(), caller: users.dana })).toMatchObject({ ok: false, reason: 'not_handed_off' });
  });

  it('lets exactly one staff member claim, refuses members, and stops reminders once claimed', async () => {
    h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
    const { escalationId } = await h.send('I need a human');
    const id = escalationId as string;
    expect(await h.engine.claimEscalation({ escalationId: id, caller: users.bob })).toMatchObject({ ok: false, reason: 'not_allowed' });
    const claims = await Promise.all([
      h.engine.claimEscalation({ escalationId: id, caller: users.dana }),
      h.engine.claimEscalation({ escalationId: id, caller: users.sam }),
    ]);
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims.find((c) => !c.ok)).toMatchObject({ reason: 'already_claimed' });
    expect(h.channel.oncallUpdates.at(-1)?.view).toMatchObject({ status: 'claimed' });
    h.clock.advance(11 * 60_000);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(1);
  });

  it('re-notifies on-call about unclaimed escalations after the configured time, once per interval', async () => {
    h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
    await h.send('get me a human now');
    h.clock.advance(9 * 60_000);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(1);
    h.clock.advance(2 * 60_000);
    await Promise.all([h.engine.sweep(), h.engine.sweep()]);
    expect(h.channel.oncall).toHaveLength(2);
    expect(h.channel.oncall[1]?.notifications).toBe(2);
  });

  it('escalates when the model calls escalate_to_human', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [{ ...callTools({ name: 'escalate_to_human', args: { reason: 'Legal question', urgency: 'urgent' } }), content: 'Let me get someone.' }]);
    h = await EngineHarness.create({ model });
    const result = await h.send('Can I sue you?');
    expect(result.status).toBe('escalated');
    expect(h.channel.oncall[0]).toMatchObject({ trigger: 'model_tool', urgency: 'urgent', reason: 'Legal question' });
    expect(h.channel.texts().at(-1)).toMatch(/Let me get someone/);
  });

  it('escalates after repeated tool failures', async () => {
    const model = new ScriptedModel();
    model.fallback = () => callTools({ name: 'check_inventory' });
    h = await EngineHarness.create({ model, tools: [flaky] });
    const result = await h.send('is it in stock?');
    expect(result.status).toBe('escalated');
    expect(h.channel.oncall[0]?.trigger).toBe('tool_failures');
    expect(result.toolCalls.filter((c) => c.outcome === 'error')).toHaveLength(2);
  });

  it('falls back to a human when the model is unavailable, without a stack trace', async () => {
    const model = new ScriptedModel();
    model.fallback = new ModelError('upstream exploded at line 42', { status: 503 });
    h = await EngineHarness.create({ model, env: { MODEL_MAX_ATTEMPTS: '2' } });
    const result = await h.send('hello');
    expect(model.calls).toBe(2);
    expect(result).toMatchObject({ status: 'escalated', success: false });
    const posted = h.channel.texts().join('\n');
    expect(posted).toMatch(/trouble reaching my assistant service/);
    expect(posted).not.toMatch(/line 42|Error|at .*\.ts/);
    expect(h.channel.oncall[0]?.trigger).toBe('model_unavailable');
  });

  it('does not open a second escalation for a conversation already handed off', async () => {
    h = await EngineHarness.create();
    await h.send('human please');
    await h.send('I said HUMAN, this is ridiculous!!!');
    expect(h.channel.oncall).toHaveLength(1);
  });
});

describe('hand-off summary', () => {
  it('lists what the bot did in plain words, not raw tool output', async () => {
    const lookup = defineTool({
      name: 'look_up_order',
      description: 'order',
      input: z.object({ orderId: z.string() }),
      permission: 'member',
      execute: async () => ({ order: { id: 'ORD-7', status: 'lost', items: [{ sku: 'X' }] } }),
    });
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'look_up_order', args: { orderId: 'ORD-7' } }), answer('It looks lost.')]);
    h = await EngineHarness.create({ model, tools: [lookup] });
    await h.send('where is ORD-7?');
    await h.send('get me a human');
    expect(h.channel.oncall[0]?.stepsTaken).toEqual(['look_up_order: ok — orderId=ORD-7']);
    expect(h.channel.oncall[0]?.summary).toMatch(/Bot's last answer: “It looks lost.”/);
  });
});
