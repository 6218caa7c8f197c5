import { approvalRecordSchema, type ApprovalRecord } from '../approvals/approval-record';
import { scrubDeep, scrubText } from '../audit/redact';
import { truncate } from '../text/truncate';
import { spendKeys, type BudgetLimits } from '../budget/budget-guard';
import { buildCostReport } from '../budget/cost-report';
import { periodOf } from '../budget/periods';
import { readOutcomeHistory, type OutcomeHistory } from '../outcomes/outcome-counters';
import { escalationRecordSchema, type EscalationRecord } from '../escalation/escalation-record';
import { decidersText } from '../policy/approval-policy';
import type { Store } from '../ports';
import { parseWith } from '../sessions/sealed-collection';
import type { Sealer } from '../sessions/sealer';
import { migrateSession, type SessionState } from '../sessions/session-state';
import { AuditLogReader, searchAudit, type AuditLine, type AuditQuery } from './audit-reader';
import type { ApprovalRow, ConversationOutcome, ConversationRow, CostView, EscalationRow, OpsSummary, Transcript, TranscriptEntry } from './read-model-types';
import { routeReport, type RouteReport } from './route-report';
import { EncryptionKeyMismatchError, readSealed } from './sealed-records';
import { threadLink } from './thread-link';
import { buildSeries, percentile, SERIES_WINDOWS, turnsFromAudit, type SeriesPoint, type SeriesWindow, type TurnSample } from './turn-series';

export interface ReadModelOptions {
  /** The bot's store (opened with `createStore`), read only. */
  store: Store;
  /** Sealer over the bot's encryption key. */
  sealer: Sealer;
  /** The bot's audit log (`DATA_DIR/audit.log`). */
  auditLogPath: string;
  budget: BudgetLimits;
  now: () => number;
}

export interface ConversationFilter {
  /** Customer user id or display name. */
  user?: string;
  /** Only conversations active at or after this epoch ms. */
  since?: number;
  /** Most rows returned, most recent first. Default 200. */
  limit?: number;
}

/**
 * What operators see, read from the same store and audit log the bot writes,
 * also while it runs. Platform-free: the dashboard and the ops CLI both render it.
 * Text comes back decrypted and redacted; nothing here writes.
 */
export class ReadModel {
  private readonly audit: AuditLogReader;

  constructor(private readonly options: ReadModelOptions) {
    this.audit = new AuditLogReader({ path: options.auditLogPath, now: options.now });
  }

  now(): number {
    return this.options.now();
  }

  /** Conversation outcomes and rates per day (last 7) and per ISO week (last 4), newest first. */
  outcomes(): Promise<OutcomeHistory> {
    return readOutcomeHistory(this.options.store, this.options.now(), this.options.budget.timezone);
  }

  /** Pending approvals (oldest first), then decided ones (newest first). */
  async approvals(): Promise<{ pending: ApprovalRow[]; decided: ApprovalRow[] }> {
    const records = await readSealed(this.options.store, this.options.sealer, 'approval:', parseWith(approvalRecordSchema));
    const rows = records.map((r) => this.approvalRow(r));
    return {
      pending: rows.filter((r) => r.status === 'pending').sort((a, b) => a.createdAt - b.createdAt),
      decided: rows.filter((r) => r.status !== 'pending').sort((a, b) => (b.decidedAt ?? b.expiresAt) - (a.decidedAt ?? a.expiresAt)),
    };
  }

  /** Open and claimed escalations first (oldest first), then closed ones. */
  async escalations(): Promise<EscalationRow[]> {
    const records = await readSealed(this.options.store, this.options.sealer, 'escalation:', parseWith(escalationRecordSchema));
    const rank = { open: 0, claimed: 1, closed: 2 } as const;
    return records.map((r) => this.escalationRow(r)).sort((a, b) => rank[a.status] - rank[b.status] || a.createdAt - b.createdAt);
  }

  /** Conversations, most recently active first. */
  async conversations(filter: ConversationFilter = {}): Promise<ConversationRow[]> {
    const [sessions, lines] = await Promise.all([this.sessions(), this.audit.lines()]);
    const turns = turnsBySession(turnsFromAudit(lines));
    const feedback = feedbackBySession(lines);
    const wanted = sessions.filter((s) => {
      if (filter.since !== undefined && s.updatedAt < filter.since) return false;
      if (filter.user && s.customer?.userId !== filter.user && s.customer?.displayName !== filter.user) return false;
      return true;
    });
    // Cost is one store read per row: only for the rows shown.
    const shown = wanted.sort((a, b) => b.updatedAt - a.updatedAt).slice(0, filter.limit ?? 200);
    return Promise.all(shown.map((s) => this.conversationRow(s, turns.get(s.id) ?? [], feedback.get(s.id))));
  }

  /** One conversation decrypted on the server and redacted; undefined when there is no such session. */
  async transcript(sessionId: string): Promise<Transcript | undefined> {
    const session = await this.session(sessionId);
    if (!session) return undefined;
    const lines = await this.audit.lines();
    const turns = turnsFromAudit(lines).filter((t) => t.sessionId === sessionId);
    const conversation = await this.conversationRow(session, turns, feedbackBySession(lines).get(sessionId));
    const entries: TranscriptEntry[] = session.history.flatMap((m): TranscriptEntry[] => {
      if (m.role === 'system') return [];
      if (m.role === 'assistant') {
        const tools = m.toolCalls?.map((c) => c.name);
        return [{ role: 'assistant', text: scrubText(m.content ?? ''), ...(tools?.length ? { tools } : {}) }];
      }
      // Tool results can be long JSON; the gist is enough to follow the conversation.
      if (m.role === 'tool') return [{ role: 'tool', text: truncate(scrubText(m.content), 600) }];
      return [{ role: 'user', text: scrubText(m.content) }];
    });
    const actions = session.actions.map((a) => ({ ...a, summary: scrubText(a.summary) }));
    return { conversation, entries, actions };
  }

  /** Spend today and this month against each budget, per day, per model, top users. */
  async cost(): Promise<CostView> {
    const { store, budget } = this.options;
    const now = this.now();
    const period = periodOf(now, budget.timezone);
    const report = await buildCostReport({ store, limits: budget, now, userKey: '', isAdmin: true, topN: 10 });
    const todayUsd = await store.counter(spendKeys.day(period.day));
    return {
      timezone: budget.timezone,
      day: period.day,
      month: period.month,
      todayUsd: Math.round(todayUsd * 1e6) / 1e6,
      monthUsd: report.admin?.monthToDateUsd ?? 0,
      limits: { requestUsd: budget.requestUsd, userDailyUsd: budget.userDailyUsd, monthlyUsd: budget.monthlyUsd },
      byDay: report.admin?.byDay ?? [],
      byModel: report.admin?.byModel ?? [],
      topUsers: report.admin?.topUsers ?? [],
    };
  }

  /** Audit lines matching the query, newest first, sealed fields masked. */
  async searchAudit(query: AuditQuery): Promise<AuditLine[]> {
    return searchAudit(await this.audit.lines(), query);
  }

  /** Routes per specialist and hand-overs per day over the last `days` days (from the `route` audit events). */
  async routes(days = 14): Promise<RouteReport> {
    return routeReport(await this.audit.lines(), { now: this.now(), days, timezone: this.options.budget.timezone });
  }

  /** Turns per bucket, solved vs escalated, latency percentiles and error rate. */
  async series(window: SeriesWindow): Promise<SeriesPoint[]> {
    return buildSeries(turnsFromAudit(await this.audit.lines()), { now: this.now(), ...SERIES_WINDOWS[window] });
  }

  /** Counts for the overview page and `ops status`. */
  async summary(): Promise<OpsSummary> {
    const [approvals, escalations, conversations, lines, cost] = await Promise.all([this.approvals(), this.escalations(), this.countSessions(), this.audit.lines(), this.cost()]);
    const since = this.now() - 86_400_000;
    const recent = turnsFromAudit(lines).filter((t) => t.at >= since);
    const latencies = recent.flatMap((t) => (t.latencyMs === undefined ? [] : [t.latencyMs])).sort((a, b) => a - b);
    const breakers = new Map<string, { name: string; state: string; since: string }>();
    for (const line of lines) {
      if (line.event === 'breaker_state' && typeof line.breaker === 'string') breakers.set(line.breaker, { name: line.breaker, state: String(line.state), since: line.timestamp });
    }
    return {
      pendingApprovals: approvals.pending.length,
      openEscalations: escalations.filter((e) => e.status !== 'closed').length,
      conversations,
      turnsLast24h: recent.length,
      solvedLast24h: recent.filter((t) => t.outcome === 'answered').length,
      escalatedLast24h: recent.filter((t) => t.outcome === 'escalated' || t.outcome === 'handed_off').length,
      failedLast24h: recent.filter((t) => t.outcome === 'failed').length,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      breakers: [...breakers.values()],
      costTodayUsd: cost.todayUsd,
      costMonthUsd: cost.monthUsd,
    };
  }

  /** Counted without decrypting: the overview polls this every few seconds. */
  private async countSessions(): Promise<number> {
    let count = 0;
    for await (const [, value] of this.options.store.scan<{ sealed?: unknown }>('session:')) if (typeof value?.sealed === 'string') count += 1;
    return count;
  }

  /** One session by id; a record the key cannot open is an error, not "not found". */
  private async session(id: string): Promise<SessionState | undefined> {
    const envelope = await this.options.store.get<{ sealed?: unknown }>(`session:${id}`);
    if (!envelope || typeof envelope.sealed !== 'string') return undefined;
    let raw: unknown;
    try {
      raw = this.options.sealer.open(envelope.sealed, `session:${id}`);
    } catch {
      throw new EncryptionKeyMismatchError('session:', 1);
    }
    return migrateSession(raw);
  }

  private sessions(): Promise<SessionState[]> {
    return readSealed(this.options.store, this.options.sealer, 'session:', migrateSession);
  }

  private approvalRow(r: ApprovalRecord): ApprovalRow {
    const link = threadLink(r.conversation);
    return {
      id: r.id,
      sessionId: r.sessionId,
      toolName: r.toolName,
      action: scrubText(r.action),
      requester: { userId: r.requester.userId, displayName: r.requester.displayName },
      deciders: decidersText(r.requirement, r.requester),
      status: r.status,
      createdAt: r.createdAt,
      ageMs: Math.max(0, this.now() - r.createdAt),
      expiresAt: r.expiresAt,
      ...(r.decidedBy ? { decidedBy: { userId: r.decidedBy.userId, displayName: r.decidedBy.displayName } } : {}),
      ...(r.decidedAt !== undefined ? { decidedAt: r.decidedAt } : {}),
      conversation: r.conversation,
      ...(link ? { link } : {}),
    };
  }

  private escalationRow(r: EscalationRecord): EscalationRow {
    const link = r.permalink ?? threadLink(r.conversation);
    return {
      id: r.id,
      sessionId: r.sessionId,
      status: r.status,
      trigger: r.trigger,
      reason: scrubText(r.reason),
      urgency: r.urgency,
      customer: { userId: r.customer.userId, displayName: r.customer.displayName },
      ...(r.claimedBy ? { claimedBy: r.claimedBy } : {}),
      createdAt: r.createdAt,
      ageMs: Math.max(0, this.now() - r.createdAt),
      notifications: r.notifications,
      conversation: r.conversation,
      ...(link ? { link } : {}),
    };
  }

  private async conversationRow(s: SessionState, turns: readonly TurnSample[], feedback: string | undefined): Promise<ConversationRow> {
    const costUsd = await this.options.store.counter(spendKeys.session(s.id));
    const link = threadLink(s.conversation);
    return {
      sessionId: s.id,
      platform: s.conversation.platform,
      ...(s.customer ? { customer: { userId: s.customer.userId, displayName: s.customer.displayName, role: s.customer.role } } : {}),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      turns: s.turns,
      steps: turns.reduce((sum, t) => sum + t.steps, 0),
      costUsd: Math.round(costUsd * 1e6) / 1e6,
      outcome: outcomeOf(s, turns.at(-1)),
      ...(feedback ? { feedback } : {}),
      ...(link ? { link } : {}),
    };
  }
}

/** Where the conversation stands now wins over how its last turn ended. */
function outcomeOf(session: SessionState, last: TurnSample | undefined): ConversationOutcome {
  if (session.handoff) return 'with_human';
  if (session.paused) return 'waiting_approval';
  return last?.outcome ?? 'unknown';
}

function turnsBySession(turns: readonly TurnSample[]): Map<string, TurnSample[]> {
  const map = new Map<string, TurnSample[]>();
  for (const turn of turns) {
    const list = map.get(turn.sessionId);
    if (list) list.push(turn);
    else map.set(turn.sessionId, [turn]);
  }
  return map;
}

/** Latest `feedback` line per session (rating and/or comment), tolerant of its exact shape. */
function feedbackBySession(lines: readonly AuditLine[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    if (line.event !== 'feedback' || !line.session_id) continue;
    const parts = [line.rating, line.value, line.comment].filter((v) => v !== undefined && v !== null).map((v) => String(scrubDeep(v)));
    if (parts.length > 0) map.set(line.session_id, parts.join(': '));
  }
  return map;
}
