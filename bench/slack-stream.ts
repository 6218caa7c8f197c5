/**
 * How soon a Slack user sees something: time from a signed `app_mention`
 * (POSTed to the real Bolt HTTP receiver) to the first streamed text
 * (`chat.startStream` / `chat.appendStream` carrying markdown) and to the
 * first sign of life (the 👀 reaction or an assistant status), with a
 * streaming loopback model whose first token comes at T ms. Closed-loop load
 * of N virtual users, as in bench/slack.ts (16 by default), through the
 * product as startSlack builds it (bootstrap: SQLite store, sealed sessions,
 * audit log, budgets).
 *
 * By default the product runs alone in a child process (bench/lib/slack-side.ts,
 * as bench/slack.ts does) and reaches the OpenAI simulator through the SDK
 * with `stream: true` (first chunk after T, then 8 characters every 15 ms).
 * `--in-process` runs it in this process with a tiny streaming ModelClient
 * instead, which also splits the time before the model is asked from the time
 * after its first token (everything shares one CPU then: pessimistic).
 *
 * Targets: first text ≤ T + 50 ms at p95; first status or reaction ≤ 300 ms at p95.
 *
 * Two arrival patterns, each measured (default both):
 *   closed   N users in a closed loop: each sends its next mention the moment
 *            its answer ends. They start together, so mentions come in bunches
 *            (the line "bunching" shows how many came in the 100 ms before).
 *   poisson  the same number of mentions from independent users: exponential
 *            gaps at the rate the closed loop reached (or --rate).
 *
 * Usage: npx tsx bench/slack-stream.ts [--turns 400] [--warmup 50] [--users 16] [--first-token-ms 300]
 *          [--arrivals closed,poisson] [--rate 20] [--what-if memory-store …] [--in-process] [--quick]
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSlackAdapter } from '../adapters/slack/index';
import { slackConfigFromEnv } from '../adapters/slack/config';
import { bootstrap, silentLogger } from '../src/index';
import { OpenAISimulator } from '../test/simulators/openai/openai-simulator';
import { SlackDelivery } from '../test/simulators/slack/delivery';
import { SlackPayloads } from '../test/simulators/slack/payloads';
import type { SimCall } from '../test/simulators/slack/state';
import { SlackSimulator } from '../test/simulators/slack/web-api';
import { formatTable, ms, percentile } from './lib/stats';
import type { SideConfig, SideReport } from './lib/slack-side';
import { parseWhatIfs } from './lib/slack-what-if';
import { createStreamingModel } from './lib/streaming-model';

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string' },
    warmup: { type: 'string' },
    users: { type: 'string' },
    'first-token-ms': { type: 'string' },
    arrivals: { type: 'string' },
    rate: { type: 'string' },
    'what-if': { type: 'string', multiple: true },
    'in-process': { type: 'boolean' },
    quick: { type: 'boolean' },
  },
});
const quick = args.quick ?? false;
const turns = Number(args.turns ?? (quick ? 120 : 400));
const warmup = Number(args.warmup ?? (quick ? 20 : 50));
const users = Number(args.users ?? 16);
const firstTokenMs = Number(args['first-token-ms'] ?? 300);
const inProcess = args['in-process'] ?? false;
const arrivals = (args.arrivals ?? 'closed,poisson').split(',').map((a) => {
  if (a !== 'closed' && a !== 'poisson') throw new Error(`--arrivals: closed and/or poisson, not ${a}`);
  return a;
});
const whatIfs = parseWhatIfs((args['what-if'] ?? []).join(','));

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const CHANNEL = 'C0BENCH';
const ANSWER =
  'Your order ORD-1001 shipped on **November 20** with UPS (tracking 1Z999AA10123456784) and should arrive on November 24. ' +
  'If it has not arrived by then, reply here and I will open a ticket with the carrier for you.';

interface Turn {
  sentAt: number;
  /** When the engine asked the model. */
  modelAsked?: number;
  firstText?: number;
  firstSignal?: number;
  /** When Bolt's HTTP 200 came back (the event was received and acknowledged). */
  acked?: number;
  done(): void;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-slack-stream-'));
  const sim = await new SlackSimulator().start();
  sim.workspace.addChannel({ id: CHANNEL, name: 'bench' });
  sim.workspace.addChannel({ id: 'C0ONCALL', name: 'oncall' });
  const userIds = Array.from({ length: users }, (_, i) => sim.workspace.addUser({ id: `U0B${String(i).padStart(4, '0')}`, name: `user${i}` }).id);

  const turnsByTag = new Map<string, Turn>();
  const tagOf = (text: string | undefined) => (text === undefined ? undefined : /#t(\d+)/.exec(text)?.[1]);
  const asked = (tag: string | undefined) => {
    const turn = tag === undefined ? undefined : turnsByTag.get(tag);
    if (turn && turn.modelAsked === undefined) turn.modelAsked = performance.now() - turn.sentAt;
  };
  sim.workspace.addUsergroup({ id: 'S0STAFF', handle: 'staff', name: 'Staff', users: [] });
  let port: number;
  let stopTarget: () => Promise<void>;
  let measureSide: ((type: 'measure' | 'report') => Promise<unknown>) | undefined;
  if (inProcess) {
    const model = createStreamingModel({
      firstTokenMs,
      answer: () => ANSWER,
      onRequest: (request) => {
        const last = request.messages.at(-1);
        asked(last?.role === 'user' ? tagOf(last.content) : undefined);
      },
    });
    const app = await bootstrap({
      env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', BUDGET_USER_DAILY_USD: '1000', BUDGET_MONTHLY_USD: '100000' },
      model,
      logger: silentLogger(),
    });
    const config = slackConfigFromEnv({ SLACK_BOT_TOKEN: sim.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: sim.apiUrl, SLACK_ONCALL_CHANNEL: 'C0ONCALL', PORT: '0' });
    const adapter = createSlackAdapter({ engine: app.engine, config, logger: silentLogger() });
    port = (await adapter.start()).port;
    stopTarget = async () => {
      await adapter.stop();
      await app.close();
    };
  } else {
    const openai = await new OpenAISimulator({
      latencyMs: firstTokenMs,
      streamChunkChars: 8,
      streamIntervalMs: 15,
      record: false,
      onRequest: (request) => {
        const last = request.messages.at(-1);
        asked(last?.role === 'user' && typeof last.content === 'string' ? tagOf(last.content) : undefined);
      },
    }).start();
    // Every request is answered with text (no tool call), so the first chunk is the first token.
    openai.script(...Array.from({ length: (warmup + turns) * 2 }, () => ({ kind: 'reply' as const, content: ANSWER })));
    const side = await startSide({
      side: 'product',
      botToken: sim.botToken,
      signingSecret: SIGNING_SECRET,
      slackApiUrl: sim.apiUrl,
      staffUsergroup: 'S0STAFF',
      oncallChannel: 'C0ONCALL',
      openaiBaseUrl: openai.baseUrl,
      openaiApiKey: 'test',
      profile: false,
      whatIfs: ['silent-logs', ...whatIfs],
    });
    port = side.port;
    measureSide = side.measure;
    stopTarget = async () => {
      await side.stop();
      await openai.close();
    };
  }
  const delivery = new SlackDelivery({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET });
  const payloads = new SlackPayloads(sim);

  const turnsByThread = new Map<string, Turn>();
  const threadOf = (call: SimCall): string | undefined => {
    const a = call.args;
    if (call.method === 'reactions.add') return String(a.timestamp);
    if (call.method === 'assistant.threads.setStatus') return String(a.thread_ts);
    if (call.method === 'chat.startStream') return String(a.thread_ts);
    if (call.method === 'chat.appendStream' || call.method === 'chat.stopStream') return sim.agent.stream(String(a.channel), String(a.ts))?.message.thread_ts;
    return undefined;
  };
  const hasText = (call: SimCall) =>
    typeof call.args.markdown_text === 'string' || (Array.isArray(call.args.chunks) && (call.args.chunks as Array<{ type?: string }>).some((c) => c.type === 'markdown_text'));
  sim.onCall = (call) => {
    if (!call.ok) return;
    const thread = threadOf(call);
    const turn = thread === undefined ? undefined : turnsByThread.get(thread);
    if (!turn) return;
    const now = performance.now();
    if ((call.method === 'reactions.add' || call.method === 'assistant.threads.setStatus') && turn.firstSignal === undefined) turn.firstSignal = now - turn.sentAt;
    if ((call.method === 'chat.startStream' || call.method === 'chat.appendStream') && hasText(call) && turn.firstText === undefined) turn.firstText = now - turn.sentAt;
    if (call.method === 'chat.stopStream') turn.done();
  };

  let seq = 0;
  const one = async (user: string): Promise<Turn> => {
    const tag = String((seq += 1));
    const root = sim.workspace.userPost(CHANNEL, user, `<@${sim.botUserId}> where is my order ORD-1001? #t${tag}`);
    const body = payloads.appMention(root);
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const turn: Turn = { sentAt: performance.now(), done };
    turnsByThread.set(root.ts, turn);
    turnsByTag.set(tag, turn);
    const answer = await delivery.event(body);
    turn.acked = performance.now() - turn.sentAt;
    if (answer.status !== 200) throw new Error(`event refused: ${answer.status}`);
    await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('turn timed out')), 30_000))]);
    turnsByThread.delete(root.ts);
    turnsByTag.delete(tag);
    return turn;
  };

  const load = async (count: number): Promise<{ turns: Turn[]; seconds: number }> => {
    const results: Turn[] = [];
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      userIds.map(async (user) => {
        while (issued < count) {
          issued += 1;
          results.push(await one(user));
        }
      }),
    );
    return { turns: results, seconds: (performance.now() - started) / 1000 };
  };

  /** Open loop: mentions at exponential gaps (mean 1/rate), users in turn, none waiting for another. */
  const openLoop = async (count: number, perSecond: number): Promise<{ turns: Turn[]; seconds: number }> => {
    const started = performance.now();
    const pending: Array<Promise<Turn>> = [];
    let due = started;
    for (let i = 0; i < count; i++) {
      due += -Math.log(1 - Math.random()) * (1000 / perSecond);
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(one(userIds[i % userIds.length] as string));
    }
    const results = await Promise.all(pending);
    return { turns: results, seconds: (performance.now() - started) / 1000 };
  };

  await load(warmup);
  // One measured phase per arrival pattern; Poisson arrivals come at the rate the closed loop reached.
  let rate = args.rate !== undefined ? Number(args.rate) : undefined;
  for (const pattern of arrivals) {
    const callsBefore = sim.calls.length;
    await measureSide?.('measure');
    const driverCpu = process.cpuUsage();
    const { turns: measured, seconds } = pattern === 'closed' ? await load(turns) : await openLoop(turns, rate ?? 20);
    const driverCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(driverCpu));
    const side = (await measureSide?.('report')) as SideReport | undefined;
    if (pattern === 'closed') rate ??= measured.length / seconds;
    const text = measured.map((t) => t.firstText ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const signal = measured.map((t) => t.firstSignal ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const ackedAt = measured.map((t) => t.acked ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const askedAt = measured.map((t) => t.modelAsked ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const after = measured.map((t) => (t.firstText ?? Number.POSITIVE_INFINITY) - (t.modelAsked ?? 0) - firstTokenMs).sort((a, b) => a - b);
    const row = (label: string, v: number[]) => [label, ms(percentile(v, 0.5), 1), ms(percentile(v, 0.95), 1), ms(percentile(v, 0.99), 1), ms(v.at(-1) ?? 0, 1)];
    const calls = sim.calls.slice(callsBefore).reduce<Record<string, number>>((acc, c) => ((acc[c.method] = (acc[c.method] ?? 0) + 1), acc), {});
    const how = pattern === 'closed' ? `${users} users closed loop (each sends again as its answer ends)` : `Poisson arrivals at ${rate?.toFixed(1)}/s (independent users, the closed loop's rate)`;
    console.log(`\nslack streaming latency (${inProcess ? 'in process, tiny streaming model' : 'product in its own process, OpenAI SDK streaming from the simulator'}): ${measured.length} turns, ${how}, first token at T = ${firstTokenMs} ms, ${(measured.length / seconds).toFixed(1)} turns/s, node ${process.version}, ${os.cpus().length} CPUs`);
    console.log(formatTable(['from signed mention to', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [row('event acknowledged (HTTP 200)', ackedAt), row('first status/reaction', signal), row('model asked', askedAt), row('first streamed text', text), row('  of which after first token', after)]));
    console.log(`bunching: mentions sent in the 100 ms before each one: ${bunching(measured)}`);
    if (side) {
      const cpuMs = side.cpuUserMs + side.cpuSystemMs;
      console.log(
        `product process: CPU ${ms(cpuMs / measured.length, 2)} ms/turn, heap ${(side.heapUsed / 1048576).toFixed(0)} MB, main thread busy ${(side.eventLoopUtilization * 100).toFixed(0)} %, event-loop delay p99 ${ms(side.eventLoopDelayP99Ms, 1)} ms (max ${ms(side.eventLoopDelayMaxMs, 1)}); ` +
          `driver (virtual users, simulators) ${((driverCpuMs / 1000 / seconds) * 100).toFixed(0)} % of a core`,
      );
    }
    console.log(`Web API calls per turn: ${Object.entries(calls).map(([m, n]) => `${m} ${(n / measured.length).toFixed(2)}`).join(', ')}`);
    const textOk = percentile(text, 0.95) <= firstTokenMs + 50;
    const signalOk = percentile(signal, 0.95) <= 300;
    console.log(`target first text p95 ≤ T + 50 = ${firstTokenMs + 50} ms: ${textOk ? 'met' : 'MISSED'} (${ms(percentile(text, 0.95), 1)} ms)`);
    console.log(`target first status/reaction p95 ≤ 300 ms: ${signalOk ? 'met' : 'MISSED'} (${ms(percentile(signal, 0.95), 1)} ms)`);
  }

  await stopTarget();
  await sim.close();
  await rm(dataDir, { recursive: true, force: true });
}

/** The product alone in a child process (bench/lib/slack-side.ts), as bench/slack.ts runs it. */
async function startSide(config: SideConfig): Promise<{ port: number; measure(type: 'measure' | 'report'): Promise<unknown>; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./lib/slack-side.ts', import.meta.url)), [], {
    env: { ...process.env, BENCH_SLACK_SIDE: JSON.stringify(config) },
    execArgv: [...process.execArgv, '--expose-gc', ...(process.env.STREAM_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STREAM_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (m: Record<string, unknown>) => (m.type === 'error' ? reject(new Error(String(m.message))) : m.type === 'ready' ? resolve(m) : undefined));
    child.once('exit', (code) => reject(new Error(`product exited (${code})`)));
  });
  return {
    port: Number(ready.port),
    // The side answers 'measure' with 'measuring' and 'report' with its SideReport (CPU, loop busy time, delay).
    measure: (type) =>
      new Promise((resolve) => {
        const answer = (m: Record<string, unknown>) => {
          if (m.type !== (type === 'measure' ? 'measuring' : 'report')) return;
          child.off('message', answer);
          resolve(m.report);
        };
        child.on('message', answer);
        child.send({ type });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/** How bunched the mentions were: the mean count sent in the 100 ms before each, for the 5 % asked slowest and for the rest. */
function bunching(turns: Turn[]): string {
  const sent = turns.map((t) => t.sentAt).sort((a, b) => a - b);
  const before = (t: Turn) => sent.filter((x) => x < t.sentAt && x > t.sentAt - 100).length;
  const bySpeed = [...turns].sort((a, b) => (a.modelAsked ?? Number.POSITIVE_INFINITY) - (b.modelAsked ?? Number.POSITIVE_INFINITY));
  const cut = Math.floor(bySpeed.length * 0.95);
  const mean = (xs: Turn[]) => (xs.reduce((sum, t) => sum + before(t), 0) / Math.max(1, xs.length)).toFixed(1);
  return `${mean(bySpeed.slice(cut))} before the 5 % asked slowest, ${mean(bySpeed.slice(0, cut))} before the rest`;
}
