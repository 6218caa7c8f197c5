import { periodOf } from '../budget/periods';
import type { CounterIncrement, OutcomePeriodReport, OutcomeReport, Store } from '../ports';

/** Counters kept per period; reports read a handful of keys instead of scanning conversations. */
export const OUTCOME_COUNTERS = [
  'conversations',
  'resolved_bot',
  'first_contact',
  'escalated',
  'escalated_resolved',
  'abandoned',
  'feedback_up',
  'feedback_down',
  'cost_usd',
] as const;

export type OutcomeCounter = (typeof OUTCOME_COUNTERS)[number];

/** Kept a little over a year, so week-on-week and year-ago comparisons remain possible. */
const COUNTER_TTL_MS = 400 * 86_400_000;

/** ISO week (`2026-W47`) of a calendar day (`2026-11-22`). */
export function isoWeekOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  // The week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The day and week periods an instant falls in. */
export function outcomePeriods(at: number, timeZone: string): { day: string; week: string } {
  const { day } = periodOf(at, timeZone);
  return { day, week: isoWeekOf(day) };
}

const key = (period: string, name: OutcomeCounter) => `outcomes:${period}:${name}`;

/** Add to counters of the day and week `at` falls in, in one atomic write. */
export async function countOutcome(store: Store, at: number, timeZone: string, counts: Partial<Record<OutcomeCounter, number>>): Promise<void> {
  const { day, week } = outcomePeriods(at, timeZone);
  const entries: CounterIncrement[] = [];
  for (const [name, by] of Object.entries(counts) as Array<[OutcomeCounter, number]>) {
    if (!by) continue;
    entries.push({ key: key(day, name), by, ttlMs: COUNTER_TTL_MS }, { key: key(week, name), by, ttlMs: COUNTER_TTL_MS });
  }
  if (entries.length > 0) await store.incrementMany(entries);
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : undefined);

/** Counts and rates of one period. */
export async function readOutcomePeriod(store: Store, period: string): Promise<OutcomePeriodReport> {
  const values = await Promise.all(OUTCOME_COUNTERS.map((name) => store.counter(key(period, name))));
  const c = Object.fromEntries(OUTCOME_COUNTERS.map((name, i) => [name, values[i] ?? 0])) as Record<OutcomeCounter, number>;
  const resolved = c.resolved_bot + c.escalated_resolved;
  const report: OutcomePeriodReport = {
    period,
    conversations: c.conversations,
    resolvedByBot: c.resolved_bot,
    firstContactResolved: c.first_contact,
    escalated: c.escalated,
    escalatedResolved: c.escalated_resolved,
    abandoned: c.abandoned,
    feedbackUp: c.feedback_up,
    feedbackDown: c.feedback_down,
    costUsd: c.cost_usd,
  };
  const rates = {
    automationRate: ratio(c.resolved_bot, c.conversations),
    firstContactResolutionRate: ratio(c.first_contact, c.conversations),
    escalationRate: ratio(c.escalated, c.conversations),
    csat: ratio(c.feedback_up, c.feedback_up + c.feedback_down),
    costPerResolvedUsd: ratio(c.cost_usd, resolved),
  };
  for (const [name, value] of Object.entries(rates)) if (value !== undefined) Object.assign(report, { [name]: value });
  return report;
}

/** Today's and this week's outcomes. */
export async function readOutcomeReport(store: Store, now: number, timeZone: string): Promise<OutcomeReport> {
  const { day, week } = outcomePeriods(now, timeZone);
  const [today, thisWeek] = await Promise.all([readOutcomePeriod(store, day), readOutcomePeriod(store, week)]);
  return { today, week: thisWeek };
}

/** Outcomes per day and per ISO week, newest first, for operators. */
export interface OutcomeHistory extends OutcomeReport {
  days: OutcomePeriodReport[];
  weeks: OutcomePeriodReport[];
}

/** The last `days` calendar days and `weeks` ISO weeks (each including the current one). */
export async function readOutcomeHistory(store: Store, now: number, timeZone: string, options: { days?: number; weeks?: number } = {}): Promise<OutcomeHistory> {
  const dayKeys: string[] = [];
  for (let i = 0; i < (options.days ?? 7); i++) dayKeys.push(periodOf(now - i * 86_400_000, timeZone).day);
  const weekKeys: string[] = [];
  for (let i = 0; i < (options.weeks ?? 4); i++) weekKeys.push(outcomePeriods(now - i * 7 * 86_400_000, timeZone).week);
  const [days, weeks] = await Promise.all([Promise.all(dayKeys.map((d) => readOutcomePeriod(store, d))), Promise.all(weekKeys.map((w) => readOutcomePeriod(store, w)))]);
  return { today: days[0] as OutcomePeriodReport, week: weeks[0] as OutcomePeriodReport, days, weeks };
}
