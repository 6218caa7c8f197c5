import { readerEncryptionKey } from '../../src/ops/open-read-model';
import { ReadModel } from '../../src/ops/read-model';
import { createSealer } from '../../src/sessions/sealer';
import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';
import type { ModelRequest } from '../../src/ports';
import type { Specialist } from '../../src/specialists/specialist';
import { EngineHarness, users } from '../support/engine-harness';
import { ManualClock } from '../support/manual-clock';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

/** What the scripted conversations left behind, for assertions. */
export interface OpsScenario {
  h: EngineHarness;
  clock: ManualClock;
  approvalId: string;
  escalationId: string;
  /** Session of the answered conversation whose user text held an email address. */
  answeredSession: string;
  refundSession: string;
  escalatedSession: string;
}

const refundTool = defineTool({
  name: 'issue_refund',
  description: 'Refund an order',
  input: z.object({ orderId: z.string(), amountUsd: z.number() }),
  permission: 'member',
  approval: 'staff',
  describe: ({ orderId, amountUsd }) => `Refund $${amountUsd.toFixed(2)} on order ${orderId}`,
  execute: async ({ orderId }) => ({ refunded: true, orderId }),
});

/**
 * Routing: the answered conversation goes to orders, then its follow-up
 * ("when will it arrive?") hands it over to delivery; the refund request is
 * routed to billing and orders together (one request both rules match).
 */
const specialists: Specialist[] = [
  { name: 'billing', description: 'charges and refunds', instructions: 'Billing.', tools: ['issue_refund'], keywords: ['refund*'] },
  { name: 'orders', description: 'orders', instructions: 'Orders.', tools: ['issue_refund'], patterns: ['\\bORD-\\d+\\b'] },
  { name: 'delivery', description: 'delivery dates', instructions: 'Delivery.', tools: [], keywords: ['arrive'] },
];

/** Each model call "takes" 400 ms on the manual clock, so turns have a latency. */
function model(clock: ManualClock): ScriptedModel {
  const scripted = new ScriptedModel('gpt-4o-mini');
  scripted.fallback = (request: ModelRequest) => {
    clock.advance(400);
    const last = request.messages.at(-1);
    if (last?.role === 'user' && /refund/i.test(last.content)) return callTools({ name: 'issue_refund', args: { orderId: 'ORD-1042', amountUsd: 120 } });
    if (last?.role === 'tool') return answer('The refund is done.');
    return answer('ORD-1001 shipped on November 20 with UPS.');
  };
  return scripted;
}

/**
 * The real engine (SQLite store, sealed records, audit file) after scripted
 * conversations: two answered turns, a refund paused for staff approval, and
 * an escalation to a human. `start` is the clock's time at the first message.
 */
export async function runOpsScenario(start = Date.now()): Promise<OpsScenario> {
  const clock = new ManualClock(start);
  const h = await EngineHarness.create({ clock, model: model(clock), tools: [refundTool], specialists, env: { MODEL_PRICES: '{"gpt-4o-mini":{"input":0.15,"output":0.6}}' } });
  const answered = h.conversation('T-answered');
  await h.send('Hi, my email is alice@example.com. Where is my order ORD-1001?', { conversation: answered, caller: users.alice });
  clock.advance(60_000);
  await h.send('Thanks! And when will it arrive?', { conversation: answered, caller: users.alice });
  clock.advance(60_000);
  const refund = await h.send('I want a refund for order ORD-1042', { conversation: h.conversation('T-refund'), caller: users.bob });
  clock.advance(60_000);
  const escalated = await h.send('I want to speak to your manager immediately!', { conversation: h.conversation('T-escalated'), caller: users.guest });
  await h.app.audit.flush();
  return {
    h,
    clock,
    approvalId: refund.pendingApprovals[0] as string,
    escalationId: escalated.escalationId as string,
    answeredSession: 'test:W1:C1:T-answered',
    refundSession: 'test:W1:C1:T-refund',
    escalatedSession: 'test:W1:C1:T-escalated',
  };
}

/** A second reader over the scenario's files while the bot still has them open (as `npm run ops` reads them). */
export async function scenarioReadModel(s: OpsScenario): Promise<ReadModel> {
  const { config } = s.h.app;
  return new ReadModel({ store: s.h.app.store, sealer: createSealer(await readerEncryptionKey(config)), auditLogPath: config.auditLogPath, budget: config.budget, now: () => s.clock.now() });
}
