import type { RunProgress } from '../agent/run-loop';
import type { CallNeedingApproval } from '../agent/tool-runner';
import { scrubDeep } from '../audit/redact';
import { dueIndexes, type EngineContext } from '../engine-context';
import { newId } from '../ids';
import { decidersText } from '../policy/approval-policy';
import type { SessionState } from '../sessions/session-state';
import { approvalView, fingerprintOf, type ApprovalRecord } from './approval-record';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type RequestApprovalsDeps = Pick<EngineContext, 'config' | 'store' | 'audit' | 'clock' | 'channels' | 'approvals'>;

/** Approval records outlive their expiry so late clicks get a clear answer. */
export const APPROVAL_RETENTION_MS = 7 * 86_400_000;

/** Pre-index marker of an open approval (`approvals:open:<id>`), still read once at start-up. */
export interface OpenApprovalMarker {
  id: string;
  sessionId: string;
  expiresAt: number;
}

export function viewOf(record: ApprovalRecord) {
  return approvalView(record, decidersText(record.requirement, record.requester), scrubDeep(record.args) as Record<string, unknown>);
}

/**
 * Pause the run at calls that need a human: persist one approval per call
 * (frozen arguments + fingerprint, requester, deciders, expiry) and the
 * paused run, then ask the channel to render each request.
 */
export async function requestApprovals(
  ctx: RequestApprovalsDeps,
  session: SessionState,
  run: RunProgress,
  calls: CallNeedingApproval[],
): Promise<ApprovalRecord[]> {
  const now = ctx.clock.now();
  const runId = newId('run');
  const records: ApprovalRecord[] = calls.map((call) => ({
    v: 1,
    id: newId('apr'),
    sessionId: session.id,
    runId,
    conversation: session.conversation,
    toolName: call.tool.name,
    toolCallId: call.call.id,
    args: call.args,
    fingerprint: fingerprintOf(call.tool.name, call.call.id, call.args),
    requester: run.caller,
    requirement: call.requirement,
    action: call.action,
    createdAt: now,
    expiresAt: now + ctx.config.approvalTtlMs,
    status: 'pending',
  }));
  session.paused = {
    runId,
    requester: run.caller,
    steps: run.steps,
    costUsd: run.costUsd,
    startedAt: now,
    pending: records.map((r) => ({ toolCallId: r.toolCallId, approvalId: r.id, toolName: r.toolName, fingerprint: r.fingerprint })),
    toolCalls: run.toolCalls,
    queued: [],
  };
  for (const record of records) {
    await ctx.approvals.put(record.id, record, APPROVAL_RETENTION_MS);
    await ctx.store.schedule(dueIndexes.approvals, record.id, record.expiresAt);
    ctx.audit.write({
      event: 'approval_requested',
      user_id: run.caller.userId,
      session_id: session.id,
      agent_step: run.steps,
      approval_id: record.id,
      tool_name: record.toolName,
      tool_args: record.args,
      requirement: record.requirement,
      expires_at: new Date(record.expiresAt).toISOString(),
      success: true,
    });
    const ref = await ctx.channels.postApproval(viewOf(record));
    if (ref) {
      record.message = ref;
      // A decision may already have been recorded (a fast click): add the ref without undoing it,
      // and since that decider could not update the card yet, show the decision on it now.
      const stored = await ctx.approvals.update(record.id, (current) => current && { ...current, message: ref }, APPROVAL_RETENTION_MS);
      if (stored && stored.status !== 'pending') await ctx.channels.updateApproval(ref, viewOf(stored));
    }
  }
  return records;
}
