import { requestApprovals } from '../approvals/request-approvals';
import type { EngineContext } from '../engine-context';
import { escalate, isUndelivered, undeliveredNotice } from '../escalation/escalation-flow';
import type { TurnResult, TurnStatus } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { budgetUserKey } from '../budget/budget-guard';
import { BudgetLedger } from '../budget/budget-ledger';
import { describeError } from '../errors';
import type { Caller } from '../ports';
import { runLoop, type LoopOutcome, type RunProgress } from './run-loop';

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
      result.reply = record && isUndelivered(record) ? undeliveredNotice(record.id) : outcome.reply;
      if (record) result.escalationId = record.id;
      break;
    }
  }
  result.latencyMs = ctx.clock.now() - options.startedAt;
  return result;
}

/** Where a run starts: a new turn (step 0) or a run resumed after its approvals. */
export interface RunStart {
  caller: Caller;
  steps?: number;
  costUsd?: number;
  toolCalls?: RunProgress['toolCalls'];
}

/**
 * Run the loop to its end and act on the outcome, with the working indicator
 * shown meanwhile. The run's spend is written after the reply went out, so
 * bookkeeping is not on the user's clock. Shared by new turns and resumed runs.
 */
export async function runToCompletion(
  ctx: EngineContext,
  session: SessionState,
  start: RunStart,
  options: { startedAt: number; permalink?: string },
): Promise<TurnResult> {
  const run: RunProgress = {
    session,
    caller: start.caller,
    steps: start.steps ?? 0,
    costUsd: start.costUsd ?? 0,
    toolCalls: start.toolCalls ?? [],
    errors: [],
    failures: 0,
    ledger: new BudgetLedger(ctx.budget, budgetUserKey(start.caller)),
  };
  const stopWorking = ctx.channels.startWorking(session.conversation);
  try {
    const outcome = await runLoop(ctx.loop, run);
    const result = await finishRun(ctx, session, run, outcome, options);
    ctx.stats.record(session.id, result.latencyMs, result.success);
    return result;
  } finally {
    await Promise.all([stopWorking(), flushLedger(ctx, run)]);
  }
}

/** Write a run's pending spend; a failure is logged, never thrown over the turn's result. */
async function flushLedger(ctx: EngineContext, run: RunProgress): Promise<void> {
  try {
    await run.ledger.flush();
  } catch (error) {
    ctx.logger.error({ sessionId: run.session.id, err: describeError(error) }, 'budget settlement not recorded');
    ctx.audit.write({ event: 'budget_settle_failed', user_id: run.caller.userId, session_id: run.session.id, success: false, error: describeError(error) });
  }
}
