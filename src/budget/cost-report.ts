import type { CostReport, SpendLine, Store } from '../ports';
import type { BudgetLimits } from './budget-guard';
import { spendKeys } from './budget-guard';
import { daysOfMonthUntil, periodOf } from './periods';

export interface CostReportInput {
  store: Store;
  limits: BudgetLimits;
  now: number;
  userKey: string;
  isAdmin: boolean;
  /** How many users the admin view lists. */
  topN?: number;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** The caller's spend today; for admins also month-to-date, top users, per model and per day. */
export async function buildCostReport(input: CostReportInput): Promise<CostReport> {
  const { store, limits } = input;
  const period = periodOf(input.now, limits.timezone);
  const todayUsd = await store.counter(spendKeys.userDay(period.day, input.userKey));
  const report: CostReport = { user: { userId: input.userKey, todayUsd: round(todayUsd), dailyLimitUsd: limits.userDailyUsd } };
  if (!input.isAdmin) return report;

  const users: string[] = [];
  for await (const [, value] of store.scan<{ userKey: string }>(`spender:${period.month}:`)) users.push(value.userKey);
  const models: string[] = [];
  for await (const [, value] of store.scan<{ model: string }>(`model-used:${period.month}:`)) models.push(value.model);
  const days = daysOfMonthUntil(period.month, period.day);

  const [monthToDate, userSpend, modelSpend, daySpend] = await Promise.all([
    store.counter(spendKeys.month(period.month)),
    Promise.all(users.map(async (u): Promise<SpendLine> => ({ label: u, usd: round(await store.counter(spendKeys.userMonth(period.month, u))) }))),
    Promise.all(models.map(async (m): Promise<SpendLine> => ({ label: m, usd: round(await store.counter(spendKeys.modelMonth(period.month, m))) }))),
    Promise.all(days.map(async (d): Promise<SpendLine> => ({ label: d, usd: round(await store.counter(spendKeys.day(d))) }))),
  ]);
  const byUsd = (a: SpendLine, b: SpendLine) => b.usd - a.usd || a.label.localeCompare(b.label);
  report.admin = {
    monthToDateUsd: round(monthToDate),
    monthlyLimitUsd: limits.monthlyUsd,
    topUsers: userSpend.sort(byUsd).slice(0, input.topN ?? 5),
    byModel: modelSpend.sort(byUsd),
    byDay: daySpend.filter((line) => line.usd > 0),
  };
  return report;
}
