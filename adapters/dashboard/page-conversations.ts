import { isoMinute, usd } from '../../src/ops/format';
import type { AuditLine } from '../../src/ops/audit-reader';
import type { ConversationRow, CostView, Transcript } from '../../src/ops/read-model-types';
import { html, type SafeHtml } from './html';
import { conversationHref } from './page-lists';

const OUTCOME_LABEL: Record<string, string> = {
  answered: 'answered',
  escalated: 'escalated',
  paused: 'waiting for approval',
  waiting_approval: 'waiting for approval',
  with_human: 'with a human',
  refused: 'refused',
  failed: 'failed',
  over_budget: 'over budget',
  handed_off: 'with a human',
  unknown: '—',
};

/** Conversation list with a user / since filter (GET form, so the URL can be shared). */
export function conversationsBody(rows: ConversationRow[], filter: { user: string; since: string }): SafeHtml {
  return html`<form class="filters" method="get" action="/dashboard/conversations" role="search" aria-label="Filter conversations">
<label>User id or name <input name="user" value="${filter.user}"></label>
<label>Active since <input name="since" value="${filter.since}" placeholder="1d, 12h or 2026-11-22"></label>
<button type="submit">Filter</button>
</form>
<section aria-labelledby="h-conv" id="conversations" data-live>
<h2 id="h-conv">${rows.length} conversation${rows.length === 1 ? '' : 's'}</h2>
${rows.length === 0 ? html`<p>No conversations match.</p>` : html`<div class="scroll"><table>
<thead><tr><th scope="col">Customer</th><th scope="col">Platform</th><th scope="col">Outcome</th><th scope="col">Turns</th><th scope="col">Steps</th><th scope="col">Cost</th><th scope="col">Feedback</th><th scope="col">Last active</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr><td><a href="${conversationHref(r.sessionId)}">${r.customer?.displayName ?? r.sessionId}</a></td><td>${r.platform}</td><td>${OUTCOME_LABEL[r.outcome] ?? r.outcome}</td><td>${r.turns}</td><td>${r.steps}</td><td>${usd(r.costUsd)}</td><td>${r.feedback ?? '—'}</td><td>${isoMinute(r.updatedAt)} UTC</td></tr>`,
      )}</tbody></table></div>`}
</section>`;
}

const ROLE_LABEL = { user: 'Customer', assistant: 'Bot', tool: 'Tool result', system: 'System' } as const;

/** One conversation, decrypted on the server and redacted. */
export function transcriptBody(t: Transcript): SafeHtml {
  const c = t.conversation;
  return html`<p><a href="/dashboard/conversations">← All conversations</a>${c.link ? html` · <a href="${c.link}" rel="noopener noreferrer" target="_blank">Open the thread</a>` : ''}</p>
<dl class="facts">
<div><dt>Customer</dt><dd>${c.customer ? `${c.customer.displayName} (${c.customer.userId}, ${c.customer.role})` : '—'}</dd></div>
<div><dt>Outcome</dt><dd>${OUTCOME_LABEL[c.outcome] ?? c.outcome}</dd></div>
<div><dt>Turns / steps</dt><dd>${c.turns} / ${c.steps}</dd></div>
<div><dt>Cost</dt><dd>${usd(c.costUsd)}</dd></div>
<div><dt>Feedback</dt><dd>${c.feedback ?? '—'}</dd></div>
<div><dt>Session</dt><dd><code>${c.sessionId}</code></dd></div>
</dl>
<section aria-labelledby="h-tr" id="transcript" data-live>
<h2 id="h-tr">Transcript</h2>
<p class="note">Decrypted on the server; emails, card numbers and secrets are redacted.</p>
<ol class="transcript">${t.entries.map(
    (e) => html`<li class="msg ${e.role}"><span class="who">${ROLE_LABEL[e.role]}</span><p>${e.text || (e.tools ? '' : '—')}</p>${e.tools ? html`<p class="tools">Calls ${e.tools.join(', ')}</p>` : ''}</li>`,
  )}</ol>
${t.actions.length > 0 ? html`<h2>What the bot did</h2><ul>${t.actions.map((a) => html`<li>${isoMinute(a.at)} UTC · <code>${a.tool}</code> ${a.outcome}: ${a.summary}</li>`)}</ul>` : ''}
</section>`;
}

const pct = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0);

/** Spend today and this month against each budget; per day, per model, top users. */
export function costBody(c: CostView): SafeHtml {
  const table = (caption: string, label: string, lines: CostView['byDay']) =>
    html`<div class="scroll"><table><caption>${caption}</caption><thead><tr><th scope="col">${label}</th><th scope="col">USD</th></tr></thead><tbody>${
      lines.length === 0 ? html`<tr><td colspan="2">No spend yet</td></tr>` : lines.map((l) => html`<tr><td>${l.label}</td><td>${usd(l.usd)}</td></tr>`)
    }</tbody></table></div>`;
  return html`<section aria-labelledby="h-budget" id="budget" data-live>
<h2 id="h-budget">Budgets (${c.timezone})</h2>
<ul class="cards">
<li class="card"><span class="k">Today, ${c.day}</span><span class="v">${usd(c.todayUsd)}</span><span class="d">per-user daily limit ${usd(c.limits.userDailyUsd)}; per-request ${usd(c.limits.requestUsd)}</span></li>
<li class="card ${pct(c.monthUsd, c.limits.monthlyUsd) >= 80 ? 'warn' : ''}"><span class="k">Month, ${c.month}</span><span class="v">${usd(c.monthUsd)}</span>
<label class="d">${pct(c.monthUsd, c.limits.monthlyUsd)}% of ${usd(c.limits.monthlyUsd)} <meter min="0" max="${c.limits.monthlyUsd}" value="${c.monthUsd}" high="${c.limits.monthlyUsd * 0.8}">${usd(c.monthUsd)}</meter></label></li>
</ul>
<div class="tables">
${table('Per day this month', 'Day', c.byDay)}
${table('Per model this month', 'Model', c.byModel)}
${table('Top users this month', 'User', c.topUsers)}
</div>
</section>`;
}

/** Audit search form and results (newest first). */
export function auditBody(lines: AuditLine[], query: { event: string; user: string; tool: string; since: string }, error: string | undefined): SafeHtml {
  const details = (l: AuditLine) => {
    const { event: _e, timestamp: _t, at: _a, user_id: _u, tool_name: _n, session_id: _s, log: _l, ...rest } = l;
    return JSON.stringify(rest);
  };
  return html`<form class="filters" method="get" action="/dashboard/audit" role="search" aria-label="Search the audit log">
<label>Event <input name="event" value="${query.event}" placeholder="tool_call"></label>
<label>User id <input name="user" value="${query.user}"></label>
<label>Tool <input name="tool" value="${query.tool}"></label>
<label>Since <input name="since" value="${query.since}" placeholder="1h, 1d or 2026-11-22"></label>
<button type="submit">Search</button>
</form>
${error ? html`<p role="alert" class="error">${error}</p>` : ''}
<section aria-labelledby="h-audit" id="audit" data-live>
<h2 id="h-audit">${lines.length} record${lines.length === 1 ? '' : 's'} (newest first)</h2>
<div class="scroll"><table class="audit">
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">Tool</th><th scope="col">OK</th><th scope="col">Details</th></tr></thead>
<tbody>${lines.map(
    (l) => html`<tr><td>${l.timestamp.slice(0, 19).replace('T', ' ')}</td><td>${l.event}</td><td>${l.user_id ?? '—'}</td><td>${l.tool_name ?? '—'}</td><td>${l.success === undefined ? '—' : l.success ? 'yes' : 'no'}</td><td><code class="details">${details(l)}</code></td></tr>`,
  )}</tbody></table></div>
</section>`;
}
