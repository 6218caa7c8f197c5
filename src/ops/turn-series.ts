import type { AuditLine } from './audit-reader';

/** How a turn ended, as the dashboard groups it. */
export type TurnOutcome = 'answered' | 'escalated' | 'paused' | 'refused' | 'failed' | 'over_budget' | 'handed_off';

/** One turn, from a `turn_completed` line or reconstructed from the lines of a message. */
export interface TurnSample {
  at: number;
  sessionId: string;
  outcome: TurnOutcome;
  /** Undefined when the log does not say (reconstructed turns with a single line). */
  latencyMs: number | undefined;
  steps: number;
  costUsd: number;
}

/** One bucket of a time series. `t` is the bucket start in epoch seconds (uPlot's unit). */
export interface SeriesPoint {
  t: number;
  turns: number;
  solved: number;
  escalated: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Failed turns / turns, 0..1; null when there were no turns. */
  errorRate: number | null;
}

const OUTCOMES: Record<string, TurnOutcome> = {
  answered: 'answered',
  solved: 'answered',
  escalated: 'escalated',
  paused: 'paused',
  awaiting_approval: 'paused',
  refused: 'refused',
  failed: 'failed',
  error: 'failed',
  over_budget: 'over_budget',
  budget: 'over_budget',
  handed_off: 'handed_off',
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Turns in the log. When the bot writes `turn_completed` lines (outcome,
 * latency, steps, cost), those are the truth. Older logs without them are
 * read message by message: an `inbound_message` opens a turn of its session,
 * and the lines of that session until its next message decide the outcome.
 */
export function turnsFromAudit(lines: readonly AuditLine[]): TurnSample[] {
  if (lines.some((l) => l.event === 'turn_completed')) {
    return lines
      .filter((l) => l.event === 'turn_completed')
      .flatMap((l) => {
        const outcome = OUTCOMES[String(l.outcome ?? l.status ?? '')];
        if (!outcome) return [];
        return [{ at: l.at, sessionId: String(l.session_id ?? ''), outcome, latencyMs: num(l.latency_ms), steps: num(l.steps) ?? 0, costUsd: num(l.cost_usd) ?? 0 }];
      });
  }
  const open = new Map<string, TurnSample & { lastAt: number }>();
  const done: TurnSample[] = [];
  const finish = (turn: TurnSample & { lastAt: number }) => {
    const { lastAt, ...sample } = turn;
    done.push({ ...sample, latencyMs: lastAt > sample.at ? lastAt - sample.at : sample.latencyMs });
  };
  for (const line of lines) {
    const sessionId = line.session_id;
    if (!sessionId) continue;
    if (line.event === 'inbound_message') {
      const previous = open.get(sessionId);
      if (previous) finish(previous);
      open.set(sessionId, { at: line.at, lastAt: line.at, sessionId, outcome: 'answered', latencyMs: undefined, steps: 0, costUsd: 0 });
      continue;
    }
    const turn = open.get(sessionId);
    if (!turn) continue;
    turn.lastAt = line.at;
    if (line.event === 'model_call') {
      turn.steps += 1;
      turn.costUsd += num(line.cost_usd) ?? 0;
    } else if (line.event === 'escalation') turn.outcome = 'escalated';
    else if (line.event === 'turn_failed') turn.outcome = 'failed';
    else if (line.event === 'budget_refused') turn.outcome = 'over_budget';
    else if (line.event === 'approval_requested' && turn.outcome === 'answered') turn.outcome = 'paused';
  }
  for (const turn of open.values()) finish(turn);
  return done.sort((a, b) => a.at - b.at);
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** `buckets` consecutive buckets of `bucketMs` ending with the one that holds `now`. */
export function buildSeries(turns: readonly TurnSample[], options: { now: number; bucketMs: number; buckets: number }): SeriesPoint[] {
  const { bucketMs, buckets } = options;
  const lastStart = Math.floor(options.now / bucketMs) * bucketMs;
  const firstStart = lastStart - (buckets - 1) * bucketMs;
  const groups: TurnSample[][] = Array.from({ length: buckets }, () => []);
  for (const turn of turns) {
    if (turn.at < firstStart || turn.at >= lastStart + bucketMs) continue;
    groups[Math.floor((turn.at - firstStart) / bucketMs)]?.push(turn);
  }
  return groups.map((group, i) => {
    const latencies = group.flatMap((t) => (t.latencyMs === undefined ? [] : [t.latencyMs])).sort((a, b) => a - b);
    const failed = group.filter((t) => t.outcome === 'failed').length;
    return {
      t: (firstStart + i * bucketMs) / 1000,
      turns: group.length,
      solved: group.filter((t) => t.outcome === 'answered').length,
      escalated: group.filter((t) => t.outcome === 'escalated' || t.outcome === 'handed_off').length,
      failed,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      errorRate: group.length === 0 ? null : failed / group.length,
    };
  });
}

/** The two windows the dashboard charts: hourly over 24 h, daily over 30 days (UTC days). */
export const SERIES_WINDOWS = {
  '24h': { bucketMs: 3_600_000, buckets: 24 },
  '30d': { bucketMs: 86_400_000, buckets: 30 },
} as const;

export type SeriesWindow = keyof typeof SERIES_WINDOWS;
