import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineOfflineIntent } from '../../src/agent/offline-intent';
import { OfflinePlanner } from '../../src/agent/offline-plan';
import { createOfflineModel as createGenericOfflineModel, type OfflineModelOptions } from '../../src/agent/offline-model';
import { helpdeskOfflineIntents } from '../../plugins/helpdesk/offline/intents';
import { findOrderId } from '../../plugins/helpdesk/offline/rules';
import { AppError } from '../../src/errors';
import { hasRole } from '../../src/policy/roles';
import type { ApprovalRequirement, Caller, ChatMessage, ModelClient, ToolDefinition } from '../../src/ports';
import { defineTool, toolSpec } from '../../src/tools/define-tool';
import { alice, bob, caller, openFixture, toolContext, type HelpdeskFixture } from '../helpdesk/helpdesk-fixture';

/** The offline model with the demo helpdesk's intents, as `npm start` runs it. */
const createOfflineModel = (options: OfflineModelOptions = {}) => createGenericOfflineModel({ intents: helpdeskOfflineIntents, ...options });
const planner = new OfflinePlanner(helpdeskOfflineIntents);

/** Stand-in for the engine's own hand-off tool, with the name and input the engine documents. */
const escalateTool = defineTool({
  name: 'escalate_to_human',
  description: 'Hand this conversation to a human support agent.',
  input: z.object({ reason: z.string().min(1).max(500), urgency: z.enum(['low', 'normal', 'high', 'urgent']).optional() }),
  permission: 'guest',
  approval: 'none',
  execute: async () => ({ status: 'escalation requested' }),
});

interface CallLog {
  id: string;
  name: string;
  args: Record<string, unknown>;
  approval: ApprovalRequirement;
  content: string;
}

interface TurnOutcome {
  reply: string;
  calls: CallLog[];
  escalated: boolean;
}

/**
 * A tiny engine loop for the test: offer the tools the caller's role allows,
 * validate every call with the tool's zod schema, "approve" or deny what needs
 * approval, run the real tools, feed results back as `role: 'tool'` messages.
 */
class Driver {
  readonly history: ChatMessage[] = [{ role: 'system', content: 'You are a support assistant.' }];
  readonly allIds: string[] = [];
  decide: (call: CallLog) => 'approve' | 'deny' = () => 'approve';

  constructor(
    private readonly model: ModelClient,
    private readonly tools: ToolDefinition[],
    private readonly who: Caller,
  ) {}

  async say(text: string): Promise<TurnOutcome> {
    this.history.push({ role: 'user', content: text });
    const offered = this.tools.filter((t) => hasRole(this.who.role, t.permission));
    const calls: CallLog[] = [];
    for (let step = 0; step < 6; step += 1) {
      const response = await this.model.complete({ messages: this.history, tools: offered.map(toolSpec), maxOutputTokens: 800 }, new AbortController().signal);
      expect(response.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
      if (response.toolCalls.length === 0) {
        expect(response.content).toBeTruthy();
        this.history.push({ role: 'assistant', content: response.content });
        return { reply: response.content ?? '', calls, escalated: false };
      }
      this.history.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
      let escalated = false;
      for (const call of response.toolCalls) {
        const tool = offered.find((t) => t.name === call.name);
        expect(tool, `model called ${call.name}, which was not offered`).toBeDefined();
        if (!tool) continue;
        const parsed = tool.input.safeParse(JSON.parse(call.arguments));
        expect(parsed.success, `${call.name} ${call.arguments}`).toBe(true);
        this.allIds.push(call.id);
        const approval = typeof tool.approval === 'function' ? tool.approval(parsed.data, { caller: this.who }) : (tool.approval ?? 'none');
        const log: CallLog = { id: call.id, name: call.name, args: JSON.parse(call.arguments) as Record<string, unknown>, approval, content: '' };
        if (approval !== 'none' && this.decide(log) === 'deny') {
          log.content = JSON.stringify({ denied: 'Denied by Sam (staff)' });
        } else {
          try {
            log.content = JSON.stringify(await tool.execute(parsed.data, toolContext(this.who, call.id)));
          } catch (error) {
            log.content = JSON.stringify({ error: error instanceof AppError ? error.message : 'The tool failed unexpectedly.' });
          }
        }
        calls.push(log);
        this.history.push({ role: 'tool', toolCallId: call.id, content: log.content });
        if (call.name === 'escalate_to_human') escalated = true;
      }
      // Like the engine: a hand-off ends the turn with the text sent alongside the call.
      if (escalated) return { reply: response.content ?? '', calls, escalated: true };
    }
    throw new Error('model did not finish within 6 steps');
  }
}

const names = (calls: CallLog[]) => calls.map((c) => c.name);

describe('offline model', () => {
  let f: HelpdeskFixture;
  let tools: ToolDefinition[];
  const drive = (who: Caller) => new Driver(createOfflineModel(), tools, who);

  beforeEach(async () => {
    f = await openFixture();
    tools = [...f.helpdesk.tools, escalateTool];
  });
  afterEach(async () => f.cleanup());

  it('identifies itself as the offline model', () => {
    const model = createOfflineModel();
    expect([model.mode, model.model]).toEqual(['offline', 'offline']);
  });

  it("I can't access my account: help-center article, then a requester-confirmed reset", async () => {
    const chat = drive(alice);
    const first = await chat.say("I can't access my account");
    expect(names(first.calls)).toEqual(['search_knowledge_base']);
    expect(first.reply).toContain("Can't sign in? Reset your password or unlock your account");
    expect(first.reply).toContain('send a password reset link');

    const second = await chat.say('yes please');
    expect(second.calls).toEqual([expect.objectContaining({ name: 'reset_password', args: {}, approval: 'requester' })]);
    expect(second.reply).toContain('a••••@example.com');
    expect(second.reply).toContain('30 minutes');
    expect(second.reply).not.toContain('alice@example.com');
  });

  it('reset my password goes straight to reset_password, and a cancelled confirmation is answered gracefully', async () => {
    const chat = drive(alice);
    chat.decide = () => 'deny';
    const turn = await chat.say('Please reset my password');
    expect(names(turn.calls)).toEqual(['reset_password']);
    expect(turn.reply).toMatch(/didn't send a reset link/);
  });

  it('Why was I charged twice? explains the duplicate and refunds it after "yes please"', async () => {
    const chat = drive(alice);
    const first = await chat.say('Why was I charged twice?');
    expect(names(first.calls)).toEqual(['list_invoices']);
    expect(first.reply).toContain('$29.00');
    expect(first.reply).toContain('June 7');
    expect(first.reply).toContain('ch_3005');
    expect(first.reply).toContain('ch_3006');
    expect(first.reply).toContain('request a refund');

    const second = await chat.say('yes please');
    expect(names(second.calls)).toEqual(['list_invoices', 'issue_refund']);
    expect(second.calls[1]).toMatchObject({ args: { chargeId: 'ch_3006', amountUsd: 29 }, approval: 'staff' });
    expect(second.reply).toContain('REF-7002');
    expect(second.reply).toContain('$29.00');

    const again = await chat.say('Why was I charged twice?');
    expect(again.reply).toContain('already been refunded');
  });

  it('My application keeps crashing: status and troubleshooting together, then a ticket', async () => {
    const chat = drive(alice);
    const first = await chat.say('My application keeps crashing');
    expect(names(first.calls).sort()).toEqual(['check_service_status', 'search_knowledge_base']);
    expect(first.reply).toContain('Desktop app 4.2.0 crashes on startup on Windows');
    expect(first.reply).toContain('4.2.1');
    expect(first.reply).toContain("The desktop app keeps crashing or won't open");
    expect(first.reply).toContain('open a support ticket');

    const second = await chat.say('yes please');
    expect(second.calls).toEqual([expect.objectContaining({ name: 'create_ticket', args: { subject: 'App keeps crashing', description: 'My application keeps crashing' } })]);
    expect(second.reply).toContain('TCK-5002');
  });

  it('Where is my order ORD-1001? answers with the real shipping data, and only to its owner', async () => {
    const mine = await drive(alice).say('Where is my order ORD-1001?');
    expect(mine.calls).toEqual([expect.objectContaining({ name: 'look_up_order', args: { orderId: 'ORD-1001' } })]);
    for (const fact of ['ORD-1001', 'shipped', 'UPS', '1Z999AA10123456784', 'June 12', 'Aurora Wireless Headphones']) expect(mine.reply).toContain(fact);

    const theirs = await drive(bob).say('Where is my order ORD-1001?');
    expect(theirs.reply).toBe('Order ORD-1001 was not found on your account.');

    const list = await drive(bob).say('where is my package?');
    expect(list.calls).toEqual([expect.objectContaining({ name: 'look_up_order', args: {} })]);
    expect(list.reply).toContain('ORD-1004');
  });

  it('I want a refund: finds the duplicate and requests it; a staff denial is answered gracefully', async () => {
    const chat = drive(alice);
    chat.decide = () => 'deny';
    const turn = await chat.say('I want a refund');
    expect(names(turn.calls)).toEqual(['list_invoices', 'issue_refund']);
    expect(turn.calls[1]).toMatchObject({ args: { chargeId: 'ch_3006', amountUsd: 29 }, approval: 'staff' });
    expect(turn.reply).toContain('A staff member denied');
  });

  it('I want a refund with no duplicate asks which order, then refunds that order (admin above the threshold)', async () => {
    const chat = drive(bob);
    const ask = await chat.say('I want a refund');
    expect(names(ask.calls)).toEqual(['list_invoices']);
    expect(ask.reply).toContain('Which order or charge should I refund?');

    const turn = await chat.say('ORD-1004');
    expect(names(turn.calls)).toEqual(['look_up_order', 'issue_refund']);
    expect(turn.calls[1]).toMatchObject({ args: { orderId: 'ORD-1004', amountUsd: 89 }, approval: 'staff' });
    expect(turn.reply).toContain('$89.00');

    const big = await drive(alice).say('Please refund order ORD-1001');
    expect(big.calls[1]).toMatchObject({ name: 'issue_refund', args: { orderId: 'ORD-1001', amountUsd: 141 }, approval: 'admin' });
  });

  it('I want to speak to your manager immediately! escalates with high urgency', async () => {
    const turn = await drive(bob).say('I want to speak to your manager immediately!');
    expect(turn.escalated).toBe(true);
    expect(turn.calls).toEqual([expect.objectContaining({ name: 'escalate_to_human', args: expect.objectContaining({ urgency: 'high' }) })]);
    expect(turn.reply).toContain('person from our team');
  });

  it('greets, creates tickets on request, and admits what it cannot do', async () => {
    const chat = drive(alice);
    const hello = await chat.say('hi');
    expect(hello.calls).toEqual([]);
    expect(hello.reply).toContain('Orders');

    const vague = await chat.say('create a ticket');
    expect(vague.reply).toContain('What should the ticket say?');
    const ticket = await chat.say('The invoice PDF will not download');
    expect(ticket.calls).toEqual([expect.objectContaining({ name: 'create_ticket', args: { subject: 'The invoice PDF will not download', description: 'The invoice PDF will not download' } })]);

    const poem = await chat.say('Can you write me a poem about the sea?');
    expect(names(poem.calls)).toEqual(['search_knowledge_base']);
    expect(poem.reply).toContain("I'm not sure I can help");
    expect(poem.reply).toContain('bring in a person from our team');
    const human = await chat.say('yes');
    expect(human.calls).toEqual([expect.objectContaining({ name: 'escalate_to_human', args: expect.objectContaining({ urgency: 'normal' }) })]);
  });

  it('answers how-to questions from the help center', async () => {
    const turn = await drive(alice).say('How do I cancel my plan?');
    expect(names(turn.calls)).toEqual(['search_knowledge_base']);
    expect(turn.reply).toContain('Changing, pausing or cancelling your plan');
  });

  it('never calls a tool that was not offered (guests cannot look up orders)', async () => {
    const guest = caller('visitor', 'guest', 'discord');
    const turn = await drive(guest).say('Where is my order ORD-1001?');
    expect(turn.calls).toEqual([]);
    expect(turn.reply).toContain("can't look up orders");
    expect(turn.reply).not.toContain('1Z999AA10123456784');

    const noEscalation = new Driver(createOfflineModel(), f.helpdesk.tools, alice);
    const manager = await noEscalation.say('Get me a manager now!');
    expect(manager.calls).toEqual([]);
  });

  it('reports tool errors instead of inventing data, and keeps tool-call ids unique', async () => {
    const chat = drive(alice);
    await chat.say('Where is my order ORD-1001?');
    await chat.say('Why was I charged twice?');
    await chat.say('yes please');
    const broken = await chat.say('refund charge ch_3006');
    expect(broken.reply).toContain('already been refunded');
    expect(new Set(chat.allIds).size).toBe(chat.allIds.length);

    const failing = await new Driver(createOfflineModel(), [...tools.filter((t) => t.name !== 'look_up_order'), brokenLookUp], alice).say('Where is ORD-1002?');
    expect(failing.reply).toContain("I couldn't look up that order (Order database is unavailable)");
  });
});

describe('offline model: misroutes fixed in issue 10', () => {
  let f: HelpdeskFixture;
  let tools: ToolDefinition[];
  const drive = (who: Caller) => new Driver(createOfflineModel(), tools, who);

  beforeEach(async () => {
    f = await openFixture();
    tools = [...f.helpdesk.tools, escalateTool];
  });
  afterEach(async () => f.cleanup());

  it('"cancel my subscription" explains cancelling and offers no refund of the double charge', async () => {
    const turn = await drive(alice).say('cancel my subscription');
    expect(names(turn.calls)).not.toContain('list_invoices');
    expect(names(turn.calls)).not.toContain('issue_refund');
    expect(turn.reply).toContain('Cancel plan');
    expect(turn.reply).not.toMatch(/refund|ch_300\d/i);
  });

  it('"how do I change my email address?" is not answered with a password reset', async () => {
    const chat = drive(alice);
    const turn = await chat.say('how do I change my email address?');
    expect(turn.calls).toEqual([]);
    expect(turn.reply).toMatch(/email address/);
    expect(turn.reply).not.toMatch(/password/i);
    const yes = await chat.say('yes please');
    expect(yes.calls).toEqual([expect.objectContaining({ name: 'create_ticket', args: expect.objectContaining({ subject: 'Change the email address on my account' }) })]);
  });

  it('understands typos: "why was i chraged twise?" finds the duplicate charge', async () => {
    const turn = await drive(alice).say('why was i chraged twise?');
    expect(names(turn.calls)).toEqual(['list_invoices']);
    expect(turn.reply).toContain('ch_3006');
    expect(turn.reply).toContain('request a refund');
  });

  it('"I want to cancel my order ORD-1003" is about cancelling, and "yes" opens a cancellation ticket', async () => {
    const chat = drive(alice);
    const turn = await chat.say('I want to cancel my order ORD-1003');
    expect(turn.calls).toEqual([expect.objectContaining({ name: 'look_up_order', args: { orderId: 'ORD-1003' } })]);
    expect(turn.reply).toMatch(/hasn't shipped yet, so it can still be cancelled/);
    expect(turn.reply).toContain('open a support ticket');
    const yes = await chat.say('yes');
    expect(yes.calls).toEqual([expect.objectContaining({ name: 'create_ticket', args: expect.objectContaining({ subject: 'Cancel order ORD-1003' }) })]);

    const shipped = await drive(alice).say('please cancel order ORD-1001');
    expect(shipped.reply).toMatch(/can no longer be cancelled/);
  });

  it.each([
    ['¿Por qué me cobraron dos veces?', 'Lo siento, solo puedo ayudar en inglés'],
    ['Où est ma commande ORD-1001 ?', "je ne peux aider qu'en anglais"],
    ['Warum wurde ich zweimal belastet?', 'ich kann nur auf Englisch helfen'],
    ['我的订单在哪里？', 'I can only help in English'],
  ])('a message in another language (%s) is handed to a human with an honest reply, not the menu', async (text, expected) => {
    const turn = await drive(alice).say(text);
    expect(turn.escalated).toBe(true);
    expect(turn.calls).toEqual([expect.objectContaining({ name: 'escalate_to_human' })]);
    expect(turn.reply).toContain(expected);
    expect(turn.reply).not.toContain("Here's what I can help with");
  });
});

const brokenLookUp = defineTool({
  name: 'look_up_order',
  description: 'Always fails, to test error handling.',
  input: z.object({ orderId: z.string().optional() }),
  permission: 'member',
  execute: async (): Promise<never> => {
    throw new AppError('db_down', 'Order database is unavailable.');
  },
});

describe('offline intent rules', () => {
  const kind = (text: string, previousReply?: string) => planner.classify({ text, previousReply, earlierUserTexts: [] }).intent.name;
  const refundOffer = 'You were charged twice.\n\nWould you like me to request a refund of $29.00 for the duplicate charge?';

  it.each([
    ["I can't log in", 'account_access'],
    ['I forgot my password', 'account_access'],
    ['Please reset my password', 'reset_password'],
    ['I was double charged this month', 'double_charge'],
    ['refund ORD-1001 please', 'refund'],
    ["What's your refund policy?", 'question'],
    ["My order hasn't arrived", 'order'],
    ['hello, where is ord 1002', 'order'],
    ['the app freezes on launch', 'crash'],
    ['is everything down?', 'service_status'],
    ['can I talk to a human', 'escalate'],
    ['hello', 'greeting'],
    ['thank you!', 'thanks'],
    ['what can you do', 'capabilities'],
    ['blorp', 'unknown'],
    ['why was i chraged twise?', 'double_charge'],
    ['I want a refnud', 'refund'],
    ['I changed my plan last week, what do I pay now?', 'billing'],
    ['cancel my subscription', 'cancel_subscription'],
    ['I want to cancel my order ORD-1003', 'cancel_order'],
    ['how do I change my email address?', 'change_email'],
    ['Hola, ¿dónde está mi pedido?', 'foreign_language'],
    ['Hi, this is José: where is my order ORD-1001?', 'order'],
  ])('"%s" -> %s', (text, expected) => {
    expect(kind(text)).toBe(expected);
  });

  it('reads short answers against the offer just made', () => {
    expect(kind('yes please', refundOffer)).toBe('refund');
    expect(kind('ok, go ahead', refundOffer)).toBe('refund');
    expect(kind('no thanks', refundOffer)).toBe('decline');
    expect(kind('yes please')).toBe('capabilities');
    // An offer made earlier in the reply, not at its end, is not what "yes" answers.
    expect(kind('yes', 'Would you like me to request a refund?\n\nAnything else?')).toBe('capabilities');
  });

  it('normalises order ids and reads long repetitive input like short (its speed: npx tsx bench/offline.ts)', () => {
    expect(findOrderId('order #ord 1007')).toBe('ORD-1007');
    expect(kind(`${'no thanks '.repeat(400)}x`, refundOffer)).toBe(kind('no thanks no thanks x', refundOffer));
    expect(kind(`${'yes please '.repeat(400)}!`, refundOffer)).toBe('refund');
  });
});

describe('the generic offline machinery, without any plugin intents', () => {
  const generic = new OfflinePlanner([]);
  const kind = (text: string, previousReply?: string) => generic.classify({ text, previousReply, earlierUserTexts: [] }).intent.name;

  it('understands only greetings, thanks, a person, yes/no and questions; domain requests are unknown', () => {
    expect(kind('hello')).toBe('greeting');
    expect(kind('I want to talk to a human')).toBe('escalate');
    expect(kind('yes please', 'Anything else?\n\nWould you like me to bring in a person from our team?')).toBe('escalate');
    expect(kind('what is your warranty policy?')).toBe('question');
    expect(kind('I was charged twice')).toBe('unknown');
  });

  it('lists only the generic capabilities it has tools for', () => {
    const step = generic.planStep({ text: 'hello', previousReply: undefined, earlierUserTexts: [], outcomes: [], pastResolutions: [] }, new Set(['escalate_to_human', 'look_up_order']));
    expect(step).toEqual({ kind: 'answer', text: "Hi! I'm the support assistant. Here's what I can help with:\n- **A person from our team** whenever you prefer" });
  });

  it('rejects intents with a bad name, without a plan, or declared twice', () => {
    const plan = () => ({ kind: 'answer' as const, text: 'x' });
    expect(() => defineOfflineIntent({ name: 'Bad Name', plan })).toThrow(/snake_case/);
    expect(() => defineOfflineIntent({ name: 'no_plan' } as unknown as Parameters<typeof defineOfflineIntent>[0])).toThrow(/needs a plan/);
    const once = defineOfflineIntent({ name: 'twice', plan });
    expect(() => new OfflinePlanner([once, once])).toThrow(/declared twice/);
  });
});
