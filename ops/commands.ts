import { formatAge, isoMinute, usd } from '../src/ops/format';
import type { ReadModel } from '../src/ops/read-model';
import { OUTCOME_COLUMNS, outcomeCells } from '../src/ops/outcome-table';
import { ROUTE_COLUMNS, ROUTE_DAY_COLUMNS, routeCells, routeDayCells } from '../src/ops/route-report';
import { parseTime, UsageError, type OpsArgs } from './cli-args';
import { renderPairs, renderTable } from './table';

/** What a command prints: data for `--json`, text for people. */
export interface CommandOutput {
  data: unknown;
  text: string;
}

export const OPS_USAGE = `Usage: npm run ops -- <command> [options] [--json]

Commands:
  status                                   counts, turns and latency of the last 24 h, breakers, spend
  approvals                                approvals waiting for a decision, then decided ones
  escalations                              hand-offs to humans: open, claimed, closed
  conversations [--user U] [--since 1d] [--limit N]
                                           conversations with outcome, steps and cost, most recent first
  transcript <session>                     one conversation, decrypted and redacted
  audit [--event E] [--user U] [--tool T] [--since 1h] [--until …] [--limit N]
                                           audit log search, newest first
  cost [--by user|model|day]               spend today and this month against the budgets
  outcomes                                 resolved, escalated, abandoned; automation, first-contact resolution,
                                           escalation rate, CSAT, cost per resolved conversation: per day and week
  routes [--days N]                        conversations routed to each specialist and hand-overs, per day (default 14 days)

Reads the bot's store and audit log (same configuration as npm start: environment and .env),
also while the bot runs. Showing text needs the bot's ENCRYPTION_KEY (or its DATA_DIR key file).
--json prints machine-readable JSON instead of tables.`;

/** Run one ops command against the read model. */
export async function runOpsCommand(rm: ReadModel, args: OpsArgs): Promise<CommandOutput> {
  const now = rm.now();
  const since = args.flags.has('since') ? parseTime(args.flags.get('since') as string, now) : undefined;
  switch (args.command) {
    case 'status': {
      const s = await rm.summary();
      const ms = (v: number | null) => (v === null ? 'n/a' : `${v} ms`);
      const text = renderPairs([
        ['Pending approvals', String(s.pendingApprovals)],
        ['Open escalations', String(s.openEscalations)],
        ['Conversations', String(s.conversations)],
        ['Turns (24 h)', `${s.turnsLast24h} (solved ${s.solvedLast24h}, escalated ${s.escalatedLast24h}, failed ${s.failedLast24h})`],
        ['Turn latency (24 h)', `p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}`],
        ['Breakers', s.breakers.length === 0 ? 'no state changes logged (all closed)' : s.breakers.map((b) => `${b.name} ${b.state} since ${b.since}`).join('; ')],
        ['Spend', `${usd(s.costTodayUsd)} today, ${usd(s.costMonthUsd)} this month`],
      ]);
      return { data: s, text };
    }
    case 'approvals': {
      const a = await rm.approvals();
      const pending = renderTable(
        ['ID', 'TOOL', 'ACTION', 'REQUESTER', 'WHO DECIDES', 'AGE', 'EXPIRES', 'SESSION'],
        a.pending.map((r) => [r.id, r.toolName, r.action, r.requester.displayName, r.deciders, formatAge(r.ageMs), isoMinute(r.expiresAt), r.sessionId]),
      );
      const decided = renderTable(
        ['ID', 'TOOL', 'ACTION', 'STATUS', 'BY', 'WHEN'],
        a.decided.map((r) => [r.id, r.toolName, r.action, r.status, r.decidedBy?.displayName ?? '-', isoMinute(r.decidedAt ?? r.expiresAt)]),
      );
      return { data: a, text: `Waiting (${a.pending.length})\n${pending}\n\nDecided (${a.decided.length})\n${decided}` };
    }
    case 'escalations': {
      const rows = await rm.escalations();
      const text = renderTable(
        ['ID', 'STATUS', 'TRIGGER', 'URGENCY', 'CUSTOMER', 'CLAIMED BY', 'AGE', 'SESSION'],
        rows.map((r) => [r.id, r.status, r.trigger, r.urgency, r.customer.displayName, r.claimedBy?.displayName ?? '-', formatAge(r.ageMs), r.sessionId]),
      );
      return { data: rows, text };
    }
    case 'conversations': {
      const user = args.flags.get('user');
      const limit = positiveInt(args.flags.get('limit') ?? '200');
      const rows = await rm.conversations({ ...(user ? { user } : {}), ...(since !== undefined ? { since } : {}), limit });
      const text = renderTable(
        ['SESSION', 'CUSTOMER', 'OUTCOME', 'TURNS', 'STEPS', 'COST', 'LAST ACTIVE', 'FEEDBACK'],
        rows.map((r) => [r.sessionId, r.customer?.displayName ?? '-', r.outcome, String(r.turns), String(r.steps), usd(r.costUsd), isoMinute(r.updatedAt), r.feedback ?? '-']),
      );
      return { data: rows, text };
    }
    case 'transcript': {
      const id = args.positional[0];
      if (!id) throw new UsageError('transcript needs a session id (see `npm run ops -- conversations`)');
      const t = await rm.transcript(id);
      if (!t) throw new UsageError(`no conversation ${id}`);
      const c = t.conversation;
      const head = `${c.sessionId}: ${c.customer?.displayName ?? 'unknown customer'}, ${c.outcome}, ${c.turns} turns, ${usd(c.costUsd)}`;
      const body = t.entries.map((e) => `${e.role}> ${e.text}${e.tools ? ` [calls ${e.tools.join(', ')}]` : ''}`).join('\n');
      return { data: t, text: `${head}\n\n${body}` };
    }
    case 'audit': {
      const limit = positiveInt(args.flags.get('limit') ?? '50');
      const until = args.flags.has('until') ? parseTime(args.flags.get('until') as string, now) : undefined;
      const lines = await rm.searchAudit({
        ...(args.flags.has('event') ? { event: args.flags.get('event') as string } : {}),
        ...(args.flags.has('user') ? { userId: args.flags.get('user') as string } : {}),
        ...(args.flags.has('tool') ? { tool: args.flags.get('tool') as string } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        limit,
      });
      const text = renderTable(
        ['TIME', 'EVENT', 'USER', 'TOOL', 'OK', 'SESSION'],
        lines.map((l) => [l.timestamp.slice(0, 19).replace('T', ' '), l.event, l.user_id ?? '-', l.tool_name ?? '-', l.success === undefined ? '-' : l.success ? 'yes' : 'no', l.session_id ?? '-']),
      );
      return { data: lines, text };
    }
    case 'cost': {
      const c = await rm.cost();
      const by = args.flags.get('by');
      if (by !== undefined && !['user', 'model', 'day'].includes(by)) throw new UsageError('--by must be user, model or day');
      const pct = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '');
      const head = renderPairs([
        [`Today (${c.day}, ${c.timezone})`, `${usd(c.todayUsd)}; per-user daily limit ${usd(c.limits.userDailyUsd)}, per-request ${usd(c.limits.requestUsd)}`],
        [`Month (${c.month})`, `${usd(c.monthUsd)} of ${usd(c.limits.monthlyUsd)}${pct(c.monthUsd, c.limits.monthlyUsd)}`],
      ]);
      if (!by) return { data: c, text: head };
      const lines = by === 'user' ? c.topUsers : by === 'model' ? c.byModel : c.byDay;
      return { data: lines, text: `${head}\n\n${renderTable([by.toUpperCase(), 'USD'], lines.map((l) => [l.label, usd(l.usd)]))}` };
    }
    case 'outcomes': {
      const o = await rm.outcomes();
      const text = `Per day\n${renderTable(OUTCOME_COLUMNS, o.days.map(outcomeCells))}\n\nPer ISO week\n${renderTable(OUTCOME_COLUMNS, o.weeks.map(outcomeCells))}`;
      return { data: o, text };
    }
    case 'routes': {
      const days = positiveInt(args.flags.get('days') ?? '14', '--days');
      if (days > MAX_ROUTE_DAYS) throw new UsageError(`--days must be at most ${MAX_ROUTE_DAYS}`);
      const r = await rm.routes(days);
      const text = `Per specialist (last ${r.days} days)\n${renderTable(ROUTE_COLUMNS, r.specialists.map(routeCells))}\n\nPer day (${r.timezone})\n${renderTable(ROUTE_DAY_COLUMNS, r.perDay.map(routeDayCells))}`;
      return { data: r, text };
    }
    case 'help':
      return { data: { usage: OPS_USAGE }, text: OPS_USAGE };
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}

/** The audit log is read whole; a year of days is plenty. */
const MAX_ROUTE_DAYS = 366;

function positiveInt(text: string, flag = '--limit'): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number`);
  return n;
}
