import type { EngineContext } from '../engine-context';
import { escalate } from '../escalation/escalation-flow';
import type { Caller } from '../ports';
import type { SessionState } from '../sessions/session-state';
import type { ApprovalRecord } from './approval-record';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type UnknownOutcomeDeps = Pick<EngineContext, 'config' | 'store' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'escalations' | 'memory' | 'registry'>;

/** What the model is told when an approved action may or may not have happened. */
export function unknownOutcomeResult(): Record<string, string> {
  return {
    unknown: "It is not known whether this action happened: it was interrupted and is not safe to repeat. Do not say it succeeded or failed and do not retry it; a teammate is verifying it by hand.",
  };
}

/**
 * An approved, non-idempotent tool started but recorded no outcome (crash or
 * lost write), so it is not run again. Say so honestly in the thread, ask
 * on-call to verify by hand (an escalation, which is re-sent until claimed;
 * an alert when humans already have the thread) and audit it.
 */
export async function reportUnknownOutcome(
  ctx: UnknownOutcomeDeps,
  session: SessionState,
  record: ApprovalRecord,
  requester: Caller,
  startedAt: number,
): Promise<void> {
  ctx.audit.write({
    event: 'tool_outcome_unknown',
    user_id: requester.userId,
    session_id: session.id,
    approval_id: record.id,
    tool_name: record.toolName,
    started_at: new Date(startedAt).toISOString(),
    success: false,
    error: 'interrupted_not_idempotent',
  });
  const action = `${record.action.charAt(0).toLowerCase()}${record.action.slice(1)}`;
  const reason = `Could not confirm whether an approved action ran: ${record.action} (tool ${record.toolName}, approval ${record.id}, started ${new Date(startedAt).toISOString()}). It was interrupted and is not safe to repeat automatically; check by hand and tell the customer`;
  if (session.handoff) {
    // Humans already have the thread; escalating again would be a no-op, so alert on-call directly.
    await ctx.channels.alertAll({ kind: 'tool_outcome_unknown', text: `${reason} (conversation already handed off, escalation ${session.handoff.escalationId}).` });
    await ctx.channels.post(session.conversation, { kind: 'notice', text: `I can't confirm whether the request to ${action} happened; a teammate will verify it.` });
    return;
  }
  await escalate(
    ctx,
    session,
    requester,
    { trigger: 'tool_outcome_unknown', urgency: 'high', reason },
    { reply: `I can't confirm whether the request to ${action} happened; a teammate will verify it and let you know.` },
  );
}
