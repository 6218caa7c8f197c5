import { usd } from './format';
import type { OutcomePeriodReport } from '../ports';

const percent = (rate: number | undefined) => (rate === undefined ? '-' : `${Math.round(rate * 100)}%`);
const dollars = (amount: number | undefined) => (amount === undefined ? '-' : usd(amount));

/** Column headers of an outcome table (ops CLI and dashboard share them). */
export const OUTCOME_COLUMNS = ['PERIOD', 'ENDED', 'RESOLVED', 'ESCALATED', 'ABANDONED', 'AUTOMATION', 'FCR', 'ESCALATION', 'CSAT', 'COST/RESOLVED'] as const;

/** One period as table cells, in {@link OUTCOME_COLUMNS} order. */
export function outcomeCells(p: OutcomePeriodReport): string[] {
  return [
    p.period,
    String(p.conversations),
    String(p.resolvedByBot),
    `${p.escalated} (${p.escalatedResolved} by a human)`,
    String(p.abandoned),
    percent(p.automationRate),
    percent(p.firstContactResolutionRate),
    percent(p.escalationRate),
    p.feedbackUp + p.feedbackDown === 0 ? '-' : `${percent(p.csat)} (${p.feedbackUp}/${p.feedbackUp + p.feedbackDown})`,
    dollars(p.costPerResolvedUsd),
  ];
}
