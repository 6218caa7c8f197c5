/**
 * A third reference of the Slack benchmark: the bare floor (slack-floor.ts)
 * plus the Slack surface issue 11 asks of the product, written directly
 * against the Web API: 👀 on the mention, the answer streamed with
 * `chat.startStream` (the tool step as a task update and a Stop button),
 * `appendStream` (step done, first words), `chat.stopStream` (the rest), the
 * Stop button taken off with `chat.update`, 👀 removed. Model calls stream
 * as the product's do. Still no store, roles, budgets or audit: the gap from
 * here to the product is what the product's safety and persistence cost.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App } from '@slack/bolt';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { FloorOptions } from './slack-floor';
import { BENCH_MODEL, createOrderBook, floorRequestParts, MAX_OUTPUT_TOKENS } from './slack-model-work';

const STOP = [{ type: 'actions', block_id: 'turn_controls', elements: [{ type: 'button', action_id: 'turn_stop', text: { type: 'plain_text', text: 'Stop' }, value: 'stop' }] }];

/** Start the floor with the product's Slack surface on a free port. */
export async function startFloorUi(options: FloorOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const lookup = createOrderBook();
  const { system, tools } = floorRequestParts(lookup);
  const openai = new OpenAI({ apiKey: options.openaiApiKey, baseURL: options.openaiBaseUrl });
  const app = new App({ token: options.botToken, signingSecret: options.signingSecret, clientOptions: { slackApiUrl: options.slackApiUrl } });

  /** One streamed model call: its text (each delta handed to `onText`) and tool calls. */
  const ask = async (messages: ChatCompletionMessageParam[], onText: (delta: string) => Promise<void>) => {
    const stream = await openai.chat.completions.create({ model: BENCH_MODEL, messages, tools, tool_choice: 'auto', max_tokens: MAX_OUTPUT_TOKENS, stream: true, stream_options: { include_usage: true } });
    let content = '';
    const calls: Array<{ id: string; name: string; args: string }> = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) {
        content += delta.content;
        await onText(delta.content);
      }
      for (const part of delta?.tool_calls ?? []) {
        const call = (calls[part.index] ??= { id: '', name: '', args: '' });
        call.id ||= part.id ?? '';
        call.name ||= part.function?.name ?? '';
        call.args += part.function?.arguments ?? '';
      }
    }
    return { content, calls };
  };

  app.event('app_mention', async ({ event, client, context }) => {
    const text = event.text.replace(new RegExp(`<@${context.botUserId}>`, 'g'), '').trim();
    const thread = event.thread_ts ?? event.ts;
    const eyes = client.reactions.add({ channel: event.channel, timestamp: event.ts, name: 'eyes' });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: system },
      { role: 'user', content: text },
    ];
    let ts: string | undefined;
    let pending = '';
    let shown = false;
    /** Finished tool steps: they ride with the first words, as the product sends them. */
    let finished: object[] = [];
    const start = async (chunks: object[]) => {
      const r = await client.chat.startStream({ channel: event.channel, thread_ts: thread, recipient_user_id: event.user, recipient_team_id: context.teamId, chunks: [...chunks, { type: 'blocks', blocks: STOP }] } as never);
      ts = String(r.ts);
    };
    // The first words go out at once; the rest waits for chat.stopStream.
    const onText = async (delta: string) => {
      if (shown) {
        pending += delta;
        return;
      }
      shown = true;
      const chunks = [{ type: 'markdown_text', text: delta }, ...finished];
      if (ts === undefined) await start(chunks);
      else await client.chat.appendStream({ channel: event.channel, ts, chunks } as never);
    };
    const first = await ask(messages, onText);
    let answer = first.content;
    if (first.calls.length > 0) {
      messages.push({ role: 'assistant', content: first.content || null, tool_calls: first.calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.args } })) });
      for (const call of first.calls) {
        const step = { type: 'task_update', id: call.id, title: 'Looking up the order', status: 'in_progress' };
        if (ts === undefined) await start([step]);
        else await client.chat.appendStream({ channel: event.channel, ts, chunks: [step] } as never);
        const args = JSON.parse(call.args) as { orderId: string };
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(lookup(args.orderId)) });
      }
      finished = first.calls.map((c) => ({ type: 'task_update', id: c.id, title: 'Looking up the order', status: 'complete' }));
      shown = false;
      pending = '';
      answer = (await ask(messages, onText)).content;
    }
    if (ts === undefined) await start([{ type: 'markdown_text', text: answer }]);
    const stopped = ts as string;
    await client.chat.stopStream({ channel: event.channel, ts: stopped, ...(pending ? { chunks: [{ type: 'markdown_text', text: pending }] } : {}) } as never);
    await client.chat.update({ channel: event.channel, ts: stopped, text: answer, blocks: [{ type: 'markdown', text: answer }] } as never);
    if (await eyes.then(() => true, () => false)) await client.reactions.remove({ channel: event.channel, timestamp: event.ts, name: 'eyes' });
  });

  const server = (await app.start(0)) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => app.stop() as Promise<void>,
  };
}
