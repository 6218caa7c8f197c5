import { countPendingApprovals } from '../approvals/approval-flow';
import type { EngineContext } from '../engine-context';
import { countOpenEscalations } from '../escalation/escalation-flow';
import type { CommandReply, CostReport, ModelHealth, StatusReport } from '../ports';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type StatusReportDeps = Pick<EngineContext, 'config' | 'store' | 'model' | 'registry' | 'resilience' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'memory' | 'version' | 'startedAt'>;

/** Health and activity, for /support status. */
export async function buildStatusReport(ctx: StatusReportDeps): Promise<StatusReport> {
  const stats = ctx.stats.snapshot();
  const [pendingApprovals, openEscalations] = await Promise.all([countPendingApprovals(ctx), countOpenEscalations(ctx)]);
  return {
    version: ctx.version,
    uptimeMs: ctx.clock.now() - ctx.startedAt,
    model: ctx.model.model,
    mode: ctx.model.mode,
    // Models built by bootstrap track their health; one injected bare is reported as never observed.
    modelHealth: ctx.model.health?.() ?? { state: ctx.model.mode === 'offline' ? 'ok' : 'unknown' },
    breakers: ctx.resilience.breakers(),
    activeSessions: stats.activeSessions,
    pendingApprovals,
    openEscalations,
    turnsLastHour: stats.turns,
    errorsLastHour: stats.errors,
    p50TurnMs: Math.round(stats.p50),
    p95TurnMs: Math.round(stats.p95),
  };
}

const usd = (n: number) => `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;
const pct = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '');

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

/** Render a reply's sections as plain text (console, fallbacks). */
export function toText(title: string, sections: CommandReply['sections']): string {
  return [title, ...sections.map((s) => [`${s.title}:`, ...s.lines.map((l) => `  ${l}`)].join('\n'))].join('\n');
}

/** One line for the model's health, with the last failure when there was one. */
function modelHealthLine(health: ModelHealth): string {
  const state = { ok: 'ok', unreachable: 'UNREACHABLE', unauthorized: 'API KEY REJECTED', unknown: 'not checked yet' }[health.state];
  const last = health.lastErrorAt === undefined ? '' : `; last error ${new Date(health.lastErrorAt).toISOString().replace(/\.\d+Z$/, 'Z')}${health.lastError ? ` (${health.lastError})` : ''}`;
  return `Model health: ${state}${last}`;
}

export function statusReply(report: StatusReport): CommandReply {
  const open = report.breakers.filter((b) => b.state !== 'closed');
  const sections = [
    {
      title: 'Service',
      lines: [
        `Version ${report.version}, up ${formatUptime(report.uptimeMs)}`,
        `Model: ${report.model} (${report.mode === 'offline' ? 'offline mode: built-in rules, no AI calls' : 'OpenAI-compatible API'})`,
        modelHealthLine(report.modelHealth),
        open.length === 0 ? 'Circuit breakers: all closed' : `Circuit breakers: ${open.map((b) => `${b.name} ${b.state}`).join(', ')}`,
      ],
    },
    {
      title: 'Activity (last hour)',
      lines: [
        `Turns: ${report.turnsLastHour}, errors: ${report.errorsLastHour}`,
        `Turn latency p50 ${report.p50TurnMs} ms, p95 ${report.p95TurnMs} ms`,
        `Active sessions: ${report.activeSessions}`,
      ],
    },
    { title: 'Waiting on humans', lines: [`Pending approvals: ${report.pendingApprovals}`, `Open escalations: ${report.openEscalations}`] },
  ];
  return { ok: true, title: 'Support bot status', sections, text: toText('Support bot status', sections) };
}

export function costReply(report: CostReport): CommandReply {
  const sections = [
    { title: 'Your usage today', lines: [`${usd(report.user.todayUsd)} of ${usd(report.user.dailyLimitUsd)} daily limit${pct(report.user.todayUsd, report.user.dailyLimitUsd)}`] },
  ];
  if (report.admin) {
    const a = report.admin;
    sections.push(
      { title: 'Month to date', lines: [`${usd(a.monthToDateUsd)} of ${usd(a.monthlyLimitUsd)} budget${pct(a.monthToDateUsd, a.monthlyLimitUsd)}`] },
      { title: 'Top users this month', lines: a.topUsers.length ? a.topUsers.map((l) => `${l.label}: ${usd(l.usd)}`) : ['No spend yet'] },
      { title: 'By model', lines: a.byModel.length ? a.byModel.map((l) => `${l.label}: ${usd(l.usd)}`) : ['No spend yet'] },
      { title: 'By day', lines: a.byDay.length ? a.byDay.map((l) => `${l.label}: ${usd(l.usd)}`) : ['No spend yet'] },
    );
  }
  return { ok: true, title: 'Support bot costs', sections, text: toText('Support bot costs', sections) };
}
