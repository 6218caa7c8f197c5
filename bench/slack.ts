/**
 * Slack end to end against its floor. Closed-loop load of signed
 * `app_mention`s through the real Bolt HTTP receiver, with a loopback
 * OpenAI-compatible model reached through the `openai` SDK (one tool call,
 * then an answer), persistence on:
 *
 *   product  bootstrap (SQLite store, sealed sessions, audit log, budgets on
 *            a priced model, one cheap tool) + the Slack adapter as startSlack
 *            builds it: roles from users.info (cached), placeholder, then the
 *            answer written over it with chat.update.
 *   floor    a bare Bolt app: same receiver, signing secret, Web API and SDK;
 *            the same two model calls (the second carrying the tool result),
 *            then chat.postMessage in the thread. No store, roles or checks.
 *   floor-ui the floor plus the Slack surface issue 11 asks for (👀, the
 *            answer streamed with task updates and a Stop button, the button
 *            taken off, 👀 removed): the same Web API calls as the product,
 *            so product / floor-ui is what safety and persistence cost.
 *   agents   a Bolt bot on @openai/agents: the SDK's run() with the same
 *            tools and instructions, history in memory per thread (a second
 *            reference; target: product ≥ 1.5 × its throughput).
 *
 * Each side runs alone in its own child process (fresh per configuration),
 * so its CPU time and peak RSS are its own; this process runs the virtual
 * users, the Slack Web API simulator and the model simulator for both. A turn
 * is timed from the POST of the event to the moment the answer is visible in
 * the simulated workspace. Target: product throughput ≥ 0.8 × floor and
 * p99 ≤ 1.3 × floor.
 *
 * Usage: npx tsx bench/slack.ts [--turns 1000] [--warmup 300] [--users 16,1]
 *          [--follow-up-every 4] [--rounds 3] [--model-latency-ms 0] [--profile]
 *          [--profile-dir DIR] [--what-if memory-store,no-audit …] [--quick]
 * --quick is a ~30 s smoke run. --profile adds a CPU profile of each side
 * (the profiler slows them: quote the numbers of a run without it);
 * --profile-dir also keeps the raw .cpuprofile files (Chrome DevTools).
 * --what-if (repeatable) also runs product variants that remove one thing the
 * product adds or apply one suggested fix (bench/lib/slack-what-if.ts), each
 * compared with the same floor, to show where the gap comes from.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OpenAISimulator } from '../test/simulators/openai/openai-simulator';
import { SlackDelivery } from '../test/simulators/slack/delivery';
import { SlackPayloads } from '../test/simulators/slack/payloads';
import { SlackSimulator } from '../test/simulators/slack/web-api';
import { ClosedLoop } from './lib/slack-load';
import { modelPolicy } from './lib/slack-model-work';
import { against, compare, comparisonTable, profileTables, runsTable, summaryLine, TARGET, type SideRun } from './lib/slack-report';
import type { SideConfig, SideReport } from './lib/slack-side';
import { parseWhatIfs, WHAT_IFS, type WhatIf } from './lib/slack-what-if';
import { summarize } from './lib/stats';

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string' },
    warmup: { type: 'string' },
    users: { type: 'string' },
    'follow-up-every': { type: 'string' },
    rounds: { type: 'string' },
    'model-latency-ms': { type: 'string' },
    profile: { type: 'boolean' },
    'profile-dir': { type: 'string' },
    'what-if': { type: 'string', multiple: true },
    quick: { type: 'boolean' },
  },
});
const quick = args.quick ?? process.env.BENCH_QUICK === '1';
const turns = Number(args.turns ?? (quick ? 300 : 1000));
const warmup = Number(args.warmup ?? (quick ? 100 : 300));
const userCounts = (args.users ?? '16,1').split(',').map(Number);
const followUpEvery = Number(args['follow-up-every'] ?? 4);
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const modelLatencyMs = Number(args['model-latency-ms'] ?? 0);
const profileDir = args['profile-dir'];
const profile = (args.profile ?? false) || profileDir !== undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const variants: WhatIf[][] = (args['what-if'] ?? []).map(parseWhatIfs);

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const CHANNEL = 'C0BENCH';
const STAFF_GROUP = 'S0STAFF';
const ONCALL_CHANNEL = 'C0ONCALL';

// ---------------------------------------------------------------------------
// The world both sides talk to.

const slack = await new SlackSimulator().start();
slack.workspace.addChannel({ id: CHANNEL, name: 'support' });
slack.workspace.addChannel({ id: ONCALL_CHANNEL, name: 'support-oncall' });
const users = Array.from({ length: Math.max(...userCounts) }, (_, i) => `U0VU${String(i).padStart(2, '0')}`);
for (const id of users) slack.workspace.addUser({ id, name: id.toLowerCase() });
slack.workspace.addUser({ id: 'U0STAFF', name: 'sam' });
slack.workspace.addUsergroup({ id: STAFF_GROUP, handle: 'support-staff', name: 'Support staff', users: ['U0STAFF'] });
const model = await new OpenAISimulator({ ...modelPolicy(), record: false, latencyMs: modelLatencyMs }).start();
const payloads = new SlackPayloads(slack);

/** Start one side in its own process and wait until it listens. */
function startSide(side: SideConfig['side'], whatIfs: WhatIf[], vus: number, round: number): Promise<{ child: ChildProcess; port: number; ask(type: string, reply: string): Promise<Record<string, unknown>> }> {
  const config: SideConfig = {
    side,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: slack.apiUrl,
    staffUsergroup: STAFF_GROUP,
    oncallChannel: ONCALL_CHANNEL,
    openaiBaseUrl: model.baseUrl,
    openaiApiKey: 'test',
    profile,
    ...(profileDir ? { profileFile: path.resolve(profileDir, `${[side, ...whatIfs].join('+')}-${vus}vu-r${round + 1}.cpuprofile`) } : {}),
    whatIfs,
  };
  const child = fork(fileURLToPath(new URL('./lib/slack-side.ts', import.meta.url)), [], {
    env: { ...process.env, BENCH_SLACK_SIDE: JSON.stringify(config) },
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Whatever a side prints (Bolt's console logger, crashes) stays visible.
  child.stdout?.on('data', (d: Buffer) => process.stderr.write(`[${side}] ${d.toString()}`));
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${side}] ${d.toString()}`));
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type === 'error') return reject(new Error(`${side}: ${String(m.message)}`));
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`${side} exited (${code}) while waiting for ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = (type: string, reply: string) => {
    const answer = next(reply);
    child.send({ type });
    return answer;
  };
  return next('ready').then((m) => ({ child, port: Number(m.port), ask }));
}

async function runSide(side: SideConfig['side'], whatIfs: WhatIf[], vus: number, round: number): Promise<SideRun> {
  const label = [side, ...whatIfs].join('+');
  const { child, port, ask } = await startSide(side, whatIfs, vus, round);
  try {
    const loop = new ClosedLoop({
      sim: slack,
      payloads,
      delivery: new SlackDelivery({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET }),
      channel: CHANNEL,
      users,
      followUpEvery,
      turnTimeoutMs: 30_000,
    });
    const warm = await loop.run(warmup, vus); // JIT, sockets, role cache, SQLite pages
    if (warm.failures.length > 0) throw new Error(`${label} warm-up failed: ${warm.failures.slice(0, 3).join('; ')}`);
    await ask('measure', 'measuring');
    const before = { ...model.stats };
    const cpu = process.cpuUsage();
    const load = await loop.run(turns, vus);
    const driverCpu = process.cpuUsage(cpu);
    const completions = model.stats.toolCalls + model.stats.finals - (before.toolCalls + before.finals);
    await new Promise((r) => setTimeout(r, 250)); // let trailing work (session save, audit) land in the side's CPU time
    const { report } = (await ask('report', 'report')) as unknown as { report: SideReport };
    return {
      label,
      users: vus,
      round,
      turns,
      load,
      latency: summarize(load.latencies),
      report,
      driverCpuShare: (driverCpu.user + driverCpu.system) / 1000 / (load.seconds * 1000),
      modelCallsPerTurn: completions / turns,
      promptTokensPerCall: (model.stats.promptTokens - before.promptTokens) / Math.max(1, completions),
    };
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

// ---------------------------------------------------------------------------

const runs: SideRun[] = [];
for (let round = 0; round < rounds; round++) {
  for (const vus of userCounts) {
    // Alternate which side goes first, so warm caches and drift favour neither.
    const sides: Array<[SideConfig['side'], WhatIf[]]> = [['floor', []], ['product', []], ['agents', []], ['floor-ui', []], ...variants.map((v): [SideConfig['side'], WhatIf[]] => ['product', v])];
    if (round % 2 === 1) sides.reverse();
    for (const [side, whatIfs] of sides) {
      process.stderr.write(`round ${round + 1}/${rounds}: ${[side, ...whatIfs].join('+')}, ${vus} virtual users, ${warmup} warm-up + ${turns} turns…\n`);
      runs.push(await runSide(side, whatIfs, vus, round));
    }
  }
}
await model.close();
await slack.close();

console.log(
  `Slack, closed loop: signed app_mention → answer visible in the thread; loopback model (tool call, then answer${modelLatencyMs ? `, +${modelLatencyMs} ms each` : ''}) via the openai SDK.`,
);
console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}); ${warmup} warm-up + ${turns} measured turns per run; every ${followUpEvery}th turn of a user is a follow-up in its thread; each side in a fresh child process${profile ? '; CPU PROFILER ON (numbers inflated)' : ''}.\n`,
);
console.log(runsTable(runs));
const comparisons = compare(runs);
console.log(`\nside / floor${rounds > 1 ? ` (medians of ${rounds} rounds; ratios are medians of per-round ratios)` : ''}; target: throughput ≥ ${TARGET.throughput}, p99 ≤ ${TARGET.p99}×`);
console.log(comparisonTable(comparisons));
const vsAgents = against(runs, 'agents', TARGET.vsAgents);
if (vsAgents) console.log(`\nproduct / agents-sdk bot (median of per-round ratios); target: throughput ≥ ${TARGET.vsAgents}\n${vsAgents}`);
const vsFloorUi = against(runs, 'floor-ui', TARGET.throughput);
if (vsFloorUi) console.log(`\nproduct / floor with the same Slack surface (👀, streamed reply with task updates and Stop, Stop taken off; median of per-round ratios); throughput ≥ ${TARGET.throughput} asked of the product against the bare floor\n${vsFloorUi}`);
for (const variant of variants) console.log(`  product+${variant.join('+')}: ${variant.map((v) => WHAT_IFS[v]).join('; ')}`);
const failures = runs.flatMap((r) => r.load.failures.map((f) => `${r.label}/${r.users}: ${f}`));
if (failures.length > 0) console.log(`\n${failures.length} failed turns, e.g.\n  ${failures.slice(0, 5).join('\n  ')}`);
console.log(
  '\nMethod: peak RSS is the highest RSS sampled every 50 ms inside the side\'s own process during the measured phase; "ready" is its RSS after start-up. ' +
    'CPU ms/turn is that process\'s user+system CPU (all threads, so SQLite\'s thread pool counts) over the measured phase plus 250 ms of trailing work, per turn. ' +
    '"loop ms/turn" is the main thread\'s busy time (event-loop utilisation × wall time) per turn, JS plus time blocked in native code: one process tops out near 1000 / that many turns/s. ' +
    '"driver CPU" is this process (virtual users, request signing, Slack and model simulators) as a share of one core: both sides share it; if it nears 100% the side is driver-bound.',
);
if (profile) {
  for (const vus of userCounts) {
    for (const label of [...new Set(runs.map((r) => r.label))].filter((l) => l !== 'floor')) {
      const tables = profileTables(runs, label, vus);
      if (tables) console.log(`\n${tables}`);
    }
  }
}
console.log(
  `\n${summaryLine({ node: process.version, cpus: os.cpus().length, turns, warmup, rounds, followUpEvery, modelLatencyMs, profile }, comparisons, failures.length)}`,
);
