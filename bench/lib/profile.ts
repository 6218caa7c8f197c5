/**
 * Where the per-turn overhead goes, at the current store size:
 * 1. every SQL statement of each turn, counted and timed, plus audit writes
 *    and event-loop delay;
 * 2. the session codec's CPU cost; WAL frames per turn;
 * 3. a CPU profile of sequential turns (self time by area and function);
 * 4. what-if arms (bench-only patches of the live store instance: checkpoint
 *    settings, background checkpoints), run in interleaved rounds against the
 *    unpatched engine. Earlier arms shipped and were removed: increments in one
 *    statement per group (Store.incrementMany), statements prepared once
 *    (better-sqlite3), no store lock on a single-process store.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { App } from '../../src/bootstrap';
import type { AuditSink } from '../../src/ports';
import type { Sealer } from '../../src/sessions/sealer';
import { untimed } from '../../src/observability/timed-store';
import { migrateSession, sessionIdOf, type SessionState } from '../../src/sessions/session-state';
import { startCpuProfile, summarizeProfile } from './cpu-profile';
import type { TurnDriver, TurnSample } from './driver';
import { coveredMs, StoreProbe, type StatementSample } from './store-probe';
import { formatTable, ms, summarize } from './stats';
import { conversationOf, sessionCollection } from './seed';
import { backgroundCheckpoints } from './what-if';

export interface ProfileOptions {
  app: App;
  driver: TurnDriver;
  turns: number;
  concurrency: number;
  storeFile: string;
  sealer: Sealer;
}

interface TurnTrace {
  sample: TurnSample;
  statements: StatementSample[];
  sqlMs: number;
  auditMs: number;
  auditCalls: number;
  /** The WAL was reset during the turn, i.e. a checkpoint ran inside one of its statements. */
  checkpointed: boolean;
}

/** Checkpoint sequence number and salts from the WAL header; they change whenever the WAL restarts after a checkpoint. */
function walGeneration(fd: number): string {
  const header = Buffer.alloc(24);
  readSync(fd, header, 0, 24, 0);
  return header.subarray(12, 24).toString('hex');
}

/** Sequential turns with every statement (and audit write) attributed to its turn. */
async function tracedTurns(driver: TurnDriver, probe: StoreProbe, audit: AuditSink, storeFile: string, count: number): Promise<TurnTrace[]> {
  const traces: TurnTrace[] = [];
  const wal = openSync(`${storeFile}-wal`, 'r');
  // The engine holds this same object, so timing its `write` times the engine's audit writes (synchronous part).
  const write = audit.write;
  let auditMs = 0;
  let auditCalls = 0;
  audit.write = (event) => {
    const started = performance.now();
    write.call(audit, event);
    auditMs += performance.now() - started;
    auditCalls += 1;
  };
  // How long the main thread was blocked (node-sqlite3 finalizes statements on it, under the connection mutex).
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  try {
    for (let k = 0; k < count; k++) {
      const statements: StatementSample[] = [];
      probe.current = statements;
      auditMs = 0;
      auditCalls = 0;
      const generation = walGeneration(wal);
      const sample = await driver.turn();
      probe.current = undefined;
      traces.push({ sample, statements, sqlMs: coveredMs(statements), auditMs, auditCalls, checkpointed: walGeneration(wal) !== generation });
    }
  } finally {
    closeSync(wal);
    delay.disable();
    audit.write = write;
  }
  console.log(
    `\n[profile] event-loop delay during traced turns: p50 ${ms(delay.percentile(50) / 1e6)} / p99 ${ms(delay.percentile(99) / 1e6)} / max ${ms(delay.max / 1e6)} ms (1 ms timer resolution)`,
  );
  return traces;
}

function statementReport(traces: TurnTrace[]): void {
  const n = traces.length;
  const byLabel = new Map<string, number[]>();
  for (const t of traces) for (const s of t.statements) (byLabel.get(s.label) ?? byLabel.set(s.label, []).get(s.label))?.push(s.ms);
  const total = traces.reduce((sum, t) => sum + t.statements.length, 0);
  console.log(`\n[profile] SQL statements per turn: ${(total / n).toFixed(2)} (${n} sequential turns)`);
  const rows = [...byLabel.entries()]
    .map(([label, values]) => ({ label, values, s: summarize(values) }))
    .sort((a, b) => b.s.mean * b.values.length - a.s.mean * a.values.length)
    .map(({ label, values, s }) => [
      label,
      (values.length / n).toFixed(2),
      ms(s.mean, 3),
      ms(s.p99, 3),
      ms(s.max, 2),
      ms((s.mean * values.length) / n, 3),
      String(values.filter((v) => v > 2).length),
    ]);
  console.log(formatTable(['statement', 'per turn', 'mean ms', 'p99 ms', 'max ms', 'sum ms/turn', '>2ms'], rows));

  const overhead = summarize(traces.map((t) => t.sample.overheadMs));
  const sql = summarize(traces.map((t) => t.sqlMs));
  const other = summarize(traces.map((t) => t.sample.overheadMs - t.sqlMs));
  console.log(
    `overhead p50 ${ms(overhead.p50)} / p99 ${ms(overhead.p99)} ms; waiting on SQL p50 ${ms(sql.p50)} / p99 ${ms(sql.p99)} ms; ` +
      `rest (JS CPU, GC, event loop) p50 ${ms(other.p50)} / p99 ${ms(other.p99)} ms`,
  );
  const counters = summarize(traces.map((t) => coveredMs(t.statements.filter((st) => st.label.startsWith('increment')))));
  console.log(`of which counter increments (BudgetGuard reserve/settle): p50 ${ms(counters.p50)} / p99 ${ms(counters.p99)} ms per turn`);
  const withCheckpoint = traces.filter((t) => t.checkpointed);
  const without = summarize(traces.filter((t) => !t.checkpointed).map((t) => t.sample.overheadMs));
  const withSummary = summarize(withCheckpoint.map((t) => t.sample.overheadMs));
  console.log(
    `WAL auto-checkpoint inside the turn: ${withCheckpoint.length} of ${n} turns (${((withCheckpoint.length / n) * 100).toFixed(1)}%); ` +
      `those turns p50 ${ms(withSummary.p50)} / p99 ${ms(withSummary.p99)} ms, the others p50 ${ms(without.p50)} / p99 ${ms(without.p99)} / max ${ms(without.max)} ms`,
  );
  const audit = summarize(traces.map((t) => t.auditMs));
  console.log(
    `audit log: ${(traces.reduce((sum, t) => sum + t.auditCalls, 0) / n).toFixed(1)} writes per turn, synchronous cost (scrub + pino serialise + submit) ` +
      `mean ${ms(audit.mean, 3)} / p99 ${ms(audit.p99, 3)} ms per turn`,
  );
  const slow = [...traces].sort((a, b) => b.sample.overheadMs - a.sample.overheadMs).slice(0, Math.max(1, Math.ceil(n / 100)));
  const mean = (f: (t: TurnTrace) => number) => slow.reduce((sum, t) => sum + f(t), 0) / slow.length;
  const slowWithCheckpoint = slow.filter((t) => t.checkpointed).length;
  const culprits = new Map<string, number>();
  for (const t of slow) {
    const worst = t.statements.reduce<StatementSample | undefined>((w, s) => (!w || s.ms > w.ms ? s : w), undefined);
    if (worst && worst.ms > 1) culprits.set(worst.label, (culprits.get(worst.label) ?? 0) + 1);
  }
  console.log(
    `slowest 1% (${slow.length} turns): overhead ${ms(mean((t) => t.sample.overheadMs))} ms = SQL wait ${ms(mean((t) => t.sqlMs))} + rest ${ms(mean((t) => t.sample.overheadMs - t.sqlMs))}; ` +
      `slowest statement in them ${ms(mean((t) => Math.max(0, ...t.statements.map((s) => s.ms))))} ms on average; ` +
      `${slowWithCheckpoint} of them had a WAL checkpoint; slowest statement, if over 1 ms: ${[...culprits.entries()].map(([l, c]) => `${l} ×${c}`).join(', ') || 'none'}`,
  );
}

async function cpuReport(driver: TurnDriver, count: number): Promise<void> {
  const stop = await startCpuProfile(100);
  await driver.sequential(count);
  const profile = await stop();
  // Synchronous functions only: an async function's frames restart after every await, so its inclusive time is meaningless.
  const summary = summarizeProfile(profile, [
    'write',
    'scrubDeep',
    'seal',
    'open',
    'migrateSession',
    'trimHistory',
    'capHistory',
    'periodOf',
    'estimateTokens',
    'randomBytes',
  ]);
  const perTurn = (v: number) => ((v / count) * 1000).toFixed(0);
  console.log(`\n[profile] CPU profile of ${count} sequential turns: ${ms(summary.totalMs / count)} ms wall per turn; self time, µs per turn:`);
  console.log(
    summary.byArea
      .slice(0, 16)
      .map(([area, v]) => `  ${perTurn(v).padStart(6)}  ${area}`)
      .join('\n'),
  );
  console.log('top functions (self, µs per turn):');
  console.log(
    summary.byFunction
      .slice(0, 20)
      .map(([fn, v]) => `  ${perTurn(v).padStart(6)}  ${fn}`)
      .join('\n'),
  );
  console.log('inclusive, synchronous functions (µs per turn; `write` = outermost write, i.e. AuditSink.write):');
  console.log(
    summary.inclusive
      .filter(([, v]) => v > 0)
      .map(([fn, v]) => `  ${perTurn(v).padStart(6)}  ${fn}`)
      .join('\n'),
  );
}

/** Per-call CPU cost of the session codec on the largest of a sample of stored sessions. */
async function codecReport(app: App, sealer: Sealer, sessions: number): Promise<void> {
  const docs = sessionCollection(app.store, sealer);
  let largest: SessionState | undefined;
  for (let i = 0; i < Math.min(sessions, 200); i++) {
    const doc = await docs.get(sessionIdOf(conversationOf(i)));
    if (doc && (!largest || doc.history.length > largest.history.length)) largest = doc;
  }
  const typical = await docs.get(sessionIdOf(conversationOf(0)));
  const time = (fn: () => unknown, reps = 2_000) => {
    for (let i = 0; i < 200; i++) fn();
    const started = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return ((performance.now() - started) / reps) * 1000;
  };
  console.log('\n[profile] session codec, µs per call (seal = JSON + AES-GCM; open = AES-GCM + JSON; parse = zod migrateSession):');
  for (const [label, doc] of [['typical', typical], ['largest', largest]] as const) {
    if (!doc) continue;
    const sealed = sealer.seal(doc, `session:${doc.id}`);
    const opened = sealer.open(sealed, `session:${doc.id}`);
    console.log(
      `  ${label.padEnd(8)} ${String(doc.history.length).padStart(3)} messages, ${(sealed.length / 1024).toFixed(1)} KB sealed: ` +
        `seal ${time(() => sealer.seal(doc, `session:${doc.id}`)).toFixed(0)}  open ${time(() => sealer.open(sealed, `session:${doc.id}`)).toFixed(0)}  parse ${time(() => migrateSession(opened)).toFixed(0)}`,
    );
  }
}

/** WAL frames written per turn, hence how often the default auto-checkpoint (1000 frames) lands on a turn. */
async function walReport(app: App, driver: TurnDriver, probe: StoreProbe, storeFile: string): Promise<void> {
  const measure = async (label: string, count: number) => {
    await probe.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    await probe.raw('PRAGMA wal_autocheckpoint = 0');
    try {
      await driver.sequential(count);
      const started = performance.now();
      const [row] = await probe.raw<{ busy: number; log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE)');
      const checkpointMs = performance.now() - started;
      const frames = (row?.log ?? 0) / count;
      console.log(
        `  ${label.padEnd(34)} ${frames.toFixed(1)} WAL frames (4 KB pages) per turn -> auto-checkpoint every ~${(1000 / frames).toFixed(0)} turns; ` +
          `checkpointing ${row?.log ?? 0} frames took ${ms(checkpointMs)} ms`,
      );
    } finally {
      await probe.raw('PRAGMA wal_autocheckpoint = 1000');
    }
  };
  console.log('\n[profile] WAL growth:');
  await measure('as shipped', 200);
}

interface Arm {
  name: string;
  /** Apply the change; returns its undo, which reports background checkpoint durations if any. */
  apply: () => Promise<() => Promise<number[]>>;
}

/** Interleaved rounds so drift (WAL size, page cache, JIT, other load) hits every arm alike. */
async function whatIfReport(options: ProfileOptions, probe: StoreProbe): Promise<void> {
  const { app, driver, turns, concurrency, storeFile } = options;
  // The SQLite store itself, not the metrics wrapper around it.
  const store = untimed(app.store);
  const rounds = 8;
  const per = Math.max(50, Math.floor(turns / rounds));
  const none = async () => [];
  // Pragmas go to whichever connection the engine's statements currently use.
  const engineQuery = (sql: string) => (store as unknown as { adapter: { query: (sql: string) => Promise<unknown> } }).adapter.query(sql);
  const checkpointer = () => backgroundCheckpoints(storeFile, engineQuery, 200);
  const arms: Arm[] = [
    { name: 'as shipped', apply: async () => none },
    {
      name: 'wal_autocheckpoint 10000',
      apply: async () => {
        await probe.raw('PRAGMA wal_autocheckpoint = 10000');
        return async () => (await probe.raw('PRAGMA wal_autocheckpoint = 1000'), []);
      },
    },
    { name: 'checkpoint in background', apply: checkpointer },
  ];
  const results = arms.map(() => ({ seq: [] as number[], seqSeconds: 0, conc: [] as number[], concSeconds: 0, checkpoints: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < arms.length; k++) {
      const a = (k + round) % arms.length;
      // Every arm starts on an empty WAL, so no arm pays for checkpoints another one deferred.
      await probe.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      const undo = await (arms[a] as Arm).apply();
      const result = results[a] as (typeof results)[number];
      try {
        const seq = await driver.sequential(per);
        const conc = await driver.concurrent(per, concurrency);
        result.seq.push(...seq.samples.map((s) => s.overheadMs));
        result.seqSeconds += seq.seconds;
        result.conc.push(...conc.samples.map((s) => s.overheadMs));
        result.concSeconds += conc.seconds;
      } finally {
        result.checkpoints.push(...(await undo()));
      }
    }
  }
  console.log(`\n[profile] what-if (bench-only patches on the live store; ${rounds} interleaved rounds, ${per * rounds} turns per arm and mode):`);
  console.log(
    formatTable(
      ['arm', 'seq turns/s', 'p50 ms', 'p99 ms', 'max ms', `@${concurrency} turns/s`, `@${concurrency} p50 ms`, `@${concurrency} p99 ms`],
      arms.map((arm, a) => {
        const r = results[a] as (typeof results)[number];
        const seq = summarize(r.seq);
        const conc = summarize(r.conc);
        return [
          arm.name,
          (r.seq.length / r.seqSeconds).toFixed(0),
          ms(seq.p50),
          ms(seq.p99),
          ms(seq.max),
          (r.conc.length / r.concSeconds).toFixed(0),
          ms(conc.p50),
          ms(conc.p99),
        ];
      }),
    ),
  );
  for (const [a, r] of results.entries()) {
    if (r.checkpoints.length === 0) continue;
    const d = summarize(r.checkpoints);
    console.log(`${(arms[a] as Arm).name}: ${d.count} background checkpoints (second connection), p50 ${ms(d.p50)} / max ${ms(d.max)} ms each, off the request path`);
  }
}

export async function runProfile(options: ProfileOptions): Promise<void> {
  const { app, driver, turns } = options;
  // With metrics on, app.store times each call around the SQLite store; the probe needs the store itself.
  const probe = new StoreProbe(untimed(app.store));
  try {
    statementReport(await tracedTurns(driver, probe, app.audit, options.storeFile, turns));
  } finally {
    probe.detach(); // `raw` keeps working for pragmas
  }
  await codecReport(app, options.sealer, driver.sessions);
  await walReport(app, driver, probe, options.storeFile);
  await cpuReport(driver, Math.min(turns, 1000));
  await whatIfReport(options, probe);
}
