import type { OutcomePeriodReport, OutcomeReport, ReportSection } from '../ports';

const percent = (rate: number | undefined) => (rate === undefined ? 'n/a' : `${Math.round(rate * 100)}%`);
const dollars = (usd: number | undefined) => (usd === undefined ? 'n/a' : `$${usd.toFixed(usd !== 0 && usd < 0.01 ? 4 : 2)}`);

/** One period's outcomes as report lines (shared by /support status, the ops CLI and the dashboard). */
export function outcomeLines(p: OutcomePeriodReport): string[] {
  return [
    `Conversations ended: ${p.conversations} (resolved by the bot ${p.resolvedByBot}, escalated ${p.escalated} of which resolved by a human ${p.escalatedResolved}, abandoned ${p.abandoned})`,
    `Automation rate ${percent(p.automationRate)}, first-contact resolution ${percent(p.firstContactResolutionRate)}, escalation rate ${percent(p.escalationRate)}`,
    `CSAT ${percent(p.csat)} (${p.feedbackUp} up, ${p.feedbackDown} down), cost per resolved conversation ${dollars(p.costPerResolvedUsd)}`,
  ];
}

/** Today's and this week's outcomes as report sections. */
export function outcomeSections(report: OutcomeReport): ReportSection[] {
  return [
    { title: `Outcomes today (${report.today.period})`, lines: outcomeLines(report.today) },
    { title: `Outcomes this week (${report.week.period})`, lines: outcomeLines(report.week) },
  ];
}
