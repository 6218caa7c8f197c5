import { emptyResult, runToCompletion } from '../agent/finish-run';
import { executeAtMostOnce } from '../agent/at-most-once';
import { dueIndexes, markerKeys, type EngineContext } from '../engine-context';
import { checkDecider } from '../policy/approval-policy';
import type { Caller, DecisionInput, DecisionOutcome, TurnResult } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { fingerprintOf, type ApprovalRecord } from './approval-record';
import { checkEdit, withApproverChanges } from './edit-approval';
import { APPROVAL_RETENTION_MS, viewOf } from './request-approvals';
import { reportUnknownOutcome, unknownOutcomeResult } from './unknown-outcome';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type ApprovalFlowDeps = Pick<EngineContext, 'config' | 'store' | 'model' | 'registry' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'memory'>;

interface DecisionClaim {
  decision: 'approved' | 'denied' | 'expired';
  by?: Caller;
  at: number;
}

/** A claimed decision older than this whose approval is still in the due index was interrupted (crash); finish it. */
const STALLED_DECISION_MS = 30_000;

/** Most approvals one sweep handles; the rest stay due for the next sweep. */
const SWEEP_BATCH = 100;

const SYSTEM: Caller = { userId: 'system', platform: 'system', displayName: 'the system', role: 'admin' };

/**
 * Approve or deny. The decider's platform role is checked against the
 * request's policy; then one `setIfAbsent` decides who wins, so double
 * clicks, racing approvers and replays execute the tool at most once.
 */
export async function decideApproval(ctx: ApprovalFlowDeps, input: DecisionInput): Promise<DecisionOutcome> {
  const record = await ctx.approvals.get(input.approvalId);
  if (!record) return { ok: false, reason: 'not_found', message: 'This approval request no longer exists.' };
  if (record.status !== 'pending') return alreadyDecided(record);
  if (ctx.clock.now() >= record.expiresAt) {
    await settleDecision(ctx, record, { decision: 'expired', at: ctx.clock.now() });
    return { ok: false, reason: 'expired', message: 'This request expired before a decision was made, so nothing was done.', view: viewOf(record) };
  }
  const check = checkDecider(record.requirement, record.requester, input.decider, input.decision);
  if (!check.ok) {
    ctx.audit.write({
      event: 'approval_decision_refused',
      user_id: input.decider.userId,
      session_id: record.sessionId,
      approval_id: record.id,
      tool_name: record.toolName,
      decision: input.decision,
      role: input.decider.role,
      success: false,
      error: 'forbidden',
    });
    return { ok: false, reason: 'not_allowed', message: check.message, view: viewOf(record) };
  }
  // Edited arguments are checked before the claim, so an invalid edit changes nothing and leaves the request open.
  const edit = input.args && input.decision === 'approve' ? checkEdit(ctx.registry.get(record.toolName), record, input.decider, input.args) : undefined;
  if (edit && !edit.ok) {
    ctx.audit.write({ event: 'approval_edit_refused', user_id: input.decider.userId, session_id: record.sessionId, approval_id: record.id, tool_name: record.toolName, role: input.decider.role, success: false, error: edit.reason });
    return { ok: false, reason: edit.reason, message: edit.message, view: viewOf(record) };
  }
  const claim: DecisionClaim = { decision: input.decision === 'approve' ? 'approved' : 'denied', by: input.decider, at: ctx.clock.now() };
  if (!(await ctx.store.setIfAbsent(markerKeys.approvalDecision(record.id), claim, APPROVAL_RETENTION_MS))) {
    // The winner may not have saved the record yet; its claim already says what was decided and by whom.
    const winner = await ctx.store.get<DecisionClaim>(markerKeys.approvalDecision(record.id));
    const latest = (await ctx.approvals.get(record.id)) ?? record;
    if (winner && latest.status === 'pending') {
      latest.status = winner.decision;
      if (winner.by) latest.decidedBy = winner.by;
    }
    return alreadyDecided(latest);
  }
  // Should this process die before settling, the sweep finishes the decision once it counts as stalled.
  await ctx.store.schedule(dueIndexes.approvals, record.id, claim.at + STALLED_DECISION_MS);
  if (edit?.changed) {
    const original = record.args;
    edit.apply(record);
    // Saved before it runs, so a recovery after a crash runs the edited call, not the original.
    await ctx.approvals.update(record.id, (current) => {
      if (!current || current.editedFrom) return undefined;
      edit.apply(current);
      return current;
    }, APPROVAL_RETENTION_MS);
    ctx.audit.write({
      event: 'approval_edited',
      user_id: input.decider.userId,
      session_id: record.sessionId,
      approval_id: record.id,
      tool_name: record.toolName,
      original_args: original,
      tool_args: record.args,
      requirement: record.requirement,
      changes: edit.changes,
      success: true,
    });
  }
  const result = await settleDecision(ctx, record, claim);
  return { ok: true, view: viewOf(record), ...(result ? { result } : {}) };
}

function alreadyDecided(record: ApprovalRecord): DecisionOutcome {
  const by = record.decidedBy ? ` by ${record.decidedBy.displayName}` : '';
  const message = record.status === 'expired' ? 'This request already expired.' : `This request was already ${record.status === 'pending' ? 'decided' : record.status}${by}.`;
  return { ok: false, reason: record.status === 'expired' ? 'expired' : 'already_decided', message, view: viewOf(record) };
}

/**
 * Record a claimed decision and apply it. Idempotent, so an interrupted
 * decision can be finished later by any replica: the marker is removed last.
 */
async function settleDecision(ctx: ApprovalFlowDeps, record: ApprovalRecord, claim: DecisionClaim): Promise<TurnResult | undefined> {
  if (claim.decision === 'expired') {
    // Expiry competes with clicks for the same claim.
    const won = await ctx.store.setIfAbsent(markerKeys.approvalDecision(record.id), claim, APPROVAL_RETENTION_MS);
    if (!won) return undefined;
  }
  withDecision(record, claim);
  // The stored copy may know more than ours (the card's message ref saved after we read it).
  Object.assign(record, await ctx.approvals.update(record.id, (current) => current && withDecision(current, claim), APPROVAL_RETENTION_MS));
  ctx.audit.write({
    event: claim.decision === 'expired' ? 'approval_expired' : 'approval_decided',
    user_id: claim.by?.userId ?? 'system',
    session_id: record.sessionId,
    approval_id: record.id,
    tool_name: record.toolName,
    decision: claim.decision,
    requester_id: record.requester.userId,
    waited_ms: claim.at - record.createdAt,
    success: true,
  });
  await ctx.channels.updateApproval(record.message, viewOf(record));
  const result = await applyDecision(ctx, record);
  await ctx.store.unschedule(dueIndexes.approvals, record.id);
  return result;
}

/** Apply a claimed decision to `record` and return it; run inside `approvals.update`, so a concurrent write (the card's message ref) is kept. */
function withDecision(record: ApprovalRecord, claim: DecisionClaim): ApprovalRecord {
  record.status = claim.decision;
  record.decidedAt = claim.at;
  if (claim.by) record.decidedBy = claim.by;
  return record;
}

/** Expire overdue approvals and finish decisions interrupted by a crash. */
export async function sweepApprovals(ctx: ApprovalFlowDeps): Promise<number> {
  const now = ctx.clock.now();
  let handled = 0;
  for (const id of await ctx.store.due(dueIndexes.approvals, now, SWEEP_BATCH)) {
    // One bad approval must not stop the sweep: it is logged and stays due.
    try {
      const claim = await ctx.store.get<DecisionClaim>(markerKeys.approvalDecision(id));
      if (claim && now - claim.at < STALLED_DECISION_MS) {
        // Being decided right now; look again once it would count as stalled.
        await ctx.store.schedule(dueIndexes.approvals, id, claim.at + STALLED_DECISION_MS);
        continue;
      }
      const record = await ctx.approvals.get(id);
      if (!record) {
        await ctx.store.unschedule(dueIndexes.approvals, id);
        continue;
      }
      if (!claim && record.expiresAt > now) {
        await ctx.store.schedule(dueIndexes.approvals, id, record.expiresAt);
        continue;
      }
      if (claim) {
        await settleRecovered(ctx, record, claim);
      } else {
        await settleDecision(ctx, record, { decision: 'expired', at: now });
      }
      handled += 1;
    } catch (error) {
      ctx.logger.error({ approvalId: id, err: error instanceof Error ? error.message : String(error) }, 'approval sweep failed');
    }
  }
  return handled;
}

async function settleRecovered(ctx: ApprovalFlowDeps, record: ApprovalRecord, claim: DecisionClaim): Promise<void> {
  withDecision(record, claim);
  // The stored copy may know more than ours (the card's message ref saved after we read it).
  Object.assign(record, await ctx.approvals.update(record.id, (current) => current && withDecision(current, claim), APPROVAL_RETENTION_MS));
  await ctx.channels.updateApproval(record.message, viewOf(record));
  await applyDecision(ctx, record);
  await ctx.store.unschedule(dueIndexes.approvals, record.id);
}

/**
 * Feed the decision into the paused run: run the approved tool with the
 * frozen arguments (fingerprint checked) or tell the model it was denied,
 * then resume the loop once every pending call of the run is decided.
 */
async function applyDecision(ctx: ApprovalFlowDeps, record: ApprovalRecord): Promise<TurnResult | undefined> {
  const startedAt = ctx.clock.now();
  return ctx.sessions.withSession(record.conversation, async (session) => {
    const paused = session.paused;
    const pending = paused?.pending.find((p) => p.approvalId === record.id);
    if (!paused || !pending) return undefined; // applied already
    const requester = paused.requester;
    const decider = record.decidedBy?.displayName ?? SYSTEM.displayName;
    let content: string;
    let outcome: 'ok' | 'error' | 'denied';
    // An edited request still traces back to the call the run paused on.
    const intact =
      fingerprintOf(record.toolName, record.toolCallId, record.args) === record.fingerprint && (record.editedFrom?.fingerprint ?? record.fingerprint) === pending.fingerprint;
    const tool = ctx.registry.get(record.toolName);
    let unknownSince: number | undefined;
    if (record.status === 'approved' && intact && tool) {
      // The decision may be applied again (recovery after a crash or a failed save): never run it blindly twice.
      const settled = await executeAtMostOnce(ctx.loop, tool, record.args, {
        caller: requester,
        conversation: session.conversation,
        sessionId: session.id,
        step: paused.steps,
        idempotencyKey: record.id,
      });
      if (settled.kind === 'unknown') {
        unknownSince = settled.startedAt;
        content = JSON.stringify(unknownOutcomeResult());
        outcome = 'error';
      } else {
        const execution = settled.result;
        content = execution.content;
        outcome = execution.ok ? 'ok' : 'error';
        // Timed out and not safe to repeat: it may have acted, so a person must check, as after a crash.
        if (settled.kind === 'ran' && !execution.ok && execution.unconfirmed) unknownSince = startedAt;
        ctx.audit.write({
          // A recorded outcome is fed to the model again; the tool did not run a second time.
          event: settled.kind === 'recorded' ? 'tool_outcome_reused' : 'tool_call',
          user_id: requester.userId,
          session_id: session.id,
          agent_step: paused.steps,
          tool_name: record.toolName,
          tool_args: record.args,
          tool_result_summary: execution.content.slice(0, 200),
          approval_id: record.id,
          approved_by: record.decidedBy?.userId,
          latency_ms: ctx.clock.now() - startedAt,
          success: execution.ok,
          ...(execution.ok ? {} : { error: execution.error }),
        });
      }
    } else {
      outcome = 'denied';
      content = JSON.stringify(denialResult(record, decider, ctx.config.approvalTtlMs));
      if (record.status === 'approved') ctx.audit.write({ event: 'approval_integrity_failed', approval_id: record.id, session_id: session.id, success: false, error: tool ? 'fingerprint_mismatch' : 'tool_missing' });
    }
    if (record.status === 'approved') content = withApproverChanges(content, record, decider);
    session.history.push({ role: 'tool', toolCallId: record.toolCallId, content });
    const status = unknownSince !== undefined ? ' (outcome unknown)' : outcome === 'error' ? ' (failed)' : '';
    session.actions.push({ at: ctx.clock.now(), tool: record.toolName, outcome: `${record.status}${status}`, summary: record.action });
    paused.pending = paused.pending.filter((p) => p.approvalId !== record.id);
    paused.toolCalls.push({ id: record.toolCallId, name: record.toolName, args: record.args, outcome, summary: content.slice(0, 200), latencyMs: ctx.clock.now() - startedAt });
    // After the bookkeeping above, so the hand-off summary lists this action and no longer calls it pending.
    if (unknownSince !== undefined) await reportUnknownOutcome(ctx, session, record, requester, unknownSince);

    const partial: TurnResult = { ...emptyResult(session.id, 'paused', true), toolCalls: paused.toolCalls, pendingApprovals: paused.pending.map((p) => p.approvalId) };
    if (record.status === 'expired' && !session.handoff) {
      await ctx.channels.post(session.conversation, { kind: 'notice', text: `The request to ${record.action.charAt(0).toLowerCase()}${record.action.slice(1)} expired without a decision, so I didn't do it.` });
    }
    if (paused.pending.length > 0) return partial;
    session.paused = undefined;
    if (session.handoff) return { ...partial, status: 'handed_off' }; // humans have the thread; the bot stays quiet
    const resumed = await runToCompletion(
      ctx,
      session,
      // Leave room to answer after the decision even if the pause came late in the run.
      { caller: requester, steps: Math.min(paused.steps, Math.max(0, ctx.config.maxSteps - 2)), costUsd: paused.costUsd, toolCalls: paused.toolCalls },
      { startedAt },
    );
    return answerQueued(ctx, session, requester, paused.queued, resumed, startedAt);
  });
}

/**
 * Messages the user sent while the run waited are answered after the
 * outcome of the decision was told, in a run of their own, so neither
 * answer swallows the other. If the resumed run paused again or went to a
 * person, they wait with it.
 */
async function answerQueued(ctx: ApprovalFlowDeps, session: SessionState, requester: Caller, queued: string[], resumed: TurnResult, startedAt: number): Promise<TurnResult> {
  if (queued.length === 0) return resumed;
  if (session.paused) {
    session.paused.queued.push(...queued);
    return resumed;
  }
  for (const text of queued) session.history.push({ role: 'user', content: text });
  if (session.handoff) return resumed;
  const next = await runToCompletion(ctx, session, { caller: requester }, { startedAt });
  return {
    ...next,
    reply: [resumed.reply, next.reply].filter(Boolean).join('\n\n'),
    costUsd: resumed.costUsd + next.costUsd,
    steps: resumed.steps + next.steps,
    toolCalls: [...resumed.toolCalls, ...next.toolCalls],
    errors: [...resumed.errors, ...next.errors],
  };
}

/**
 * What the model is told when the call does not run. The key says why
 * (`expired`, `cancelled` by the requester, `denied` by a decider) so it can
 * answer accurately.
 */
function denialResult(record: ApprovalRecord, decider: string, ttlMs: number): Record<string, string> {
  if (record.status === 'expired') {
    return { expired: `The approval request expired after ${Math.round(ttlMs / 60_000)} minutes without a decision; the action was not taken.` };
  }
  if (record.status === 'approved') return { error: 'The approved request could not be verified, so the action was not taken.' };
  const withdrawn = record.requirement !== 'requester' && record.decidedBy?.userId === record.requester.userId;
  if (withdrawn) return { cancelled: 'withdrawn by the requester; the action was not taken' };
  return { denied: `${decider} declined this request; the action was not taken.` };
}

/** Approvals still waiting, for /status. */
export async function countPendingApprovals(ctx: ApprovalFlowDeps): Promise<number> {
  return ctx.store.indexSize(dueIndexes.approvals);
}
