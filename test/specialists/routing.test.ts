import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolDefinition } from '../../src/ports';
import { defineTool } from '../../src/tools/define-tool';
import type { Specialist } from '../../src/specialists/specialist';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

/** Tools that record who ran them; each returns its own name. */
function tool(name: string, ran: string[]): ToolDefinition {
  return defineTool({
    name,
    description: `The ${name} tool`,
    input: z.object({}),
    permission: 'member',
    readOnly: true,
    execute: async () => {
      ran.push(name);
      return { tool: name };
    },
  });
}

const specialists: Specialist[] = [
  { name: 'billing', description: 'charges and refunds', instructions: 'BILLING-INSTRUCTIONS', tools: ['list_*'], keywords: ['charged', 'refund*'] },
  { name: 'orders', description: 'orders and delivery', instructions: 'ORDERS-INSTRUCTIONS', tools: ['look_up_order'], patterns: ['\\bORD-\\d+\\b'] },
];

const toolNames = (model: ScriptedModel, call: number) => model.requests[call]!.tools.map((t) => t.name).sort();
const systemText = (model: ScriptedModel, call: number) => {
  const first = model.requests[call]!.messages[0];
  return first?.role === 'system' ? first.content : '';
};

describe('specialists: routing', () => {
  let h: EngineHarness;
  const ran: string[] = [];
  const tools = () => [tool('list_invoices', ran), tool('look_up_order', ran), tool('reset_password', ran)];
  afterEach(async () => {
    ran.length = 0;
    await h?.close();
  });

  it('routes by keyword rules; the model sees only that specialist’s tools and instructions', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('Looking into the charge.')]);
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    await h.send('I was charged twice this month');
    expect(toolNames(model, 0)).toEqual(['escalate_to_human', 'list_invoices', 'transfer_to_specialist']);
    expect(systemText(model, 0)).toContain('BILLING-INSTRUCTIONS');
    expect(systemText(model, 0)).not.toContain('ORDERS-INSTRUCTIONS');
    const routes = (await h.audit()).filter((e) => e.event === 'route');
    expect(routes).toMatchObject([{ specialists: ['billing'], by: 'rules', session_id: 'test:W1:C1:T1' }]);
    const status = await h.engine.command({ name: 'status', args: [], caller: users.alice, conversation: h.conversation() });
    expect(status.text).toContain('Specialist: billing (by keyword rules)');
    expect(await h.app.metrics!.registry.metrics()).toContain('support_routes_total{specialist="billing",by="rules"} 1');
  });

  it('without specialists every tool is offered (one generic prompt)', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('ok')]);
    h = await EngineHarness.create({ model, tools: tools() });
    await h.send('I was charged twice this month');
    expect(toolNames(model, 0)).toEqual(['escalate_to_human', 'list_invoices', 'look_up_order', 'reset_password']);
  });

  it('asks the router model when rules do not decide, and validates its answer', async () => {
    const router = new ScriptedModel('router-mini', [answer('{"specialists":["orders"],"reason":"delivery"}')]);
    const model = new ScriptedModel('gpt-4o-mini', [answer('Which order?')]);
    h = await EngineHarness.create({ model, routerModel: router, tools: tools(), specialists });
    await h.send('my parcel never came');
    expect(router.calls).toBe(1);
    expect(router.requests[0]!.tools).toEqual([]);
    expect(toolNames(model, 0)).toEqual(['escalate_to_human', 'look_up_order', 'transfer_to_specialist']);
    const audit = await h.audit();
    expect(audit.find((e) => e.event === 'route')).toMatchObject({ specialists: ['orders'], by: 'model', reason: 'delivery' });
    expect(audit.find((e) => e.event === 'model_call' && e.purpose === 'route')).toMatchObject({ model: 'router-mini', success: true });
  });

  it.each([
    ['prose', 'I think billing would be best'],
    ['an unknown specialist', '{"specialists":["shipping_dept"]}'],
    ['an empty list', '{"specialists":[]}'],
  ])('falls back to general when the router answers %s', async (_label, output) => {
    const router = new ScriptedModel('router-mini', [answer(output)]);
    const model = new ScriptedModel('gpt-4o-mini', [answer('How can I help?')]);
    h = await EngineHarness.create({ model, routerModel: router, tools: tools(), specialists });
    await h.send('hello there');
    // general keeps every tool, plus the transfer tool.
    expect(toolNames(model, 0)).toEqual(['escalate_to_human', 'list_invoices', 'look_up_order', 'reset_password', 'transfer_to_specialist']);
    expect((await h.audit()).find((e) => e.event === 'route')).toMatchObject({ specialists: ['general'], by: 'fallback' });
  });

  it('a router model that fails (after retries) routes to general; the turn still answers', async () => {
    const router = new ScriptedModel('router-mini');
    router.fallback = new Error('router down');
    const model = new ScriptedModel('gpt-4o-mini', [answer('How can I help?')]);
    h = await EngineHarness.create({ model, routerModel: router, tools: tools(), specialists });
    const result = await h.send('hello there');
    expect(result.reply).toBe('How can I help?');
    expect((await h.audit()).find((e) => e.event === 'route')).toMatchObject({ specialists: ['general'], by: 'fallback' });
  });

  it('a call to a tool outside the specialist’s subset does not run, whatever the model asks', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'reset_password' }), answer('I cannot do that here.')]);
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    const result = await h.send('refund please');
    expect(ran).toEqual([]);
    expect(result.toolCalls[0]).toMatchObject({ name: 'reset_password' });
    expect(result.toolCalls[0]!.outcome).not.toBe('ok');
  });

  it('transfer_to_specialist hands over within the session: the next call sees the new tools, audited', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [
      callTools({ name: 'transfer_to_specialist', args: { specialist: 'orders', reason: 'about a delivery' } }),
      callTools({ name: 'look_up_order' }),
      answer('Your order is on its way.'),
    ]);
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    await h.send('refund? actually where is my parcel');
    expect(toolNames(model, 0)).toContain('list_invoices');
    expect(toolNames(model, 1)).toEqual(['escalate_to_human', 'look_up_order', 'transfer_to_specialist']);
    expect(systemText(model, 1)).toContain('ORDERS-INSTRUCTIONS');
    expect(ran).toEqual(['look_up_order']);
    const routes = (await h.audit()).filter((e) => e.event === 'route');
    expect(routes.map((r) => [r.by, r.specialists])).toEqual([
      ['rules', ['billing']],
      ['transfer', ['orders']],
    ]);
    const status = await h.engine.command({ name: 'status', args: [], caller: users.alice, conversation: h.conversation() });
    expect(status.text).toContain('Specialist: orders (by a transfer)');
    expect(status.text).toContain('Hand-overs: 1');
  });

  it('a cross-domain message is routed to both specialists and consulted in parallel (details in consultation.test.ts)', async () => {
    const model = new ScriptedModel('gpt-4o-mini');
    model.fallback = (request) => answer(request.tools.some((t) => t.name === 'list_invoices') ? 'Billing part.' : 'Orders part.');
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    const result = await h.send('I was charged twice and ORD-1001 is late');
    expect((await h.audit()).find((e) => e.event === 'route')).toMatchObject({ specialists: ['billing', 'orders'], by: 'rules' });
    expect(model.requests.map((r) => r.tools.map((t) => t.name).sort()).sort()).toEqual([
      ['escalate_to_human', 'list_invoices'],
      ['escalate_to_human', 'look_up_order'],
    ]);
    expect(result).toMatchObject({ reply: 'Billing part.\n\nOrders part.', steps: 2 });
    const status = await h.engine.command({ name: 'status', args: [], caller: users.alice, conversation: h.conversation() });
    expect(status.text).toContain('Specialist: billing + orders');
  });

  it('a specialist that declares its own model is served by it; the others by the main model', async () => {
    const main = new ScriptedModel('gpt-4o-mini', [answer('Order found.')]);
    const strong = new ScriptedModel('gpt-4o', [answer('Charge explained.')]);
    const withModel: Specialist[] = [{ ...specialists[0]!, model: 'gpt-4o' }, specialists[1]!];
    h = await EngineHarness.create({ model: main, tools: tools(), specialists: withModel, modelFor: (name) => (name === 'gpt-4o' ? strong : undefined) });
    await h.send('I was charged twice');
    await h.send('where is ORD-1001?', { conversation: h.conversation('T2') });
    expect([strong.calls, main.calls]).toEqual([1, 1]);
    expect((await h.audit()).filter((e) => e.event === 'model_call').map((e) => e.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('a later message whose rules name another specialist moves the conversation', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('Charge explained.'), answer('Order found.')]);
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    await h.send('I was charged twice');
    await h.send('and where is ORD-1001?');
    expect(toolNames(model, 1)).toEqual(['escalate_to_human', 'look_up_order', 'transfer_to_specialist']);
  });
});
