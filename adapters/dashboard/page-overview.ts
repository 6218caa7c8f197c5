import { usd } from '../../src/ops/format';
import type { OpsSummary } from '../../src/ops/read-model-types';
import type { StatusReport } from '../../src/ports';
import { html, type SafeHtml } from './html';

/** Live health from the running bot, when the dashboard is mounted inside it. */
export interface HealthView {
  ok: boolean;
  /** e.g. `{ store: 'ok', model: 'closed' }`. */
  checks?: Record<string, string>;
}

const ms = (v: number | null) => (v === null ? 'n/a' : `${v} ms`);

const CHARTS = [
  { key: 'turns', title: 'Turns' },
  { key: 'outcomes', title: 'Solved vs escalated' },
  { key: 'latency', title: 'Turn latency p50 / p95' },
  { key: 'errors', title: 'Error rate' },
] as const;

function charts(window: '24h' | '30d', heading: string): SafeHtml {
  return html`<section aria-labelledby="h-${window}">
<h2 id="h-${window}">${heading}</h2>
<div class="charts">${CHARTS.map(
    (c) => html`<figure class="chart-card"><figcaption>${c.title}</figcaption><div class="chart" data-chart="${c.key}" data-window="${window}" role="img" aria-label="${c.title}, ${heading}: loading"></div></figure>`,
  )}</div>
</section>`;
}

/** Overview: health, breakers, counts, and the charts over 24 h and 30 days (drawn by the page script from /dashboard/api/series). */
export function overviewBody(summary: OpsSummary, status: StatusReport | undefined, health: HealthView | undefined): SafeHtml {
  const breakers = status?.breakers ?? summary.breakers.map((b) => ({ name: b.name, state: b.state as StatusReport['breakers'][number]['state'] }));
  const open = breakers.filter((b) => b.state !== 'closed');
  return html`<section aria-labelledby="h-now" id="now" data-live>
<h2 id="h-now">Right now</h2>
<ul class="cards">
<li class="card ${health && !health.ok ? 'bad' : ''}"><span class="k">Health</span><span class="v">${health ? (health.ok ? 'Ready' : 'Not ready') : status ? 'Running' : 'Unknown'}</span>
${health?.checks ? html`<span class="d">${Object.entries(health.checks).map(([k, v]) => `${k}: ${v}`).join(', ')}</span>` : status ? html`<span class="d">v${status.version}, ${status.mode === 'offline' ? 'offline model' : status.model}</span>` : html`<span class="d">not mounted in the running bot</span>`}</li>
<li class="card ${open.length > 0 ? 'bad' : ''}"><span class="k">Circuit breakers</span><span class="v">${open.length === 0 ? 'All closed' : `${open.length} not closed`}</span>
<span class="d">${breakers.length === 0 ? 'no state changes' : breakers.map((b) => `${b.name}: ${b.state}`).join(', ')}</span></li>
<li class="card"><span class="k">Turns (24 h)</span><span class="v" data-testid="turns-24h">${summary.turnsLast24h}</span><span class="d">${summary.solvedLast24h} solved, ${summary.escalatedLast24h} escalated, ${summary.failedLast24h} failed</span></li>
<li class="card"><span class="k">Latency (24 h)</span><span class="v">${ms(summary.p95Ms)}</span><span class="d">p95; p50 ${ms(summary.p50Ms)}</span></li>
<li class="card ${summary.pendingApprovals > 0 ? 'warn' : ''}"><span class="k">Approvals waiting</span><span class="v"><a href="/dashboard/approvals">${summary.pendingApprovals}</a></span></li>
<li class="card ${summary.openEscalations > 0 ? 'warn' : ''}"><span class="k">Open escalations</span><span class="v"><a href="/dashboard/escalations">${summary.openEscalations}</a></span></li>
<li class="card"><span class="k">Spend</span><span class="v">${usd(summary.costTodayUsd)}</span><span class="d">today; ${usd(summary.costMonthUsd)} this month</span></li>
</ul>
</section>
<div id="charts">
${charts('24h', 'Last 24 hours (per hour)')}
${charts('30d', 'Last 30 days (per day)')}
</div>`;
}
