import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelRequest, ModelResponse, ToolDefinition } from '../../src/ports';
import { defineTool } from '../../src/tools/define-tool';
import { RuleRouter } from '../../src/specialists/rule-router';
import type { Specialist } from '../../src/specialists/specialist';
import { EngineHarness, users } from '../support/engine-harness';
import { staffRefundTool } from '../support/refund-tool';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

/** A read-only tool that records that it ran; `permission` defaults to member. */
function tool(name: string, ran: string[], permission: 'member' | 'staff' = 'member'): ToolDefinition {
  return defineTool({
    name,
    description: `The ${name} tool`,
    input: z.object({}),
    permission,
    readOnly: true,
    execute: async () => {
      ran.push(name);
      return { tool: name };
    },
  });
}

const specialists: Specialist[] = [
  { name: 'billing', description: 'charges and refunds', instructions: 'BILLING-INSTRUCTIONS', tools: ['list_*', 'issue_refund', 'staff_ledger'], keywords: ['charged', 'refund*'] },
  { name: 'orders', description: 'orders and delivery', instructions: 'ORDERS-INSTRUCTIONS', tools: ['look_up_order'], patterns: ['\\bORD-\\d+\\b'] },
];

const systemOf = (request: ModelRequest) => {
  const first = request.messages[0];
  return first?.role === 'system' ? first.content : '';
};
const specialistOf = (request: ModelRequest) => (systemOf(request).includes('BILLING-INSTRUCTIONS') ? 'billing' : 'orders');
const toolNames = (request: ModelRequest) => request.tools.map((t) => t.name).sort();

/**
 * A model that answers each specialist from its own script. With `together`,
 * the first call of each specialist waits until every specialist's first call
 * has arrived: a sequential engine never gets there and the call fails.
 */
function perSpecialist(scripts: Record<string, Array<ModelResponse | ((r: ModelRequest) => ModelResponse)>>, options: { together?: boolean } = {}) {
  const model = new ScriptedModel('gpt-4o-mini');
  const seen: Record<string, ModelRequest[]> = {};
  const waiting: Array<() => void> = [];
  const names = Object.keys(scripts);
  model.fallback = async (request) => {
    const name = specialistOf(request);
    (seen[name] ??= []).push(request);
    if (options.together && seen[name]!.length === 1) {
      const arrived = names.every((n) => (seen[n]?.length ?? 0) > 0);
      if (arrived) waiting.splice(0).forEach((go) => go());
      else
        await new Promise<void>((resolve, reject) => {
          waiting.push(resolve);
          setTimeout(() => reject(new Error(`${name} was consulted alone`)), 2_000);
        });
    }
    const next = scripts[name]!.shift();
    if (!next) throw new Error(`no response scripted for ${name}`);
    return typeof next === 'function' ? next(request) : next;
  };
  return { model, seen };
}

describe('specialists: parallel consultation of a cross-domain message', () => {
  let h: EngineHarness;
  const ran: string[] = [];
  const tools = () => [tool('list_invoices', ran), tool('look_up_order', ran), tool('staff_ledger', ran, 'staff'), staffRefundTool()];
  afterEach(async () => {
    ran.length = 0;
    await h?.close();
  });

  it('consults each specialist at the same time with only its own tools and instructions, then posts one answer', async () => {
    const { model, seen } = perSpecialist(
      {
        billing: [callTools({ name: 'list_invoices' }), answer('You were charged twice; the second charge is a duplicate.')],
        orders: [callTools({ name: 'look_up_order' }), answer('ORD-1001 ships tomorrow.')],
      },
      { together: true },
    );
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    const result = await h.send('I was charged twice and ORD-1001 is late');

    expect(result).toMatchObject({ status: 'answered', steps: 4, reply: 'You were charged twice; the second charge is a duplicate.\n\nORD-1001 ships tomorrow.' });
    expect(toolNames(seen.billing![0]!)).toEqual(['escalate_to_human', 'issue_refund', 'list_invoices', 'staff_ledger']);
    expect(toolNames(seen.orders![0]!)).toEqual(['escalate_to_human', 'look_up_order']);
    expect(systemOf(seen.billing![0]!)).not.toContain('ORDERS-INSTRUCTIONS');
    expect(systemOf(seen.orders![0]!)).not.toContain('BILLING-INSTRUCTIONS');
    expect(systemOf(seen.orders![0]!)).toContain('consulted for the orders part only');
    expect(ran.sort()).toEqual(['list_invoices', 'look_up_order']);
    // One message for the customer, not one per specialist.
    expect(h.channel.texts()).toEqual([result.reply]);
    // Both specialists' calls are audited with the conversation, and budgets were reserved for each.
    const audit = await h.audit();
    expect(audit.filter((e) => e.event === 'model_call' && e.success)).toHaveLength(4);
    expect(audit.filter((e) => e.event === 'tool_call').map((e) => e.tool_name).sort()).toEqual(['list_invoices', 'look_up_order']);
  });

  it('a follow-up in the same conversation runs one loop with both specialists’ tools, not another consultation', async () => {
    const { model, seen } = perSpecialist({ billing: [answer('Billing part.'), answer('Refund it is.')], orders: [answer('Orders part.')] });
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    await h.send('I was charged twice and ORD-1001 is late');
    const follow = await h.send('ok, what next?');
    expect(follow).toMatchObject({ reply: 'Refund it is.', steps: 1 });
    const last = seen.billing!.at(-1)!;
    expect(toolNames(last)).toEqual(['escalate_to_human', 'issue_refund', 'list_invoices', 'look_up_order', 'staff_ledger', 'transfer_to_specialist']);
    // The follow-up's model sees the joined answer and both consultations' tool history.
    expect(last.messages.some((m) => m.role === 'assistant' && m.content === 'Billing part.\n\nOrders part.')).toBe(true);
  });

  it('one request that both specialists’ rules match is not split: one loop with both specialists’ tools', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('Refund requested.')]);
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    const result = await h.send('please refund ORD-1001');
    expect(result).toMatchObject({ reply: 'Refund requested.', steps: 1 });
    expect(toolNames(model.requests[0]!)).toContain('look_up_order');
    expect(toolNames(model.requests[0]!)).toContain('list_invoices');
  });

  it('when the router model names two specialists, they are consulted in parallel', async () => {
    const router = new ScriptedModel('router-mini', [answer('{"specialists":["billing","orders"],"reason":"two problems"}')]);
    const { model, seen } = perSpecialist({ billing: [answer('Billing part.')], orders: [answer('Orders part.')] });
    h = await EngineHarness.create({ model, routerModel: router, tools: tools(), specialists });
    const result = await h.send('money went missing from my account, plus the parcel never showed up');
    expect(result.reply).toBe('Billing part.\n\nOrders part.');
    expect([seen.billing?.length, seen.orders?.length]).toEqual([1, 1]);
  });

  it('tells separate requests from one request that several rules match', () => {
    const rules = new RuleRouter(specialists);
    expect(rules.spansParts('I was charged twice and ORD-1001 is late', ['billing', 'orders'])).toBe(true);
    expect(rules.spansParts('Refund the charge. Also, where is ORD-7?', ['billing', 'orders'])).toBe(true);
    expect(rules.spansParts('please refund ORD-1001', ['billing', 'orders'])).toBe(false);
    expect(rules.spansParts('I was charged twice and refunded once', ['billing', 'orders'])).toBe(false);
    expect(rules.spansParts('', ['billing', 'orders'])).toBe(false);
  });

  it('the steps of all consultations together stay within MAX_STEPS (an equal share each)', async () => {
    const looping = () => callTools({ name: 'list_invoices' });
    const { model, seen } = perSpecialist({ billing: Array.from({ length: 10 }, () => looping), orders: [answer('Orders part.')] });
    h = await EngineHarness.create({ model, tools: tools(), specialists, env: { MAX_STEPS: '6' } });
    const result = await h.send('I was charged twice and ORD-1001 is late');
    expect(seen.billing).toHaveLength(3);
    expect(result.steps).toBe(4);
    expect(result.reply).toContain('Orders part.');
    expect(result.reply).toContain("couldn't finish");
  });

  it('a side effect both consultations ask for runs once for each, even when the model gives no call ids (ids are idempotency keys)', async () => {
    const notes: string[] = [];
    // Declared idempotent: it de-duplicates on ctx.idempotencyKey, as the README asks of such tools.
    const seen = new Map<string, { noted: string }>();
    const note = defineTool({
      name: 'add_note',
      description: 'Add a note to the account',
      input: z.object({ text: z.string() }),
      permission: 'member',
      idempotent: true,
      execute: async ({ text }, ctx) => {
        const earlier = seen.get(ctx.idempotencyKey);
        if (earlier) return earlier;
        notes.push(text);
        seen.set(ctx.idempotencyKey, { noted: text });
        return { noted: text };
      },
    });
    const withNotes: Specialist[] = [
      { ...specialists[0]!, tools: ['add_note'] },
      { ...specialists[1]!, tools: ['add_note'] },
    ];
    const { model } = perSpecialist({
      billing: [callTools({ name: 'add_note', args: { text: 'billing' }, id: '' }), (r) => answer(JSON.stringify(lastToolResult(r)))],
      orders: [callTools({ name: 'add_note', args: { text: 'orders' }, id: '' }), (r) => answer(JSON.stringify(lastToolResult(r)))],
    });
    h = await EngineHarness.create({ model, tools: [note], specialists: withNotes });
    const result = await h.send('I was charged twice and ORD-1001 is late');
    expect(notes.sort()).toEqual(['billing', 'orders']);
    expect(result.reply).toBe('{"noted":"billing"}\n\n{"noted":"orders"}');
  });

  it('roles are still checked for every call in a consultation', async () => {
    const { model } = perSpecialist({ billing: [callTools({ name: 'staff_ledger' }), answer('Could not read the ledger.')], orders: [answer('Orders part.')] });
    h = await EngineHarness.create({ model, tools: tools(), specialists });
    const result = await h.send('I was charged twice and ORD-1001 is late');
    expect(ran).toEqual([]);
    expect(result.toolCalls.find((c) => c.name === 'staff_ledger')).toMatchObject({ outcome: 'refused' });
  });

  it('parallel calls share the per-request budget: each reservation counts the others’ (never both on one allowance)', async () => {
    // gpt-4o with 2,000 output tokens reserves about $0.02 a call; the request may spend $0.03.
    const model = new ScriptedModel('gpt-4o');
    model.fallback = () => new Promise((resolve) => setTimeout(() => resolve(answer('part')), 20));
    h = await EngineHarness.create({ model, tools: tools(), specialists, env: { BUDGET_REQUEST_USD: '0.03', MAX_OUTPUT_TOKENS: '2000' } });
    const result = await h.send('I was charged twice and ORD-1001 is late');
    expect(model.calls).toBe(1);
    expect(result.status).toBe('escalated');
    expect(result.errors.map((e) => e.code)).toContain('budget_request');
    expect((await h.audit()).filter((e) => e.event === 'budget_refused')).toHaveLength(1);
  });

  it('an approval in one consultation pauses the turn; the other part is shown at once, and the paused specialist resumes alone after the decision', async () => {
    const refunded: number[] = [];
    const { model, seen } = perSpecialist({
      billing: [
        { content: 'I can refund the duplicate charge.', toolCalls: [{ id: 'call_refund', name: 'issue_refund', arguments: '{"amount":29}' }], usage: { promptTokens: 100, completionTokens: 20 } },
        (request) => answer(`Refunded: ${JSON.stringify(lastToolResult(request))}`),
      ],
      orders: [callTools({ name: 'look_up_order' }), answer('ORD-1001 ships tomorrow.')],
    });
    h = await EngineHarness.create({ model, tools: [tool('list_invoices', ran), tool('look_up_order', ran), staffRefundTool(refunded)], specialists });
    const paused = await h.send('I was charged twice, please refund it, and ORD-1001 is late');
    expect(paused.status).toBe('paused');
    expect(h.channel.texts()[0]).toBe('ORD-1001 ships tomorrow.\n\nI can refund the duplicate charge.');
    expect(refunded).toEqual([]);

    const decided = await h.engine.decideApproval({ approvalId: paused.pendingApprovals[0]!, decision: 'approve', decider: users.dana });
    expect(decided.ok).toBe(true);
    expect(refunded).toEqual([29]);
    const resumed = seen.billing!.at(-1)!;
    expect(toolNames(resumed)).toEqual(['escalate_to_human', 'issue_refund', 'list_invoices']);
    expect(h.channel.texts().at(-1)).toBe('Refunded: {"refunded":29}');
    expect(seen.orders).toHaveLength(2);
    // The conversation goes on normally afterwards: no consultation is left waiting.
    model.fallback = async () => answer('Anything else?');
    expect((await h.send('thanks')).reply).toBe('Anything else?');
  });

  it('when two consultations want approvals, the first waits for its decision and the other is deferred, never requested', async () => {
    const cancelOrder = defineTool({ name: 'look_up_order', description: 'Cancel', input: z.object({}), permission: 'member', approval: 'staff', describe: () => 'Cancel the order', execute: async () => ({ cancelled: true }) });
    const { model } = perSpecialist({
      billing: [callTools({ name: 'issue_refund', args: { amount: 5 } }), answer('Refund done.')],
      orders: [callTools({ name: 'look_up_order' })],
    });
    h = await EngineHarness.create({ model, tools: [staffRefundTool(), cancelOrder], specialists });
    const paused = await h.send('I was charged twice and cancel ORD-1001');
    expect(paused.status).toBe('paused');
    expect(paused.pendingApprovals).toHaveLength(1);
    expect(h.channel.texts()[0]).toContain('The orders part needs an approval as well');
    expect((await h.audit()).filter((e) => e.event === 'approval_requested').map((e) => e.tool_name)).toEqual(['issue_refund']);
  });
});
