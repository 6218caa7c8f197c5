import { dueIndexes, markerKeys, type EngineContext } from '../engine-context';
import { newId } from '../ids';
import { hasRole } from '../policy/roles';
import type { Caller, ClaimOutcome, ConversationRef, HandbackOutcome, MessageRef } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { escalationView, type EscalationRecord } from './escalation-record';
import { buildHandoffSummary } from './handoff-summary';
import { recordEscalated, recordSolved } from '../memory/memory-flow';
import { describeError } from '../errors';
import type { DetectedEscalation } from './triggers';
import { decideOutcome, noteEscalated } from '../outcomes/outcome-flow';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type EscalationFlowDeps = Pick<EngineContext, 'config' | 'store' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'escalations' | 'memory' | 'registry'>;

/** How long escalation records and their markers are kept. */
export const RETENTION_MS = 30 * 86_400_000;

const DELIVERY_RETRY_MS = 60_000;

/**
 * Hand the conversation to humans: write the summary, notify on-call, tell
 * the thread, and put the session in hand-off so the bot stays quiet. Runs
 * inside the session's turn; a conversation already handed off is left as is.
 */
export async function escalate(
  ctx: EscalationFlowDeps,
  session: SessionState,
  caller: Caller,
  detected: DetectedEscalation,
  options: { permalink?: string; reply?: string } = {},
): Promise<EscalationRecord | undefined> {
  if (session.handoff) return ctx.escalations.get(session.handoff.escalationId);
  const now = ctx.clock.now();
  const pending = session.paused ? session.paused.pending.map((p) => `${p.toolName} (approval ${p.approvalId})`) : [];
  const handoff = buildHandoffSummary(session, detected.reason, pending);
  const customer = session.customer ?? caller;
  const record: EscalationRecord = {
    v: 1,
    id: newId('esc'),
    sessionId: session.id,
    conversation: session.conversation,
    ...(options.permalink ? { permalink: options.permalink } : {}),
    customer,
    trigger: detected.trigger,
    reason: detected.reason,
    urgency: detected.urgency,
    summary: handoff.summary,
    stepsTaken: handoff.stepsTaken,
    pending: handoff.pending,
    status: 'open',
    createdAt: now,
    lastNotifiedAt: now,
    // Counted once the notice got through.
    notifications: 0,
    deliveryAttempts: 1,
  };
  session.handoff = { escalationId: record.id, since: now };
  await recordEscalated(ctx, session, caller);
  noteEscalated(ctx, session);
  await ctx.escalations.put(record.id, record, RETENTION_MS);
  await ctx.store.schedule(dueIndexes.activeEscalations, record.id, now);
  ctx.audit.write({
    event: 'escalation',
    user_id: caller.userId,
    session_id: session.id,
    escalation_id: record.id,
    trigger: detected.trigger,
    urgency: detected.urgency,
    reason: detected.reason,
    success: true,
  });
  const notice = await ctx.channels.notifyOncall(escalationView(record));
  if (notice) {
    // A claim may already have landed (fast on-call): add the ref, keep the rest.
    const delivered = await ctx.escalations.update(record.id, (current) => current && markDelivered(current, notice, now), RETENTION_MS);
    if (delivered) Object.assign(record, delivered);
    // Claimed before the ref was saved: the claimer could not update the notice, so do it now.
    if (delivered && delivered.status !== 'open') await ctx.channels.updateOncall(notice, escalationView(delivered));
    else await ctx.store.schedule(dueIndexes.escalationReminders, record.id, now + ctx.config.escalationRenotifyMs);
    const lead = options.reply ?? "I've asked a human teammate to join this conversation.";
    await ctx.channels.post(session.conversation, {
      kind: 'notice',
      text: `${lead}\n\nA person from our support team will reply in this thread; I'll stay quiet here until they hand it back. _(Reference: ${record.id})_`,
    });
  } else {
    await noteUndelivered(ctx, record, 1, now);
    await ctx.channels.post(session.conversation, { kind: 'notice', text: undeliveredNotice(record.id) });
  }
  return record;
}

/** What the user is told when on-call could not be reached: no promise that a human is coming. */
export function undeliveredNotice(escalationId: string): string {
  return `I tried to bring in a human teammate, but I couldn't reach our support team just now, so nobody has been told yet. I'll keep trying and will say here as soon as they have been notified. _(Reference: ${escalationId})_`;
}

/** Whether the escalation's first on-call notice has not got through yet. */
export function isUndelivered(record: EscalationRecord): boolean {
  return record.notifications === 0;
}

/** The record once its first on-call notice got through. */
export function markDelivered(record: EscalationRecord, notice: MessageRef, now: number): EscalationRecord {
  const { deliveryAttempts: _attempts, ...rest } = record;
  return { ...rest, oncall: notice, notifications: Math.max(record.notifications, 1), lastNotifiedAt: now };
}

/** Audit and log a notice that did not get through, and schedule the sweep to try again. */
export async function noteUndelivered(ctx: EscalationFlowDeps, record: EscalationRecord, attempt: number, now: number): Promise<void> {
  ctx.logger.warn({ escalationId: record.id, platform: record.conversation.platform, attempt }, 'escalation not delivered to on-call; will retry');
  ctx.audit.write({ event: 'escalation_undelivered', escalation_id: record.id, session_id: record.sessionId, attempt, success: false });
  await ctx.store.schedule(dueIndexes.escalationReminders, record.id, now + deliveryRetryMs(ctx));
}

/** How soon an undelivered escalation is tried again: a minute, or sooner if reminders are more frequent. */
function deliveryRetryMs(ctx: EscalationFlowDeps): number {
  return Math.min(DELIVERY_RETRY_MS, ctx.config.escalationRenotifyMs);
}

/** A staff member takes an escalation; exactly one claim wins. */
export async function claimEscalation(ctx: EscalationFlowDeps, escalationId: string, caller: Caller): Promise<ClaimOutcome> {
  const record = await ctx.escalations.get(escalationId);
  if (!record) return { ok: false, reason: 'not_found', message: 'That escalation no longer exists.' };
  const view = escalationView(record);
  if (!hasRole(caller.role, 'staff')) {
    ctx.audit.write({ event: 'escalation_claim_refused', user_id: caller.userId, escalation_id: escalationId, role: caller.role, success: false, error: 'forbidden' });
    return { ok: false, reason: 'not_allowed', message: 'Only support staff can claim escalations.', view };
  }
  if (record.status === 'closed') return { ok: false, reason: 'closed', message: 'This conversation was already handed back to the bot.', view };
  const won = await ctx.store.setIfAbsent(markerKeys.escalationClaim(escalationId), { by: caller.userId, at: ctx.clock.now() }, RETENTION_MS);
  if (!won || record.status === 'claimed') {
    const latest = (await ctx.escalations.get(escalationId)) ?? record;
    const by = latest.claimedBy?.displayName ?? 'someone else';
    return { ok: false, reason: 'already_claimed', message: `Already claimed by ${by}.`, view: escalationView(latest) };
  }
  const claimedBy = { userId: caller.userId, displayName: caller.displayName };
  const updated = await ctx.escalations.update(
    record.id,
    (current) => (current?.status === 'open' ? { ...current, status: 'claimed', claimedBy } : undefined),
    RETENTION_MS,
  );
  if (!updated || updated.status !== 'claimed' || updated.claimedBy?.userId !== caller.userId) {
    // Handed back between our read and our write.
    const latest = updated ?? record;
    return { ok: false, reason: 'closed', message: 'This conversation was already handed back to the bot.', view: escalationView(latest) };
  }
  await ctx.store.unschedule(dueIndexes.escalationReminders, record.id);
  ctx.audit.write({ event: 'escalation_claimed', user_id: caller.userId, escalation_id: record.id, session_id: record.sessionId, success: true });
  const claimed = escalationView(updated);
  await ctx.channels.updateOncall(updated.oncall, claimed);
  await ctx.channels.post(record.conversation, { kind: 'notice', text: `${caller.displayName} from the support team has picked this up.` });
  return { ok: true, view: claimed };
}

/** Return a handed-off conversation to the bot (staff only). */
export async function handBack(ctx: EscalationFlowDeps, conversation: ConversationRef, caller: Caller, resolution?: string): Promise<HandbackOutcome> {
  if (!hasRole(caller.role, 'staff')) {
    ctx.audit.write({ event: 'handback_refused', user_id: caller.userId, role: caller.role, success: false, error: 'forbidden' });
    return { ok: false, reason: 'not_allowed', message: 'Only support staff can hand a conversation back to the bot.' };
  }
  if (!(await ctx.sessions.exists(conversation))) {
    return { ok: false, reason: 'not_handed_off', message: 'This conversation is not handed off to a human.' };
  }
  return ctx.sessions.withSession(conversation, async (session): Promise<HandbackOutcome> => {
    if (!session.handoff) return { ok: false, reason: 'not_handed_off', message: 'This conversation is not handed off to a human.' };
    const closedBy = { userId: caller.userId, displayName: caller.displayName };
    const record = await ctx.escalations.update(
      session.handoff.escalationId,
      (current) => (current && current.status !== 'closed' ? { ...current, status: 'closed', closedBy } : undefined),
      RETENTION_MS,
    );
    session.handoff = undefined;
    // Handed back by a person: the escalation counts as resolved by a human.
    await decideOutcome(ctx, session, 'human');
    if (record) {
      await ctx.store.unschedule(dueIndexes.escalationReminders, record.id);
      await ctx.store.unschedule(dueIndexes.activeEscalations, record.id);
      await ctx.channels.updateOncall(record.oncall, escalationView(record));
    }
    ctx.audit.write({ event: 'handback', user_id: caller.userId, session_id: session.id, escalation_id: record?.id, success: true });
    // Staff closing with a note solved it: the note becomes a (redacted) solved case.
    if (resolution?.trim()) await recordSolved(ctx, session, caller, resolution.trim()).catch((error: unknown) => ctx.logger.warn({ err: describeError(error) }, 'solved case not stored'));
    const text = `${caller.displayName} handed this conversation back to me. I'm here if you need anything else.`;
    session.history.push({ role: 'assistant', content: text });
    await ctx.channels.post(conversation, { kind: 'notice', text });
    return { ok: true, message: 'Handed back to the bot.' };
  });
}

/** Escalations not yet handed back (claimed or not), for /status. */
export async function countOpenEscalations(ctx: EscalationFlowDeps): Promise<number> {
  return ctx.store.indexSize(dueIndexes.activeEscalations);
}
