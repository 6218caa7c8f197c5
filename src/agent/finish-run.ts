import { requestApprovals } from '../approvals/request-approvals';
import type { EngineContext } from '../engine-context';
import { escalate } from '../escalation/escalation-flow';
import type { TurnResult, TurnStatus } from '../ports';
import type { SessionState } from '../sessions/session-state';
import type { LoopOutcome, RunProgress } from './run-loop';

/** A TurnResult with nothing done yet. */
export function emptyResult(sessionId: string, status: TurnStatus, success: boolean): TurnResult {
  return { status, success, sessionId, costUsd: 0, steps: 0, toolCalls: [], errors: [], pendingApprovals: [], latencyMs: 0 };
}

/**
 * Act on how a run ended — post the answer, pause for approvals, or hand
 * off — and describe it as a TurnResult. Shared by new turns and runs
 * resumed after an approval.
 */
export async function finishRun(
  ctx: EngineContext,
  session: SessionState,
  run: RunProgress,
  outcome: LoopOutcome,
  options: { startedAt: number; permalink?: string },
): Promise<TurnResult> {
  const result: TurnResult = {
    ...emptyResult(session.id, 'answered', true),
    costUsd: run.costUsd,
    steps: run.steps,
    toolCalls: run.toolCalls,
    errors: run.errors,
  };
  switch (outcome.kind) {
    case 'final':
    case 'max_steps': {
      await ctx.channels.post(session.conversation, { kind: outcome.kind === 'final' ? 'reply' : 'error', text: outcome.reply });
      result.reply = outcome.reply;
      result.success = outcome.kind === 'final';
      if (outcome.kind === 'max_steps') result.errors.push({ code: 'max_steps', message: `Stopped after ${run.steps} steps` });
      break;
    }
    case 'paused': {
      const assistant = session.history.findLast((m) => m.role === 'assistant');
      const lead = assistant && assistant.role === 'assistant' ? assistant.content?.trim() : undefined;
      if (lead) await ctx.channels.post(session.conversation, { kind: 'reply', text: lead });
      const records = await requestApprovals(ctx, session, run, outcome.approvals);
      result.status = 'paused';
      result.pendingApprovals = records.map((r) => r.id);
      result.reply = records.map((r) => `Waiting for approval: ${r.action}`).join('\n');
      break;
    }
    case 'escalate': {
      const record = await escalate(ctx, session, run.caller, outcome, {
        reply: outcome.reply,
        ...(options.permalink ? { permalink: options.permalink } : {}),
      });
      result.status = 'escalated';
      result.success = outcome.trigger === 'model_tool';
      result.reply = outcome.reply;
      if (record) result.escalationId = record.id;
      break;
    }
  }
  result.latencyMs = ctx.clock.now() - options.startedAt;
  return result;
}
