import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type App, bootstrap, defineTool, silentLogger } from '../../src/index';
import type { ModelClient, ModelRequest, ModelResponse } from '../../src/ports';
import { ManualClock } from './manual-clock';

/**
 * A deterministic model: "refund" asks for the approval-gated refund tool,
 * a tool result becomes a short confirmation, anything else is echoed.
 */
export class KeywordModel implements ModelClient {
  readonly model = 'keyword-test';
  readonly mode = 'offline' as const;
  /** Make an answer wait (a model that is still thinking); keyed by the user's text. */
  hold: ((text: string) => Promise<void>) | undefined;
  /** Between streamed pieces of an answer: pace the stream, or keep the model mid-answer. */
  between: ((text: string) => Promise<void>) | undefined;
  /** A scripted answer for this text instead of the echo. */
  answer: ((text: string) => string | undefined) | undefined;

  async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    const usage = { promptTokens: 10, completionTokens: 5 };
    const last = request.messages.at(-1);
    if (last?.role === 'tool') return streamed(request, { content: `Done: ${last.content}`, toolCalls: [], usage });
    const text = last?.role === 'user' ? last.content : '';
    await abortable(this.hold?.(text), signal);
    if (/refund/i.test(text)) {
      return streamed(request, {
        content: 'I can refund that once a staff member approves.',
        toolCalls: [{ id: `call_${randomUUID()}`, name: 'refund_order', arguments: JSON.stringify({ orderId: '1042', amountUsd: 120 }) }],
        usage,
      });
    }
    const reply = this.answer?.(text) ?? `Echo: ${text}`;
    // Like a streaming server: the answer in word-sized pieces when the engine asks for a stream.
    if (request.onText) {
      for (const piece of reply.match(/\S+\s*|\s+/g) ?? []) {
        request.onText(piece);
        await abortable(this.between?.(text), signal);
      }
    }
    return { content: reply, toolCalls: [], usage };
  }
}

/** Like a streaming server: short replies go to `onText` word by word before the response resolves. */
function streamed(request: ModelRequest, response: ModelResponse): ModelResponse {
  if (request.onText && response.content) for (const piece of response.content.match(/\S+\s*/g) ?? []) request.onText(piece);
  return response;
}

/** Wait for `work`, or fail as an aborted request does when the engine stops the turn. */
async function abortable(work: Promise<void> | undefined, signal: AbortSignal): Promise<void> {
  if (!work) return;
  signal.throwIfAborted();
  let onAbort = () => undefined as void;
  try {
    await Promise.race([work, new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(signal.reason as Error)), { once: true }))]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The real engine (bootstrap: SQLite store, sealed sessions, audit log) with a staff-approved refund tool. */
export interface RefundEngine {
  app: App;
  model: KeywordModel;
  clock: ManualClock;
  /** Refunds actually executed (must stay exactly one per approval), as `orderId:idempotencyKey`. */
  refunds: string[];
  /** The amount of each executed refund, in order (what an edited approval changed). */
  refundedUsd: number[];
  close(): Promise<void>;
}

/** Platform end-to-end tests share this engine so both adapters are held to the same behaviour. `env` adds settings (AGENT_CONFIG). */
export async function startRefundEngine(name: string, env: Record<string, string> = {}): Promise<RefundEngine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `${name}-e2e-`));
  const clock = new ManualClock(Date.UTC(2030, 0, 1, 12));
  const refunds: string[] = [];
  const refundedUsd: number[] = [];
  const refundTool = defineTool({
    name: 'refund_order',
    description: 'Refund an order to the original payment method.',
    input: z.object({ orderId: z.string(), amountUsd: z.number() }),
    permission: 'member',
    approval: 'staff',
    describe: (args) => `Refund $${args.amountUsd.toFixed(2)} on order #${args.orderId}`,
    async execute(args, ctx) {
      refunds.push(`${args.orderId}:${ctx.idempotencyKey}`);
      refundedUsd.push(args.amountUsd);
      return { refunded: true, orderId: args.orderId };
    },
  });
  const model = new KeywordModel();
  const app = await bootstrap({
    env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', APPROVAL_TTL_MINUTES: '15', ...env },
    model,
    clock,
    tools: [refundTool],
    logger: silentLogger(),
    retryInitialDelayMs: 1,
  });
  return {
    app,
    model,
    clock,
    refunds,
    refundedUsd,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
