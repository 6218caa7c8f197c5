/**
 * What metrics cost per turn: the engine bench's turn (loopback model asks
 * for a tool, the tool answers, the model answers; real SQLite store, sealed
 * sessions, audit log, budget) on two engines side by side, one with
 * Prometheus metrics (audit observer, timed store, gauges) and one without.
 * Blocks of turns alternate between the two so machine noise hits both alike.
 * Turn ids in logs, the turn_completed audit line and the alert monitor are
 * part of the engine and run on both sides.
 *
 * Usage: npx tsx bench/metrics.ts [--turns 3000] [--block 100] [--warmup 300] [--seed 7]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrap, type App } from '../src/bootstrap';
import { silentLogger } from '../src/logger';
import { auditMetrics } from '../src/observability/audit-metrics';
import { SupportMetrics } from '../src/observability/support-metrics';
import type { AuditEvent } from '../src/ports';
import { TurnDriver, type TurnSample } from './lib/driver';
import { createCountingChannel, createLoopbackModel, createOrderLookupTool, TimingLedger } from './lib/loopback';
import { BENCH_PLATFORM } from './lib/seed';
import { createRandom, formatTable, ms, summarize } from './lib/stats';

const { values: args } = parseArgs({ options: { turns: { type: 'string' }, block: { type: 'string' }, warmup: { type: 'string' }, seed: { type: 'string' } } });
const turns = Number(args.turns ?? 3000);
const block = Number(args.block ?? 100);
const warmup = Number(args.warmup ?? 300);
const seed = Number(args.seed ?? 7);

interface Arm {
  name: 'metrics on' | 'metrics off';
  app: App;
  driver: TurnDriver;
  dir: string;
  samples: TurnSample[];
}

async function arm(name: Arm['name'], metrics: boolean): Promise<Arm> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metrics-bench-'));
  const ledger = new TimingLedger();
  const app = await bootstrap({
    env: { DATA_DIR: dir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', OPENAI_MODEL: 'gpt-4o-mini', BUDGET_MONTHLY_USD: '100000', BUDGET_USER_DAILY_USD: '10000' },
    model: createLoopbackModel(ledger, 'gpt-4o-mini'),
    tools: [createOrderLookupTool(ledger)],
    logger: silentLogger(),
    metrics,
  });
  app.engine.attach(createCountingChannel(BENCH_PLATFORM));
  return { name, app, dir, samples: [], driver: new TurnDriver({ engine: app.engine, ledger, random: createRandom(seed), initialSessions: 0 }) };
}

/**
 * The metrics layer's own CPU per turn, away from the noise of a shared machine: replay what one
 * turn feeds it (its audit events and as many store timings as turns really made) `n` times.
 */
async function isolatedCost(metrics: SupportMetrics, storeOpsPerTurn: number, n: number): Promise<ReturnType<typeof summarize>> {
  const observe = auditMetrics({ metrics, tools: ['lookup_order'], models: ['gpt-4o-mini'] });
  const events: AuditEvent[] = [
    { event: 'model_call', model: 'gpt-4o-mini', prompt_tokens: 120, completion_tokens: 20, cost_usd: 0.00003, latency_ms: 2, success: true },
    { event: 'tool_call', tool_name: 'lookup_order', outcome: 'ok', latency_ms: 1, success: true },
    { event: 'model_call', model: 'gpt-4o-mini', prompt_tokens: 180, completion_tokens: 30, cost_usd: 0.00004, latency_ms: 2, success: true },
    { event: 'turn_completed', platform: 'bench', outcome: 'answered', latency_ms: 5, success: true },
  ];
  const ops = ['get', 'set', 'set_if_absent', 'increment_many', 'delete'];
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    for (const event of events) observe(event);
    for (let k = 0; k < storeOpsPerTurn; k++) {
      // What timedStore adds around each store call: two clock reads and one observation.
      const t0 = performance.now();
      metrics.storeDuration.observe({ op: ops[k % ops.length] as string }, (performance.now() - t0) / 1000);
    }
    times.push(performance.now() - started);
  }
  return summarize(times);
}

const arms = [await arm('metrics on', true), await arm('metrics off', false)];
let scrape = summarize([]);
let isolated = summarize([]);
let storeOpsPerTurn = 0;
try {
  for (const a of arms) await a.driver.sequential(warmup);
  for (let done = 0, round = 0; done < turns; done += block, round++) {
    // Alternate who goes first, so neither side always follows a garbage-collection-heavy block.
    const order = round % 2 === 0 ? arms : [...arms].reverse();
    for (const a of order) a.samples.push(...(await a.driver.sequential(Math.min(block, turns - done))).samples);
  }
  // What one Prometheus scrape costs the process (all series, default metrics included).
  const on = arms[0]?.app.metrics;
  if (on) {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await on.render();
      times.push(performance.now() - started);
    }
    scrape = summarize(times);
    const counted = (await on.storeDuration.get()).values.filter((v) => v.metricName === 'support_store_operation_seconds_count').reduce((sum, v) => sum + v.value, 0);
    storeOpsPerTurn = Math.round(counted / (turns + warmup));
    isolated = await isolatedCost(new SupportMetrics({ defaultMetrics: false }), storeOpsPerTurn, 20_000);
  }
} finally {
  for (const a of arms) {
    await a.app.close();
    await rm(a.dir, { recursive: true, force: true });
  }
}

const [withMetrics, without] = arms.map((a) => summarize(a.samples.map((s) => s.overheadMs))) as [ReturnType<typeof summarize>, ReturnType<typeof summarize>];
const failures = arms.reduce((n, a) => n + a.driver.failures.length, 0);
console.log(`\nEngine overhead per turn, metrics on vs off (${turns} sequential turns each, blocks of ${block} alternating; node ${process.version}, ${os.cpus().length} CPUs, load ${(os.loadavg()[0] as number).toFixed(2)})\n`);
console.log(
  formatTable(
    ['', 'p50 ms', 'p99 ms', 'mean ms'],
    [
      ['metrics on', ms(withMetrics.p50), ms(withMetrics.p99), ms(withMetrics.mean)],
      ['metrics off', ms(without.p50), ms(without.p99), ms(without.mean)],
      ['added', ms(withMetrics.p50 - without.p50), ms(withMetrics.p99 - without.p99), ms(withMetrics.mean - without.mean)],
    ],
  ),
);
console.log(`\nmetrics layer alone per turn (4 audit events + ${storeOpsPerTurn} store timings, 20,000 replays): p50 ${(isolated.p50 * 1000).toFixed(1)} µs, p99 ${(isolated.p99 * 1000).toFixed(1)} µs`);
console.log(`one /metrics render: p50 ${ms(scrape.p50)} ms, max ${ms(scrape.max)} ms`);
if (failures > 0) console.log(`WARNING: ${failures} turns did not end as expected`);
console.log(
  JSON.stringify({
    bench: 'metrics',
    turns,
    onP50Ms: +withMetrics.p50.toFixed(3),
    onP99Ms: +withMetrics.p99.toFixed(3),
    offP50Ms: +without.p50.toFixed(3),
    offP99Ms: +without.p99.toFixed(3),
    addedP50Ms: +(withMetrics.p50 - without.p50).toFixed(3),
    addedP99Ms: +(withMetrics.p99 - without.p99).toFixed(3),
    targetAddedP99Ms: 0.2,
    storeOpsPerTurn,
    isolatedP50Ms: +isolated.p50.toFixed(4),
    isolatedP99Ms: +isolated.p99.toFixed(4),
    scrapeP50Ms: +scrape.p50.toFixed(3),
    failures,
  }),
);
