import type { Alert, ApprovalView, CommandReply, EscalationView, OutboundMessage, ReplyControls } from '../../src/ports';
import type { Style } from './console-output';

/** Applies a text style; identity when colour is off. */
export type Paint = (style: Style, text: string) => string;

/** The label in front of everything the bot says. */
export const BOT_LABEL = 'bot>';
/** The mark in front of every line meant for on-call staff. */
export const ONCALL_LABEL = '[on-call]';

/**
 * The engine writes Markdown for chat apps; a terminal shows it as plain text
 * (bold kept as bold when colour is on). Ids are full of underscores
 * (`ch_3005`, `esc_a_b_`), so `_italic_` only counts when it opens after a
 * space and closes before a space or sentence punctuation.
 */
export function plainMarkdown(text: string, paint: Paint): string {
  return text
    .replace(/\*\*([^*\n]+)\*\*/g, (_, inner: string) => paint('bold', inner))
    .replace(/(^|[^\w*])\*([^*\n]+)\*(?=[^\w*]|$)/g, '$1$2')
    .replace(/(^|\s)_([^\s_](?:[^\n]*?[^\s])?)_(?=[\s.,;:!?]|$)/g, '$1$2')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/\[([^\]\n]+)\]\((https?:[^)\s]+)\)/g, '$1 ($2)');
}

/** Prefix the first line with `label` and indent the rest under it, so multi-line replies stay readable. */
export function labelled(label: string, text: string, visibleLabelWidth = label.length): string {
  const pad = ' '.repeat(visibleLabelWidth + 1);
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `${label} ${line}` : line === '' ? '' : `${pad}${line}`))
    .join('\n');
}

/** A message from the bot: replies plain, notices dimmed, errors red (with colour). */
export function formatBotMessage(message: OutboundMessage, paint: Paint): string {
  const body = plainMarkdown(message.text, paint);
  const styled = message.kind === 'error' ? paint('red', body) : body;
  return labelled(paint('bold', BOT_LABEL), styled, BOT_LABEL.length);
}

/** The commands that work a final answer's controls, e.g. `(/good · /bad [why] · /human · /solved)`. */
export function controlsHint(controls: ReplyControls): string {
  const commands = [
    ...(controls.feedback ? ['/good', '/bad [why]'] : []),
    ...(controls.talkToHuman ? ['/human'] : []),
    ...(controls.solved ? ['/solved'] : []),
  ];
  return commands.length > 0 ? `(${commands.join(' · ')})` : '';
}

/** `chargeId=ch_3006 amountUsd=29 reason="Duplicate charge"`: short, unambiguous arguments. */
export function formatArgs(args: Record<string, unknown>): string {
  const parts = Object.entries(args).map(([key, value]) => {
    const shown = typeof value === 'string' && /^[\w.@:/-]+$/.test(value) ? value : JSON.stringify(value);
    return `${key}=${shown}`;
  });
  return parts.length > 0 ? parts.join(' ') : '(none)';
}

/** "in 15 min (14:05)" or "expired". */
export function formatExpiry(expiresAt: number, now: number): string {
  const ms = expiresAt - now;
  if (ms <= 0) return 'expired';
  const at = new Date(expiresAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const inWords = ms < 60_000 ? `${Math.ceil(ms / 1000)} s` : ms < 2 * 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`;
  return `in ${inWords} (at ${at})`;
}

/** Example decider for the hint line: requesters confirm themselves; others need someone with the role. */
function decideHint(view: ApprovalView): string {
  if (view.requirement === 'requester') return `/approve ${view.id} to confirm, /deny ${view.id} to cancel (as ${view.requester.displayName})`;
  const as = view.requirement === 'admin' ? 'dana:admin' : 'dana:staff';
  return `/approve ${view.id} as ${as}  or  /deny ${view.id} as ${as}`;
}

/** The approval card: what will happen, with what, who asked, who may decide, until when, and how. */
export function formatApprovalCard(view: ApprovalView, now: number, paint: Paint): string {
  const rows: Array<[string, string]> = [
    ['action', view.action],
    ['tool', `${view.toolName} ${formatArgs(view.args)}`],
    ['requested by', view.requester.displayName],
    ['who decides', view.decidersText],
    ['expires', formatExpiry(view.expiresAt, now)],
    ['decide', decideHint(view)],
  ];
  const head = paint('yellow', `[approval ${view.id}]`) + ' ' + paint('bold', 'waiting for a decision');
  return [head, ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(14)}${v}`)].join('\n');
}

/** One line after a decision or expiry. */
export function formatApprovalUpdate(view: ApprovalView, paint: Paint): string {
  const by = view.decidedBy ? ` by ${view.decidedBy.displayName}` : '';
  const what =
    view.status === 'approved'
      ? paint('green', `approved${by}`)
      : view.status === 'denied'
        ? paint('red', `denied${by}`)
        : view.status === 'expired'
          ? paint('red', 'expired without a decision, nothing was done')
          : 'waiting for a decision';
  return `${paint('yellow', `[approval ${view.id}]`)} ${what}: ${view.action}`;
}

/** Tool and outcome of each step, without the raw JSON results the summary carries. */
function stepNames(steps: string[]): string {
  if (steps.length === 0) return 'none';
  const shown = steps.slice(-8).map((step) => step.split(' — ')[0] ?? step);
  return (steps.length > 8 ? `(${steps.length - 8} earlier), ` : '') + shown.join(', ');
}

/** Prefix every line with the on-call mark so staff output cannot be mistaken for the conversation. */
function oncall(lines: string[], paint: Paint): string {
  return lines.map((line) => `${paint('magenta', ONCALL_LABEL)} ${line}`).join('\n');
}

/** The escalation notice: summary, urgency, customer, steps, pending work and how to claim it. */
export function formatOncallNotice(view: EscalationView, paint: Paint): string {
  const reminder = view.notifications > 1 ? ` (reminder ${view.notifications}: still unclaimed)` : '';
  const urgency = view.urgency === 'high' || view.urgency === 'urgent' ? paint('red', view.urgency.toUpperCase()) : view.urgency;
  return oncall(
    [
      `${paint('bold', `Escalation ${view.id}`)}${reminder}, urgency ${urgency}: ${view.reason}`,
      `  customer: ${view.customer.displayName} (${view.customer.role}), trigger: ${view.trigger}, thread: ${view.conversation.threadId}`,
      ...view.summary.split('\n').map((line) => `  ${plainMarkdown(line, paint)}`),
      `  steps taken: ${stepNames(view.stepsTaken)}`,
      `  pending: ${view.pending.length > 0 ? view.pending.join(', ') : 'none'}`,
      `  claim it: /claim ${view.id} as dana:staff (then /handback as dana:staff gives the thread back to the bot)`,
    ],
    paint,
  );
}

/** One line when an escalation is claimed or handed back. */
export function formatOncallUpdate(view: EscalationView, paint: Paint): string {
  const what =
    view.status === 'claimed'
      ? `claimed by ${view.claimedBy?.displayName ?? 'staff'}`
      : view.status === 'closed'
        ? 'closed: handed back to the bot'
        : 'open, waiting for someone to claim it';
  return oncall([`Escalation ${view.id} ${what}`], paint);
}

/** An operational alert (budget thresholds). */
export function formatAlert(alert: Alert, paint: Paint): string {
  return oncall([`${paint('red', 'ALERT')} ${alert.text}`], paint);
}

/** A command's answer; refusals become one error line. Slack's `/support x` reads `/x` here. */
export function formatCommandReply(reply: CommandReply, paint: Paint): string {
  const local = (text: string) => text.replace(/\/support /g, '/');
  if (!reply.ok) return formatError(local(reply.sections.flatMap((s) => s.lines).join(' ')), paint);
  return [paint('bold', reply.title), ...reply.sections.map((s) => [`${s.title}:`, ...s.lines.map((l) => `  ${local(l)}`)].join('\n'))].join('\n');
}

/** A one-line problem with what the operator typed. */
export function formatError(message: string, paint: Paint): string {
  return `${paint('red', 'error:')} ${message}`;
}

/** A one-line note from the console itself (speaker switched, new thread). */
export function formatInfo(message: string, paint: Paint): string {
  return paint('dim', `-- ${message}`);
}
