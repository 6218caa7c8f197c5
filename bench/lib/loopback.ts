/**
 * The in-process stand-ins the engine benchmark drives the real engine with:
 * a loopback model (one tool call, then an answer), a cheap order-lookup tool,
 * a channel that keeps only counts, and a ledger of the time spent inside the
 * model and the tool so it can be subtracted from each turn.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Channel, ChatMessage, ConversationRef, MessageRef, ModelClient, ModelRequest, ModelResponse, ToolDefinition } from '../../src/ports';
import { defineTool } from '../../src/tools/define-tool';

/** Time spent outside the engine during one turn. */
export interface ExternalTime {
  modelMs: number;
  toolMs: number;
  modelCalls: number;
  toolCalls: number;
}

/**
 * Which turn is running on which session, and how long that turn spent in
 * the model and the tool. The driver never runs two turns of one session at
 * once, so the session id (tools) or the turn tag (model) identifies the turn.
 */
export class TimingLedger {
  /** First model calls of turns, and how many of those carried earlier turns of the conversation. */
  firstCalls = 0;
  firstCallsWithHistory = 0;
  private readonly bySession = new Map<string, ExternalTime>();
  private readonly byTag = new Map<number, ExternalTime>();

  begin(tag: number, sessionId: string): ExternalTime {
    const time: ExternalTime = { modelMs: 0, toolMs: 0, modelCalls: 0, toolCalls: 0 };
    this.bySession.set(sessionId, time);
    this.byTag.set(tag, time);
    return time;
  }

  end(tag: number, sessionId: string): void {
    this.bySession.delete(sessionId);
    this.byTag.delete(tag);
  }

  forTag(tag: number): ExternalTime | undefined {
    return this.byTag.get(tag);
  }

  forSession(sessionId: string): ExternalTime | undefined {
    return this.bySession.get(sessionId);
  }
}

// ---------------------------------------------------------------------------
// Conversation content, shared by the live model/tool and the seeder so
// seeded sessions have the same shape and size as ones the engine wrote.

export const STATUSES = ['processing', 'shipped', 'in transit', 'out for delivery', 'delivered'] as const;
export const CARRIERS = ['UPS', 'DHL', 'FedEx', 'USPS'] as const;
export const QUESTIONS = [
  'Hi, where is my order {id}? It was supposed to arrive this week.',
  'Can you check the status of {id} for me please',
  'Any update on {id}? Tracking has not changed for two days.',
  'What did I order in {id} and when will it get here?',
] as const;

export interface Order {
  orderId: string;
  status: string;
  carrier: string;
  eta: string;
  items: Array<{ sku: string; name: string; qty: number; priceUsd: number }>;
  totalUsd: number;
}

/** A deterministic order for an id such as `ORD-10042`. */
export function orderFor(orderId: string): Order {
  const n = Number(orderId.slice(4)) || 0;
  const items = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
    sku: `SKU-${(n * 7 + i) % 9000}`,
    name: ['Wireless mouse', 'USB-C cable (2 m)', 'Laptop stand', 'Keyboard'][(n + i) % 4] as string,
    qty: 1 + ((n + i) % 2),
    priceUsd: 9.99 + ((n + i) % 40),
  }));
  return {
    orderId,
    status: STATUSES[n % STATUSES.length] as string,
    carrier: CARRIERS[n % CARRIERS.length] as string,
    eta: `2026-03-${String(1 + (n % 28)).padStart(2, '0')}`,
    items,
    totalUsd: Math.round(items.reduce((sum, i) => sum + i.qty * i.priceUsd, 0) * 100) / 100,
  };
}

export const orderIdOf = (n: number) => `ORD-${10_000 + (n % 5_000)}`;

/** The user's question; the `(ref tN)` tag tells the loopback model which turn it serves. */
export function questionText(orderId: string, variant: number, tag: number): string {
  return `${(QUESTIONS[variant % QUESTIONS.length] as string).replace('{id}', orderId)} (ref t${tag})`;
}

export function answerText(order: Order): string {
  const lines = order.items.map((i) => `- ${i.qty} × ${i.name} ($${i.priceUsd.toFixed(2)})`).join('\n');
  return `Your order **${order.orderId}** is *${order.status}* with ${order.carrier}, expected on ${order.eta}.\n${lines}\nTotal: $${order.totalUsd.toFixed(2)}. Anything else I can help with?`;
}

/** The four messages one turn adds to a session's history. */
export function turnMessages(orderId: string, variant: number, tag: number, callId: string): ChatMessage[] {
  const order = orderFor(orderId);
  return [
    { role: 'user', content: questionText(orderId, variant, tag) },
    { role: 'assistant', content: null, toolCalls: [{ id: callId, name: 'lookup_order', arguments: JSON.stringify({ orderId }) }] },
    { role: 'tool', toolCallId: callId, content: JSON.stringify(order) },
    { role: 'assistant', content: answerText(order) },
  ];
}

// ---------------------------------------------------------------------------

const TAG = /\(ref t(\d+)\)/;
const ORDER = /ORD-\d+/;

/**
 * A loopback `ModelClient`: the first call of a turn asks for `lookup_order`,
 * the second (after the tool result) answers. Usage is estimated from the
 * request size the way a real provider would bill it (~4 chars per token).
 */
export function createLoopbackModel(ledger: TimingLedger, modelName = 'gpt-4o-mini'): ModelClient {
  return {
    model: modelName,
    mode: 'openai',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const started = performance.now();
      const lastUser = request.messages.findLast((m) => m.role === 'user');
      const text = lastUser?.content ?? '';
      const tag = Number(TAG.exec(text)?.[1] ?? -1);
      let chars = 0;
      for (const m of request.messages) chars += (m.content ?? '').length;
      const promptTokens = Math.ceil(chars / 4) + 4 * request.messages.length + 180; // + tool specs
      const last = request.messages.at(-1);
      let response: ModelResponse;
      if (last?.role === 'tool') {
        const order = JSON.parse(last.content) as Order;
        response = { content: answerText(order), toolCalls: [], usage: { promptTokens, completionTokens: 62 } };
      } else {
        ledger.firstCalls += 1;
        if (request.messages.filter((m) => m.role === 'user').length > 1) ledger.firstCallsWithHistory += 1;
        const orderId = ORDER.exec(text)?.[0] ?? 'ORD-10000';
        response = {
          content: null,
          toolCalls: [{ id: `call_${tag}_1`, name: 'lookup_order', arguments: JSON.stringify({ orderId }) }],
          usage: { promptTokens, completionTokens: 21 },
        };
      }
      const time = tag >= 0 ? ledger.forTag(tag) : undefined;
      if (time) {
        time.modelCalls += 1;
        time.modelMs += performance.now() - started;
      }
      return response;
    },
  };
}

/** A cheap real tool: an in-memory order lookup, scoped like a real one would be. */
export function createOrderLookupTool(ledger: TimingLedger): ToolDefinition {
  const orders = new Map<string, Order>();
  for (let n = 0; n < 5_000; n++) orders.set(orderIdOf(n), orderFor(orderIdOf(n)));
  return defineTool({
    name: 'lookup_order',
    description: 'Look up one of the caller’s orders by id: status, carrier, delivery estimate and items.',
    input: z.object({ orderId: z.string().regex(/^ORD-\d{4,8}$/).describe('Order id such as ORD-10042') }),
    permission: 'member',
    // A lookup: declaring it keeps the execution journal (two store writes) off the measured path.
    readOnly: true,
    async execute({ orderId }, ctx) {
      const started = performance.now();
      const order = orders.get(orderId) ?? { error: `No order ${orderId}` };
      const time = ledger.forSession(ctx.sessionId);
      if (time) {
        time.toolCalls += 1;
        time.toolMs += performance.now() - started;
      }
      return order;
    },
  }) as ToolDefinition;
}

/** A channel that answers instantly and only counts what it was asked to show. */
export function createCountingChannel(platform: string): Channel & { counts: Record<string, number> } {
  const counts: Record<string, number> = { posts: 0, approvals: 0, oncall: 0, alerts: 0 };
  let seq = 0;
  const ref = (conversation: { channelId: string }): MessageRef => ({ platform, channelId: conversation.channelId, messageId: `m${++seq}` });
  return {
    platform,
    counts,
    async postMessage(conversation: ConversationRef) {
      counts.posts = (counts.posts ?? 0) + 1;
      return ref(conversation);
    },
    async postApproval(view) {
      counts.approvals = (counts.approvals ?? 0) + 1;
      return ref(view.conversation);
    },
    async updateApproval() {},
    async notifyOncall(view) {
      counts.oncall = (counts.oncall ?? 0) + 1;
      return ref(view.conversation);
    },
    async alertOncall() {
      counts.alerts = (counts.alerts ?? 0) + 1;
    },
  };
}
