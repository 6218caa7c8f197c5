import { newId } from '../ids';
import { dueIndexes, markerKeys, type EngineContext } from '../engine-context';
import { escalationView, type EscalationRecord } from './escalation-record';
import { isUndelivered, markDelivered, noteUndelivered, RETENTION_MS } from './escalation-flow';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type EscalationRemindersDeps = Pick<EngineContext, 'config' | 'store' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'escalations' | 'memory' | 'registry'>;

/** Most escalations one sweep handles; the rest stay due for the next sweep. */
const SWEEP_BATCH = 100;

/**
 * How long a replica's claim on one notice holds. A replica that dies between
 * claiming a notice and recording it would otherwise strand the escalation's
 * reminders for good; after this long another replica takes the claim over
 * (at worst on-call sees one notice twice, never none).
 */
export const NOTICE_CLAIM_MS = 2 * 60_000;

/**
 * Remind on-call of escalations nobody claimed within the re-notify interval,
 * and retry first notices that did not get through. Reads only what is due in
 * the reminder index; claimed and closed escalations leave it.
 */
export async function renotifyUnclaimed(ctx: EscalationRemindersDeps): Promise<number> {
  const now = ctx.clock.now();
  let sent = 0;
  for (const id of await ctx.store.due(dueIndexes.escalationReminders, now, SWEEP_BATCH)) {
    try {
      const record = await ctx.escalations.get(id);
      if (!record || record.status !== 'open') {
        await ctx.store.unschedule(dueIndexes.escalationReminders, id);
        if (!record || record.status === 'closed') await ctx.store.unschedule(dueIndexes.activeEscalations, id);
        continue;
      }
      const done = isUndelivered(record) ? await retryDelivery(ctx, record, now) : await remind(ctx, record, now);
      if (done) sent += 1;
    } catch (error) {
      ctx.logger.error({ escalationId: id, err: error instanceof Error ? error.message : String(error) }, 'escalation reminder failed');
    }
  }
  return sent;
}

/** One more reminder for an unclaimed escalation; false when another replica sends this one. */
async function remind(ctx: EscalationRemindersDeps, record: EscalationRecord, now: number): Promise<boolean> {
  const n = record.notifications + 1;
  // One reminder per interval across replicas.
  if (!(await claimNotice(ctx, markerKeys.escalationNotice(record.id, n), now))) return false;
  const ref = await ctx.channels.notifyOncall({ ...escalationView(record), notifications: n });
  // Re-read inside the update: a claim or hand-back made while the notice was posted must stand.
  const updated = await ctx.escalations.update(
    record.id,
    (current) => current && { ...current, notifications: Math.max(current.notifications, n), lastNotifiedAt: now, ...(ref ? { oncall: ref } : {}) },
    RETENTION_MS,
  );
  if (updated?.status === 'open') {
    await ctx.store.schedule(dueIndexes.escalationReminders, record.id, now + ctx.config.escalationRenotifyMs);
  } else if (updated && ref) {
    // The reminder went out as "open" after all; show on-call what happened meanwhile.
    await ctx.channels.updateOncall(ref, escalationView(updated));
  }
  ctx.audit.write({ event: 'escalation_renotified', escalation_id: record.id, session_id: record.sessionId, notifications: n, success: ref !== undefined });
  return true;
}

/** Try again to deliver a first notice that never got through; tell the user once it has. */
async function retryDelivery(ctx: EscalationRemindersDeps, record: EscalationRecord, now: number): Promise<boolean> {
  const attempt = (record.deliveryAttempts ?? 1) + 1;
  if (!(await claimNotice(ctx, markerKeys.escalationDelivery(record.id, attempt), now))) return false;
  const notice = await ctx.channels.notifyOncall(escalationView(record));
  const updated = await ctx.escalations.update(
    record.id,
    (current) => {
      if (!current) return undefined;
      if (notice) return markDelivered(current, notice, now);
      return { ...current, deliveryAttempts: Math.max(current.deliveryAttempts ?? 1, attempt) };
    },
    RETENTION_MS,
  );
  if (!notice) {
    await noteUndelivered(ctx, record, attempt, now);
    return false;
  }
  ctx.audit.write({ event: 'escalation_delivered', escalation_id: record.id, session_id: record.sessionId, attempt, success: true });
  if (updated?.status === 'open') {
    await ctx.store.schedule(dueIndexes.escalationReminders, record.id, now + ctx.config.escalationRenotifyMs);
    await ctx.channels.post(record.conversation, {
      kind: 'notice',
      text: `I've now reached our support team: a person will reply in this thread, and I'll stay quiet here until they hand it back. _(Reference: ${record.id})_`,
    });
  } else if (updated) {
    await ctx.store.unschedule(dueIndexes.escalationReminders, record.id);
    await ctx.channels.updateOncall(notice, escalationView(updated));
  }
  return true;
}

/** Claim one notice across replicas: a fresh claim, or one left by a replica that stopped before recording it. */
async function claimNotice(ctx: Pick<EngineContext, 'store'>, key: string, now: number): Promise<boolean> {
  const mine = { at: now, by: newId('claim') };
  if (await ctx.store.setIfAbsent(key, mine, RETENTION_MS)) return true;
  const claim = await ctx.store.update<{ at: number; by?: string }>(key, (current) => (current && now - current.at < NOTICE_CLAIM_MS ? undefined : mine), RETENTION_MS);
  return claim?.by === mine.by;
}
