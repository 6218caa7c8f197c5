/**
 * The second reference of the Slack benchmark: a Bolt bot built the obvious
 * way on `@openai/agents` — one Agent with the same instructions and tools,
 * the SDK's `run()` per mention, history kept in memory per thread. Same
 * receiver, signing secret, Web API and loopback model (through the
 * Chat Completions model the SDK ships), so the same two model calls per
 * turn. No store, roles, budgets or audit; tracing off (it would call out).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool, type AgentInputItem } from '@openai/agents';
import { App } from '@slack/bolt';
import OpenAI from 'openai';
import { z } from 'zod';
import type { FloorOptions } from './slack-floor';
import { BENCH_MODEL, createOrderBook, floorRequestParts, MAX_OUTPUT_TOKENS } from './slack-model-work';

/** Start the agents-sdk bot on a free port. */
export async function startAgentsBot(options: FloorOptions): Promise<{ port: number; stop(): Promise<void> }> {
  setTracingDisabled(true);
  const lookup = createOrderBook();
  const { system, tools } = floorRequestParts(lookup);
  const describe = (name: string) => tools.find((t) => t.function.name === name)?.function.description ?? name;
  const openai = new OpenAI({ apiKey: options.openaiApiKey, baseURL: options.openaiBaseUrl });
  const agent = new Agent({
    name: 'support',
    instructions: system,
    // The SDK's Chat Completions model: the loopback model speaks that API.
    model: new OpenAIChatCompletionsModel(openai, BENCH_MODEL),
    modelSettings: { maxTokens: MAX_OUTPUT_TOKENS, toolChoice: 'auto' },
    tools: [
      tool({
        name: 'lookup_order',
        description: describe('lookup_order'),
        parameters: z.object({ orderId: z.string() }),
        execute: async ({ orderId }) => JSON.stringify(lookup(orderId)),
      }),
      tool({
        name: 'escalate_to_human',
        description: describe('escalate_to_human'),
        parameters: z.object({ reason: z.string() }),
        execute: async () => 'escalated',
      }),
    ],
  });
  // In-memory history per thread, as a first version of such a bot keeps it.
  const histories = new Map<string, AgentInputItem[]>();
  const app = new App({ token: options.botToken, signingSecret: options.signingSecret, clientOptions: { slackApiUrl: options.slackApiUrl } });

  app.event('app_mention', async ({ event, client, context }) => {
    const text = event.text.replace(new RegExp(`<@${context.botUserId}>`, 'g'), '').trim();
    const thread = event.thread_ts ?? event.ts;
    const history = histories.get(thread) ?? [];
    const result = await run(agent, [...history, { role: 'user', content: text }]);
    histories.set(thread, result.history);
    await client.chat.postMessage({ channel: event.channel, thread_ts: thread, text: String(result.finalOutput ?? '') });
  });

  const server = (await app.start(0)) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => app.stop() as Promise<void>,
  };
}
