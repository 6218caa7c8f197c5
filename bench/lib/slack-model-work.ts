/**
 * The model work both sides of the Slack benchmark do, defined once: the
 * loopback model's policy (look the order up, then answer from the result),
 * the order data the tool reads, and what the bare Bolt floor sends to the
 * model so its requests match the product's (same system prompt shape, same
 * tool specs, same token limit).
 */
import { z } from 'zod';
import { systemPrompt } from '../../src/agent/prompts';
import { escalateTool } from '../../src/escalation/escalate-tool';
import type { ToolDefinition } from '../../src/ports';
import { defineTool, toolSpec } from '../../src/tools/define-tool';
import type { OpenAISimulatorOptions } from '../../test/simulators/openai/openai-simulator';
import { lastToolResult, lastUserText } from '../../test/simulators/openai/wire';
import { CARRIERS, QUESTIONS, STATUSES, type Order } from './loopback';

export type { Order };

/** Model name: priced in the default price table, so budgets do real arithmetic. */
export const BENCH_MODEL = 'gpt-4o-mini';
/** The engine's default MAX_OUTPUT_TOKENS; the floor asks for the same. */
export const MAX_OUTPUT_TOKENS = 800;

const TAG = /\(ref t(\d+)\)/;
const ORDER = /ORD-\d+/;


const PRODUCTS = ['Wireless mouse', 'USB-C cable (2 m)', 'Laptop stand', 'Keyboard'] as const;
const ORDERS = 5_000;

/** The order a turn asks about (the answer must mention it). */
export const orderIdOfTurn = (tag: number) => `ORD-${10_000 + ((tag * 7) % ORDERS)}`;

/** A deterministic order for an id such as `ORD-10042` (prices in whole cents). */
function orderFor(orderId: string): Order {
  const n = Number(orderId.slice(4)) || 0;
  const items = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
    sku: `SKU-${(n * 7 + i) % 9000}`,
    name: PRODUCTS[(n + i) % PRODUCTS.length] as string,
    qty: 1 + ((n + i) % 2),
    priceUsd: (999 + ((n + i) % 40) * 100) / 100,
  }));
  const cents = items.reduce((sum, i) => sum + i.qty * Math.round(i.priceUsd * 100), 0);
  return {
    orderId,
    status: STATUSES[n % STATUSES.length] as string,
    carrier: CARRIERS[n % CARRIERS.length] as string,
    eta: `2026-03-${String(1 + (n % 28)).padStart(2, '0')}`,
    items,
    totalUsd: cents / 100,
  };
}

function answerText(order: Order): string {
  const lines = order.items.map((i) => `- ${i.qty} × ${i.name} ($${i.priceUsd.toFixed(2)})`).join('\n');
  return `Your order **${order.orderId}** is *${order.status}* with ${order.carrier}, expected on ${order.eta}.\n${lines}\nTotal: $${order.totalUsd.toFixed(2)}. Anything else I can help with?`;
}

/** The turn tag in a message or answer (`(ref t42)` -> 42), or undefined. */
export function tagOf(text: string): number | undefined {
  const m = TAG.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** What a user writes for turn `tag`: a question about one order, tagged so its answer can be recognised. */
export function mentionText(botUserId: string, tag: number): string {
  const question = (QUESTIONS[tag % QUESTIONS.length] as string).replace('{id}', orderIdOfTurn(tag));
  return `<@${botUserId}> ${question} (ref t${tag})`;
}

/** The loopback model: one `lookup_order` call for the order in the question, then an answer from the tool result. */
export function modelPolicy(): OpenAISimulatorOptions {
  return {
    toolName: 'lookup_order',
    toolArguments: (req) => ({ orderId: ORDER.exec(lastUserText(req))?.[0] ?? 'ORD-10000' }),
    answer: (req) => {
      const tag = tagOf(lastUserText(req));
      const order = JSON.parse(lastToolResult(req) ?? '{}') as Order;
      return `${order.orderId ? answerText(order) : 'I could not find that order.'} (ref t${tag ?? '?'})`;
    },
  };
}

/** Orders the tool reads: the same 5,000 in-memory records on both sides. */
export function createOrderBook(): (orderId: string) => Order | { error: string } {
  const orders = new Map<string, Order>();
  for (let n = 0; n < ORDERS; n++) {
    const orderId = `ORD-${10_000 + n}`;
    orders.set(orderId, orderFor(orderId));
  }
  return (orderId) => orders.get(orderId) ?? { error: `No order ${orderId}` };
}

/** The product's tool over the order book: validated, role-checked and guarded by the engine. */
export function createLookupTool(lookup: ReturnType<typeof createOrderBook>): ToolDefinition {
  return defineTool({
    name: 'lookup_order',
    description: 'Look up one of the caller’s orders by id: status, carrier, delivery estimate and items.',
    input: z.object({ orderId: z.string().regex(/^ORD-\d{4,8}$/).describe('Order id such as ORD-10042') }),
    permission: 'member',
    readOnly: true, // a lookup: no execution journal on the measured path
    execute: async ({ orderId }) => lookup(orderId),
  }) as ToolDefinition;
}

/**
 * What the floor sends besides the conversation: the system prompt the
 * product would send a member, and the same two tool specs (the lookup and
 * the hand-off tool the engine always offers), in OpenAI's request shape.
 */
export function floorRequestParts(lookup: ReturnType<typeof createOrderBook>): {
  system: string;
  tools: Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
} {
  const system = systemPrompt({ userId: 'U0VU00', platform: 'slack', displayName: 'vu00', role: 'member' }, 'the support assistant');
  const tools = [createLookupTool(lookup), escalateTool as ToolDefinition].map((tool) => {
    const spec = toolSpec(tool);
    return { type: 'function' as const, function: { name: spec.name, description: spec.description, parameters: spec.parameters } };
  });
  return { system, tools };
}
