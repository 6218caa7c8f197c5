/** Tables, ratios and the JSON line printed by bench/slack.ts. */
import type { LoadResult } from './slack-load';
import type { SideReport } from './slack-side';
import { formatTable, mb, ms, type Summary } from './stats';

/** One side (or product variant) measured in one configuration. */
export interface SideRun {
  /** `floor`, `product`, or `product+<what-if>[+…]`. */
  label: string;
  users: number;
  round: number;
  turns: number;
  load: LoadResult;
  latency: Summary;
  report: SideReport;
  /** CPU the driver process (virtual users + both simulators) used during the measured phase, as a share of one core. */
  driverCpuShare: number;
  modelCallsPerTurn: number;
  promptTokensPerCall: number;
}

export interface Figures {
  turnsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  cpuMsPerTurn: number;
}

export interface Comparison {
  label: string;
  users: number;
  floor: Figures;
  side: Figures;
  throughputRatio: number;
  p99Ratio: number;
  pass: boolean;
}

export const TARGET = { throughput: 0.8, p99: 1.3, vsAgents: 1.5 } as const;

const throughput = (r: SideRun) => r.load.latencies.length / r.load.seconds;
const cpuPerTurn = (r: SideRun) => (r.report.cpuUserMs + r.report.cpuSystemMs) / r.turns;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

export function runsTable(runs: readonly SideRun[]): string {
  return formatTable(
    ['side', 'VUs', 'round', 'turns/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms/turn', 'loop ms/turn', 'peak RSS MB', 'ready RSS MB', 'Web API/turn', 'model calls/turn', 'prompt tok/call', 'driver CPU', 'failed'],
    runs.map((r) => [
      r.label,
      String(r.users),
      String(r.round + 1),
      throughput(r).toFixed(1),
      ms(r.latency.p50),
      ms(r.latency.p99),
      ms(r.latency.max),
      ms(cpuPerTurn(r)),
      ms((r.report.eventLoopUtilization * r.load.seconds * 1000) / r.turns),
      mb(r.report.peakRss),
      mb(r.report.readyRss),
      (Object.values(r.load.webApiCalls).reduce((a, b) => a + b, 0) / r.turns).toFixed(2),
      r.modelCallsPerTurn.toFixed(2),
      r.promptTokensPerCall.toFixed(0),
      `${(r.driverCpuShare * 100).toFixed(0)}%`,
      String(r.load.failures.length),
    ]),
  );
}

/**
 * Each non-floor label against the floor of the same configuration. Figures
 * are medians across rounds; ratios are medians of per-round ratios (each
 * side against the floor run next to it), which cancels slow drift in
 * machine load better than a ratio of medians.
 */
export function compare(runs: readonly SideRun[]): Comparison[] {
  const figures = (list: SideRun[]): Figures => ({
    turnsPerSecond: median(list.map(throughput)),
    p50Ms: median(list.map((r) => r.latency.p50)),
    p99Ms: median(list.map((r) => r.latency.p99)),
    peakRssMb: median(list.map((r) => r.report.peakRss / 1_048_576)),
    cpuMsPerTurn: median(list.map(cpuPerTurn)),
  });
  const users = [...new Set(runs.map((r) => r.users))];
  const labels = [...new Set(runs.map((r) => r.label))].filter((l) => l !== 'floor');
  return users.flatMap((vus) => {
    const floors = runs.filter((r) => r.label === 'floor' && r.users === vus);
    return labels.map((label) => {
      const sides = runs.filter((r) => r.label === label && r.users === vus);
      const pairs = sides.flatMap((s) => {
        const f = floors.find((r) => r.round === s.round);
        return f ? [{ s, f }] : [];
      });
      const throughputRatio = median(pairs.map(({ s, f }) => throughput(s) / throughput(f)));
      const p99Ratio = median(pairs.map(({ s, f }) => s.latency.p99 / f.latency.p99));
      return {
        label,
        users: vus,
        floor: figures(floors),
        side: figures(sides),
        throughputRatio,
        p99Ratio,
        pass: throughputRatio >= TARGET.throughput && p99Ratio <= TARGET.p99,
      };
    });
  });
}

/** The product against the @openai/agents bot, per user count: ratios are medians of per-round ratios. */
/** Product / another side of the same round (median of per-round ratios), with a verdict against `target` throughput. */
export function against(runs: readonly SideRun[], label: string, target: number): string | undefined {
  const users = [...new Set(runs.map((r) => r.users))];
  const rows = users.flatMap((vus) => {
    const pairs = runs
      .filter((r) => r.label === 'product' && r.users === vus)
      .flatMap((p) => {
        const a = runs.find((r) => r.label === label && r.users === vus && r.round === p.round);
        return a ? [{ p, a }] : [];
      });
    if (pairs.length === 0) return [];
    const ratio = median(pairs.map(({ p, a }) => throughput(p) / throughput(a)));
    const p99 = median(pairs.map(({ p, a }) => p.latency.p99 / a.latency.p99));
    const cpu = median(pairs.map(({ p, a }) => cpuPerTurn(p) / cpuPerTurn(a)));
    return [[String(vus), ratio.toFixed(2), p99.toFixed(2), cpu.toFixed(2), ratio >= target ? 'meets target' : 'MISSES target']];
  });
  return rows.length > 0 ? formatTable(['VUs', 'throughput ratio', 'p99 ratio', 'CPU/turn ratio', 'verdict'], rows) : undefined;
}

export function comparisonTable(comparisons: readonly Comparison[]): string {
  return formatTable(
    ['side / floor', 'VUs', 'throughput ratio', 'p99 ratio', 'p50 ratio', 'CPU/turn ratio', 'peak RSS ratio', 'verdict'],
    comparisons.map((c) => [
      c.label,
      String(c.users),
      c.throughputRatio.toFixed(2),
      c.p99Ratio.toFixed(2),
      (c.side.p50Ms / c.floor.p50Ms).toFixed(2),
      (c.side.cpuMsPerTurn / c.floor.cpuMsPerTurn).toFixed(2),
      (c.side.peakRssMb / c.floor.peakRssMb).toFixed(2),
      c.pass ? 'meets target' : 'MISSES target',
    ]),
  );
}

/** CPU self time per turn by area and by function, product against floor (profiled runs only). */
export function profileTables(runs: readonly SideRun[], label: string, users: number): string | undefined {
  const p = runs.find((r) => r.label === label && r.users === users);
  const f = runs.find((r) => r.label === 'floor' && r.users === users);
  if (!p?.report.profile || !f?.report.profile) return undefined;
  const perTurn = (list: Array<[string, number]>, turns: number) => new Map(list.map(([k, t]) => [k, t / turns]));
  const diffRows = (a: Map<string, number>, b: Map<string, number>, limit: number) =>
    [...new Set([...a.keys(), ...b.keys()])]
      .filter((k) => !k.startsWith('(idle)'))
      .map((k) => [k, a.get(k) ?? 0, b.get(k) ?? 0] as const)
      .sort((x, y) => Math.abs(y[1] - y[2]) - Math.abs(x[1] - x[2]))
      .slice(0, limit)
      .map(([k, x, y]) => [k.slice(0, 100), ms(x, 3), ms(y, 3), ms(x - y, 3)]);
  const pAreas = perTurn(p.report.profile.byArea, p.turns);
  const fAreas = perTurn(f.report.profile.byArea, f.turns);
  const pFns = perTurn(p.report.profile.byFunction, p.turns);
  const fFns = perTurn(f.report.profile.byFunction, f.turns);
  const lines = [
    `CPU self time per turn by area, ${users} VUs, ms (largest differences first; "(program)" is native time with no JS on the stack, including waits inside native code):`,
    formatTable(['area', label, 'floor', 'diff'], diffRows(pAreas, fAreas, 24)),
    '',
    `Self time per turn by function, ${users} VUs, ms (largest differences first):`,
    formatTable(['function', label, 'floor', 'diff'], diffRows(pFns, fFns, 36)),
    '',
    `${label}: inclusive synchronous time per turn, ms (async functions count only until their first await):`,
    formatTable(['function', 'ms/turn'], p.report.profile.inclusive.filter(([, t]) => t > 0).map(([fn, t]) => [fn, ms(t / p.turns, 3)])),
  ];
  if (p.report.sqlStatements !== undefined) lines.push('', `${label}: SQLite statements per turn: ${(p.report.sqlStatements / p.turns).toFixed(1)}`);
  return lines.join('\n');
}

export function summaryLine(meta: Record<string, unknown>, comparisons: readonly Comparison[], failedTurns: number): string {
  const round2 = (o: Figures) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, +v.toFixed(2)]));
  return JSON.stringify({
    bench: 'slack',
    ...meta,
    target: TARGET,
    results: comparisons.map((c) => ({
      side: c.label,
      vus: c.users,
      floor: round2(c.floor),
      [c.label === 'product' ? 'product' : 'variant']: round2(c.side),
      throughputRatio: +c.throughputRatio.toFixed(3),
      p99Ratio: +c.p99Ratio.toFixed(3),
      pass: c.pass,
    })),
    failedTurns,
  });
}
