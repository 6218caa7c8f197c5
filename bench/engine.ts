/**
 * Engine overhead per turn with a loopback model, the real SQLite store,
 * sealed sessions, audit log and budget accounting, as stored sessions grow.
 *
 * Usage: npx tsx bench/engine.ts [--sessions 1000,10000,100000] [--turns 2000]
 *          [--concurrency 16] [--warmup 300] [--seed 42] [--tmpdir /tmp] [--quick] [--profile] [--metrics off]
 * (or BENCH_SESSIONS / BENCH_TURNS / BENCH_CONCURRENCY / BENCH_TMPDIR / BENCH_QUICK=1 / BENCH_PROFILE=1)
 *
 * Each turn is one inbound message: the model asks for `lookup_order`, the
 * tool answers from memory, the model answers (two model calls per turn).
 * Overhead = turn wall time − time inside model.complete and tool.execute.
 * 70% of turns are follow-ups on a random stored session, 30% new ones.
 * The model is priced (gpt-4o-mini) so every call reserves and settles budget
 * in the store; the monthly limit is raised so seeded spend never refuses.
 * `--profile` adds, at the largest size, a per-statement breakdown, a CPU
 * profile and what-if arms (see bench/lib/profile.ts); a few minutes more.
 * `--metrics off` runs without Prometheus metrics (on by default, as in
 * production); bench/metrics.ts compares the two side by side.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrap, type App } from '../src/bootstrap';
import { spendKeys } from '../src/budget/budget-guard';
import { periodOf } from '../src/budget/periods';
import { decodeKey } from '../src/config';
import { silentLogger } from '../src/logger';
import { createSealer } from '../src/sessions/sealer';
import { sessionIdOf } from '../src/sessions/session-state';
import { TurnDriver, type TurnSample } from './lib/driver';
import { createCountingChannel, createLoopbackModel, createOrderLookupTool, TimingLedger } from './lib/loopback';
import { runProfile } from './lib/profile';
import { BENCH_PLATFORM, conversationOf, seedSessions, sessionCollection } from './lib/seed';
import { createRandom, formatTable, mb, ms, summarize } from './lib/stats';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string' },
    turns: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
    seed: { type: 'string' },
    tmpdir: { type: 'string' },
    quick: { type: 'boolean' },
    profile: { type: 'boolean' },
    metrics: { type: 'string' },
  },
});
const metricsOn = (args.metrics ?? 'on') !== 'off';
const env = process.env;
const quick = args.quick ?? env.BENCH_QUICK === '1';
const sizes = (args.sessions ?? env.BENCH_SESSIONS ?? (quick ? '300,2000' : '1000,10000,100000')).split(',').map(Number);
const turns = Number(args.turns ?? env.BENCH_TURNS ?? (quick ? 300 : 2000));
const concurrency = Number(args.concurrency ?? env.BENCH_CONCURRENCY ?? 16);
const warmup = Number(args.warmup ?? (quick ? 100 : 300));
const seed = Number(args.seed ?? 42);
const profile = args.profile ?? env.BENCH_PROFILE === '1';
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(turns > 0) || !(concurrency > 0)) {
  console.error('usage: npx tsx bench/engine.ts [--sessions 1000,10000,100000] [--turns 2000] [--concurrency 16] [--quick] [--profile]');
  process.exit(2);
}
sizes.sort((a, b) => a - b);

interface Point {
  sessions: number;
  sessionsAfter: number;
  seedSeconds: number;
  seqTurnsPerSec: number;
  seq: ReturnType<typeof summarize>;
  concTurnsPerSec: number;
  conc: ReturnType<typeof summarize>;
  externalMsPerTurn: number;
  dbBytes: number;
  walBytes: number;
  peakRssBytes: number;
}

async function fileSize(file: string): Promise<number> {
  return stat(file).then((s) => s.size, () => 0);
}

const dataDir = await mkdtemp(path.join(args.tmpdir ?? env.BENCH_TMPDIR ?? os.tmpdir(), 'engine-bench-'));
const points: Point[] = [];
let app: App | undefined;
let failures: TurnDriver['failures'] = [];
let checks = { firstCallsWithHistory: 0, auditLogBytes: 0, monthSpendUsd: 0 };
const started = performance.now();
const loadBefore = os.loadavg()[0] as number;
if (loadBefore > os.cpus().length / 2) {
  console.log(`note: load average ${loadBefore.toFixed(2)} on ${os.cpus().length} CPUs before start; other work on this machine will show in the figures`);
}
try {
  const ledger = new TimingLedger();
  app = await bootstrap({
    env: {
      DATA_DIR: dataDir,
      BUILTIN_TOOLS: 'none',
      LOG_LEVEL: 'silent',
      OPENAI_MODEL: 'gpt-4o-mini',
      // Room for the seeded history's spend; the reserve/settle writes are the same at any limit.
      BUDGET_MONTHLY_USD: '100000',
    },
    model: createLoopbackModel(ledger, 'gpt-4o-mini'),
    tools: [createOrderLookupTool(ledger)],
    logger: silentLogger(),
    metrics: metricsOn,
  });
  app.engine.attach(createCountingChannel(BENCH_PLATFORM));
  app.engine.start(); // the approval/escalation sweeper runs as in production
  const key = decodeKey(await readFile(path.join(dataDir, 'encryption.key'), 'utf8'));
  if (!key) throw new Error('no encryption key in the data dir');
  const sealer = createSealer(key);
  const storeFile = app.config.storeUrl.slice('sqlite://'.length);
  const random = createRandom(seed);
  const driver = new TurnDriver({ engine: app.engine, ledger, random, initialSessions: 0 });

  // The first sessions come from real turns: new conversations, then follow-ups.
  const realBatch = Math.min(sizes[0] as number, quick ? 200 : 1000);
  await driver.concurrent(realBatch, concurrency, 1);
  await driver.concurrent(Math.floor(realBatch / 2), concurrency, 0);
  console.log(`data dir ${dataDir}; ${driver.sessions} sessions from real turns`);

  for (const size of sizes) {
    let seedSeconds = 0;
    if (driver.sessions < size) {
      const seeded = await seedSessions({ store: app.store, sealer, from: driver.sessions, to: size, random, now: Date.now() });
      seedSeconds = seeded.seconds;
      console.log(
        `seeded ${seeded.sessions} sessions (${seeded.writes} writes, avg sealed record ${(seeded.sealedBytes / seeded.sessions / 1024).toFixed(1)} KB) in ${seeded.seconds.toFixed(1)} s`,
      );
      driver.sessions = size;
      // Seeded records must open with the engine's key and schema, or follow-ups would silently start afresh.
      const docs = sessionCollection(app.store, sealer);
      for (let k = 0; k < 20; k++) {
        const i = seeded.from + Math.floor(random() * seeded.sessions);
        const doc = await docs.get(sessionIdOf(conversationOf(i)));
        if (!doc || doc.history.length === 0) throw new Error(`seeded session ${i} does not load`);
      }
    }
    const atStart = driver.sessions;
    await driver.sequential(warmup);
    const seq = await driver.sequential(turns);
    const conc = await driver.concurrent(turns, concurrency);
    const all: TurnSample[] = [...seq.samples, ...conc.samples];
    const point: Point = {
      sessions: atStart,
      sessionsAfter: driver.sessions,
      seedSeconds,
      seqTurnsPerSec: turns / seq.seconds,
      seq: summarize(seq.samples.map((s) => s.overheadMs)),
      concTurnsPerSec: turns / conc.seconds,
      conc: summarize(conc.samples.map((s) => s.overheadMs)),
      externalMsPerTurn: all.reduce((sum, s) => sum + s.externalMs, 0) / all.length,
      dbBytes: await fileSize(storeFile),
      walBytes: await fileSize(`${storeFile}-wal`),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    points.push(point);
    console.log(
      `N=${atStart}: seq ${point.seqTurnsPerSec.toFixed(0)} turns/s p50 ${ms(point.seq.p50)} p99 ${ms(point.seq.p99)} max ${ms(point.seq.max)} ms | ` +
        `${concurrency} in flight ${point.concTurnsPerSec.toFixed(0)} turns/s p99 ${ms(point.conc.p99)} ms`,
    );
  }

  // Evidence the parts were really exercised: history reached the model, audit lines and spend were written.
  await app.audit.flush();
  checks = {
    firstCallsWithHistory: ledger.firstCallsWithHistory / Math.max(1, ledger.firstCalls),
    auditLogBytes: await fileSize(app.config.auditLogPath),
    monthSpendUsd: await app.store.counter(spendKeys.month(periodOf(Date.now(), 'UTC').month)),
  };
  if (profile) await runProfile({ app, driver, turns, concurrency, storeFile, sealer });
  failures = driver.failures;
} finally {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
}

console.log(
  `\nEngine overhead per turn (model and tool time excluded; ${turns} turns per point after ${warmup} warm-up; ` +
    `2 model calls + 1 tool call per turn; 70% follow-ups / 30% new sessions; node ${process.version}, ${os.cpus().length} CPUs; ` +
    `metrics ${metricsOn ? 'on' : 'off'}; load average ${loadBefore.toFixed(2)} at start, ${(os.loadavg()[0] as number).toFixed(2)} at end)\n`,
);
console.log(
  formatTable(
    ['sessions', 'seq turns/s', 'p50 ms', 'p99 ms', 'max ms', `@${concurrency} turns/s`, `@${concurrency} p50 ms`, `@${concurrency} p99 ms`, 'db+wal MB', 'peak RSS MB'],
    points.map((p) => [
      `${p.sessions.toLocaleString('en-US')}`,
      p.seqTurnsPerSec.toFixed(0),
      ms(p.seq.p50),
      ms(p.seq.p99),
      ms(p.seq.max),
      p.concTurnsPerSec.toFixed(0),
      ms(p.conc.p50),
      ms(p.conc.p99),
      mb(p.dbBytes + p.walBytes),
      mb(p.peakRssBytes),
    ]),
  ),
);
console.log(`\n@${concurrency} columns are per-turn latency under load (queueing included), not isolated overhead. Peak RSS is the process high-water mark so far (seeding included).`);
console.log(`time inside model+tool: ${points.map((p) => `${(p.externalMsPerTurn * 1000).toFixed(0)} µs`).join(', ')} per turn (subtracted)`);
console.log(
  `checks: ${(checks.firstCallsWithHistory * 100).toFixed(0)}% of turns reached the model with earlier turns in context; ` +
    `audit log ${mb(checks.auditLogBytes)} MB; month spend counter $${checks.monthSpendUsd.toFixed(2)}`,
);
if (failures.length > 0) console.log(`WARNING: ${failures.length} turns did not end as expected: ${JSON.stringify(failures.slice(0, 5))}`);
const worstP99 = Math.max(...points.map((p) => p.seq.p99));
console.log(
  JSON.stringify({
    bench: 'engine',
    node: process.version,
    cpus: os.cpus().length,
    turns,
    concurrency,
    loadAvg: [+loadBefore.toFixed(2), +(os.loadavg()[0] as number).toFixed(2)],
    failures: failures.length,
    targetP99Ms: 5,
    meetsTarget: worstP99 < 5,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    points: points.map((p) => ({
      sessions: p.sessions,
      sessionsAfter: p.sessionsAfter,
      seqTurnsPerSec: Math.round(p.seqTurnsPerSec),
      p50Ms: +p.seq.p50.toFixed(3),
      p99Ms: +p.seq.p99.toFixed(3),
      maxMs: +p.seq.max.toFixed(3),
      concTurnsPerSec: Math.round(p.concTurnsPerSec),
      concP50Ms: +p.conc.p50.toFixed(3),
      concP99Ms: +p.conc.p99.toFixed(3),
      dbBytes: p.dbBytes + p.walBytes,
      peakRssBytes: p.peakRssBytes,
    })),
  }),
);
