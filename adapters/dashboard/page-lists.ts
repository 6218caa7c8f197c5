import { formatAge, isoMinute } from '../../src/ops/format';
import type { ApprovalRow, EscalationRow } from '../../src/ops/read-model-types';
import { html, type SafeHtml } from './html';

export const conversationHref = (sessionId: string) => `/dashboard/conversations/${encodeURIComponent(sessionId)}`;

/** Link to the platform thread when there is one, and always to the transcript here. */
export function threadLinks(sessionId: string, link: string | undefined): SafeHtml {
  return html`<a href="${conversationHref(sessionId)}">transcript</a>${link ? html` · <a href="${link}" rel="noopener noreferrer" target="_blank">thread</a>` : ''}`;
}

/** Approvals waiting (oldest first) and decided. */
export function approvalsBody(a: { pending: ApprovalRow[]; decided: ApprovalRow[] }): SafeHtml {
  return html`<section aria-labelledby="h-wait" id="pending" data-live>
<h2 id="h-wait">Waiting for a decision (${a.pending.length})</h2>
${a.pending.length === 0 ? html`<p>No approvals waiting.</p>` : html`<div class="scroll"><table>
<thead><tr><th scope="col">Tool</th><th scope="col">Action</th><th scope="col">Requested by</th><th scope="col">Who may decide</th><th scope="col">Age</th><th scope="col">Expires</th><th scope="col">Links</th></tr></thead>
<tbody>${a.pending.map(
        (r) => html`<tr data-approval="${r.id}"><td><code>${r.toolName}</code></td><td>${r.action}</td><td>${r.requester.displayName}</td><td>${r.deciders}</td><td>${formatAge(r.ageMs)}</td><td>${isoMinute(r.expiresAt)} UTC</td><td>${threadLinks(r.sessionId, r.link)}</td></tr>`,
      )}</tbody></table></div>`}
<p class="note">Decisions are made in Slack or Discord, where roles come from the platform.</p>
</section>
<section aria-labelledby="h-decided" id="decided" data-live>
<h2 id="h-decided">Decided (${a.decided.length})</h2>
${a.decided.length === 0 ? html`<p>None yet.</p>` : html`<div class="scroll"><table>
<thead><tr><th scope="col">Tool</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">When</th><th scope="col">Links</th></tr></thead>
<tbody>${a.decided.map(
        (r) => html`<tr><td><code>${r.toolName}</code></td><td>${r.action}</td><td>${r.status}</td><td>${r.decidedBy?.displayName ?? '—'}</td><td>${isoMinute(r.decidedAt ?? r.expiresAt)} UTC</td><td>${threadLinks(r.sessionId, r.link)}</td></tr>`,
      )}</tbody></table></div>`}
</section>`;
}

/** Escalations: open and claimed first. */
export function escalationsBody(rows: EscalationRow[]): SafeHtml {
  return html`<section aria-labelledby="h-esc" id="escalations" data-live>
<h2 id="h-esc" class="visually-hidden">All escalations</h2>
${rows.length === 0 ? html`<p>No escalations.</p>` : html`<div class="scroll"><table>
<thead><tr><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Urgency</th><th scope="col">Customer</th><th scope="col">Reason</th><th scope="col">Claimed by</th><th scope="col">Age</th><th scope="col">Links</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr data-escalation="${r.id}"><td>${r.status}</td><td>${r.trigger}</td><td>${r.urgency}</td><td>${r.customer.displayName}</td><td>${r.reason}</td><td>${r.claimedBy?.displayName ?? '—'}</td><td>${formatAge(r.ageMs)}</td><td>${threadLinks(r.sessionId, r.link)}</td></tr>`,
      )}</tbody></table></div>`}
</section>`;
}
