import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/index';
import { bootstrap, defineTool, silentLogger, type App } from '../../src/index';
import type { ModelClient, ModelRequest, ModelResponse } from '../../src/ports';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';
import { CapturingLogger } from './harness';

/** A clock the test moves by hand (approval expiry). */
export class TestClock {
  constructor(public t = Date.UTC(2030, 0, 1, 12)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A deterministic model: "refund" asks for the approval-gated refund tool,
 * a tool result becomes a confirmation, anything else is echoed.
 */
class KeywordModel implements ModelClient {
  readonly model = 'keyword-test';
  readonly mode = 'offline' as const;

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const usage = { promptTokens: 10, completionTokens: 5 };
    const last = request.messages.at(-1);
    if (last?.role === 'tool') return { content: `Done: ${last.content}`, toolCalls: [], usage };
    const text = last?.role === 'user' ? last.content : '';
    if (/refund/i.test(text)) {
      return {
        content: 'I can refund that once a staff member approves.',
        toolCalls: [{ id: `call_${randomUUID()}`, name: 'refund_order', arguments: JSON.stringify({ orderId: '1042', amountUsd: 120 }) }],
        usage,
      };
    }
    return { content: `Echo: ${text}`, toolCalls: [], usage };
  }
}

/** The real engine (bootstrap: SQLite store, sealed sessions, audit log) behind the real Discord adapter and the simulator. */
export interface EngineDiscordHarness {
  sim: DiscordSimulator;
  app: App;
  adapter: DiscordAdapter;
  clock: TestClock;
  logger: CapturingLogger;
  /** Refunds actually executed (must stay exactly one per approval). */
  refunds: string[];
  close(): Promise<void>;
}

export async function startEngineDiscordHarness(): Promise<EngineDiscordHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'discord-e2e-'));
  const clock = new TestClock();
  const refunds: string[] = [];
  const refundTool = defineTool({
    name: 'refund_order',
    description: 'Refund an order to the original payment method.',
    input: z.object({ orderId: z.string(), amountUsd: z.number() }),
    permission: 'member',
    approval: 'staff',
    describe: (args) => `Refund $${args.amountUsd.toFixed(2)} on order #${args.orderId}`,
    async execute(args, ctx) {
      refunds.push(`${args.orderId}:${ctx.idempotencyKey}`);
      return { refunded: true, orderId: args.orderId };
    },
  });
  const app = await bootstrap({
    env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', APPROVAL_TTL_MINUTES: '15' },
    model: new KeywordModel(),
    clock,
    tools: [refundTool],
    logger: silentLogger(),
    retryInitialDelayMs: 1,
  });
  const sim = await DiscordSimulator.start();
  const logger = new CapturingLogger();
  try {
    const adapter = await startDiscord({ engine: app.engine, env: sim.env(), logger });
    return {
      sim,
      app,
      adapter,
      clock,
      logger,
      refunds,
      async close() {
        await adapter.stop();
        await sim.close();
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sim.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
