import { ROUTE_COLUMNS, ROUTE_DAY_COLUMNS, routeCells, routeDayCells, type RouteReport } from '../../src/ops/route-report';
import { html, type SafeHtml } from './html';

const HEADINGS: Record<(typeof ROUTE_COLUMNS)[number] | (typeof ROUTE_DAY_COLUMNS)[number], string> = {
  SPECIALIST: 'Specialist',
  ROUTED: 'Conversations routed',
  HOW: 'Decided by',
  'HAND-OVERS IN': 'Hand-overs to it',
  'HAND-OVERS OUT': 'Hand-overs away',
  DAY: 'Day',
  'HAND-OVERS': 'Hand-overs',
  'BY SPECIALIST': 'Routes and hand-overs per specialist',
};

function table(id: string, heading: string, columns: readonly (keyof typeof HEADINGS)[], rows: Array<{ key: string; cells: string[] }>, empty: string): SafeHtml {
  return html`<section aria-labelledby="h-${id}" id="${id}" data-live>
<h2 id="h-${id}">${heading}</h2>
${
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="scroll"><table>
<thead><tr>${columns.map((c) => html`<th scope="col">${HEADINGS[c]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr data-key="${r.key}">${r.cells.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
</table></div>`
}
</section>`;
}

/** Routes: which specialists conversations go to, how that was decided, and hand-overs per day. */
export function routesBody(r: RouteReport): SafeHtml {
  return html`${table(
    'specialists',
    `Per specialist (last ${r.days} days)`,
    ROUTE_COLUMNS,
    r.specialists.map((s) => ({ key: s.specialist, cells: routeCells(s) })),
    'No conversation was routed in this period (no specialists declared, or no new conversations).',
  )}
${table('route-days', `Per day (${r.timezone})`, ROUTE_DAY_COLUMNS, r.perDay.map((d) => ({ key: d.day, cells: routeDayCells(d) })), 'No days in the period.')}
<p class="note">A conversation is routed on its first message (keyword rules, the router model, the offline rules, or a fallback to general); a message that spans domains counts for each specialist it goes to. A hand-over is a transfer by a specialist or a later message whose rules name another specialist.</p>`;
}
