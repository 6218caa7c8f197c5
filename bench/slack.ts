/**
 * Slack adapter overhead: signed Events API requests into the real Bolt app,
 * answered through the Web API simulator by an instant engine, so the numbers
 * are the adapter's own (verification, ack, role lookup, placeholder, mrkdwn,
 * chat.update) plus loopback HTTP.
 *
 * Usage: npx tsx bench/slack.ts [--messages 2000] [--concurrency 32] [--quick]
 *   (node --expose-gc --import tsx bench/slack.ts … reports memory after GC)
 * Prints ack latency (POST → 200), answer latency (POST → answer in place via
 * chat.update), throughput, Web API calls per message and memory.
 */
import { parseArgs } from 'node:util';
import { createSlackAdapter } from '../adapters/slack/index';
import { slackConfigFromEnv } from '../adapters/slack/config';
import { silentLogger } from '../src/logger';
import { SlackDelivery } from '../test/simulators/slack/delivery';
import { SlackPayloads } from '../test/simulators/slack/payloads';
import { SlackSimulator } from '../test/simulators/slack/web-api';
import { FakeEngine } from '../test/slack/fake-engine';
import { IDS, SIGNING_SECRET, seedWorkspace } from '../test/slack/harness';
import { formatTable, mb, ms, summarize } from './lib/stats';

const { values: args } = parseArgs({ options: { messages: { type: 'string' }, concurrency: { type: 'string' }, quick: { type: 'boolean' } } });
const quick = args.quick ?? process.env.BENCH_QUICK === '1';
const messages = Number(args.messages ?? (quick ? 300 : 2000));
const concurrency = Number(args.concurrency ?? 32);

const sim = await new SlackSimulator().start();
seedWorkspace(sim);
const engine = new FakeEngine();
engine.reply = (m) => `**Order ${m.text.slice(-4)}** shipped on _Monday_; track it at https://example.com/track/${m.text.slice(-4)}.\n\n- carrier: UPS\n- ETA: 2 days`;
const adapter = createSlackAdapter({
  engine,
  logger: silentLogger(),
  config: slackConfigFromEnv({ SLACK_BOT_TOKEN: sim.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: sim.apiUrl, SLACK_STAFF_USERGROUP: IDS.staffGroup, PORT: '0' }),
});
const { port } = await adapter.start();
const delivery = new SlackDelivery({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET });
const payloads = new SlackPayloads(sim);

// An answer is "seen" when chat.update replaces the placeholder in its thread.
const answered = new Map<string, () => void>();
sim.onCall = (call) => {
  if (call.method !== 'chat.update' || !call.ok) return;
  const message = sim.workspace.findMessage(String(call.args.channel), String(call.args.ts));
  if (message?.thread_ts) answered.get(message.thread_ts)?.();
};

const users = [IDS.member, IDS.member2, IDS.staff, IDS.admin, IDS.guest];
async function one(i: number): Promise<{ ack: number; answer: number }> {
  const post = sim.workspace.userPost(IDS.support, users[i % users.length]!, `<@${sim.botUserId}> where is order ${1000 + (i % 9000)}`);
  const seen = new Promise<void>((resolve) => answered.set(post.ts, resolve));
  const started = performance.now();
  const res = await delivery.event(payloads.appMention(post));
  const ack = performance.now() - started;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  await seen;
  answered.delete(post.ts);
  return { ack, answer: performance.now() - started };
}

async function run(count: number): Promise<{ acks: number[]; answers: number[]; wallMs: number }> {
  const acks: number[] = [];
  const answers: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const r = await one(next++);
        acks.push(r.ack);
        answers.push(r.answer);
      }
    }),
  );
  return { acks, answers, wallMs: performance.now() - started };
}

await run(Math.min(200, messages)); // warm-up: JIT, role cache, sockets
const callsBefore = sim.calls.length;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const memBefore = process.memoryUsage();
const result = await run(messages);
await adapter.idle();
gc?.();
const memAfter = process.memoryUsage();
const ack = summarize(result.acks);
const answer = summarize(result.answers);
console.log(`Slack adapter: ${messages} mentions, concurrency ${concurrency}, Node ${process.version}\n`);
console.log(
  formatTable(
    ['', 'mean ms', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['ack (POST → 200)', ms(ack.mean), ms(ack.p50), ms(ack.p99), ms(ack.max)],
      ['answer in place', ms(answer.mean), ms(answer.p50), ms(answer.p99), ms(answer.max)],
    ],
  ),
);
console.log(`\nthroughput: ${(messages / (result.wallMs / 1000)).toFixed(0)} messages/s`);
console.log(`Web API calls per message: ${((sim.calls.length - callsBefore) / messages).toFixed(2)}`);
console.log(`rss ${mb(memBefore.rss)} → ${mb(memAfter.rss)} MB, heap ${mb(memBefore.heapUsed)} → ${mb(memAfter.heapUsed)} MB${gc ? ' (after GC)' : ' (run with node --expose-gc --import tsx for post-GC numbers)'}; the simulator keeps every message and call`);
await adapter.stop();
await sim.close();
