import type { OutcomeHistory } from '../../src/outcomes/outcome-counters';
import { OUTCOME_COLUMNS, outcomeCells } from '../../src/ops/outcome-table';
import type { OutcomePeriodReport } from '../../src/ports';
import { html, type SafeHtml } from './html';

const HEADINGS: Record<(typeof OUTCOME_COLUMNS)[number], string> = {
  PERIOD: 'Period',
  ENDED: 'Conversations ended',
  RESOLVED: 'Resolved by the bot',
  ESCALATED: 'Escalated',
  ABANDONED: 'Abandoned',
  AUTOMATION: 'Automation rate',
  FCR: 'First-contact resolution',
  ESCALATION: 'Escalation rate',
  CSAT: 'CSAT (thumbs up)',
  'COST/RESOLVED': 'Cost per resolved',
};

function table(id: string, heading: string, rows: OutcomePeriodReport[]): SafeHtml {
  return html`<section aria-labelledby="h-${id}" id="${id}" data-live>
<h2 id="h-${id}">${heading}</h2>
<div class="scroll"><table>
<thead><tr>${OUTCOME_COLUMNS.map((c) => html`<th scope="col">${HEADINGS[c]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr data-period="${r.period}">${outcomeCells(r).map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
</table></div>
</section>`;
}

/** Outcomes: how conversations ended and the rates support teams judge a bot by, per day and per ISO week. */
export function outcomesBody(o: OutcomeHistory): SafeHtml {
  return html`${table('days', 'Per day (last 7)', o.days)}
${table('weeks', 'Per ISO week (last 4)', o.weeks)}
<p class="note">A conversation is resolved when the person said so or went quiet after an answer (RESOLVED_AFTER_HOURS), abandoned when they went quiet after the bot asked something, escalated when a human was brought in (resolved when a human handed it back). CSAT is the share of thumbs up among feedback given that period.</p>`;
}
