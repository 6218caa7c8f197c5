import type { OpenApprovalMarker } from './approvals/request-approvals';
import { dueIndexes, type EngineContext } from './engine-context';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type LegacyMarkersDeps = Pick<EngineContext, 'store' | 'clock'>;

/** What releases before the due-time index stored for each escalation not yet handed back. */
interface ActiveEscalationMarker {
  id: string;
  nextNotifyAt: number;
  claimed: boolean;
}

/**
 * Move open work recorded by releases before the due-time index (one marker
 * key per approval or escalation, found by scanning) into the index, deleting
 * each marker once indexed. Runs once per process before its first sweep;
 * idempotent, so replicas starting together do no harm. Returns how many moved.
 */
export async function indexLegacyMarkers(ctx: LegacyMarkersDeps): Promise<number> {
  let moved = 0;
  for await (const [key, marker] of ctx.store.scan<OpenApprovalMarker>('approvals:open:')) {
    await ctx.store.schedule(dueIndexes.approvals, marker.id, marker.expiresAt);
    await ctx.store.delete(key);
    moved += 1;
  }
  for await (const [key, marker] of ctx.store.scan<ActiveEscalationMarker>('escalations:active:')) {
    await ctx.store.schedule(dueIndexes.activeEscalations, marker.id, ctx.clock.now());
    if (!marker.claimed) await ctx.store.schedule(dueIndexes.escalationReminders, marker.id, marker.nextNotifyAt);
    await ctx.store.delete(key);
    moved += 1;
  }
  return moved;
}
