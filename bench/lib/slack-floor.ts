/**
 * The floor of the Slack benchmark: a bare `@slack/bolt` app as a careful
 * developer would write it without the product. Same receiver (Bolt's
 * HTTPReceiver, ack before work), same signing secret and Web API, same model
 * work through the same SDK: ask the model, run the lookup it asked for, ask
 * again with the result, post the answer in the thread. No store, no roles,
 * no budgets, no audit, no placeholder.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App } from '@slack/bolt';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { BENCH_MODEL, createOrderBook, floorRequestParts, MAX_OUTPUT_TOKENS } from './slack-model-work';

export interface FloorOptions {
  botToken: string;
  signingSecret: string;
  slackApiUrl: string;
  openaiBaseUrl: string;
  openaiApiKey: string;
}

/** Start the bare app on a free port. */
export async function startFloor(options: FloorOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const lookup = createOrderBook();
  const { system, tools } = floorRequestParts(lookup);
  const openai = new OpenAI({ apiKey: options.openaiApiKey, baseURL: options.openaiBaseUrl });
  const app = new App({ token: options.botToken, signingSecret: options.signingSecret, clientOptions: { slackApiUrl: options.slackApiUrl } });

  app.event('app_mention', async ({ event, client, context }) => {
    const text = event.text.replace(new RegExp(`<@${context.botUserId}>`, 'g'), '').trim();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: system },
      { role: 'user', content: text },
    ];
    const first = await openai.chat.completions.create({ model: BENCH_MODEL, messages, tools, tool_choice: 'auto', max_tokens: MAX_OUTPUT_TOKENS });
    const asked = first.choices[0]?.message;
    let answer = asked?.content ?? '';
    if (asked?.tool_calls?.length) {
      messages.push({ role: 'assistant', content: asked.content, tool_calls: asked.tool_calls });
      for (const call of asked.tool_calls) {
        if (call.type !== 'function') continue;
        const args = JSON.parse(call.function.arguments) as { orderId: string };
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(lookup(args.orderId)) });
      }
      const second = await openai.chat.completions.create({ model: BENCH_MODEL, messages, tools, tool_choice: 'auto', max_tokens: MAX_OUTPUT_TOKENS });
      answer = second.choices[0]?.message.content ?? '';
    }
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, text: answer });
  });

  const server = (await app.start(0)) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => app.stop() as Promise<void>,
  };
}
