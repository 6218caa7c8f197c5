import { requestApprovals } from '../approvals/request-approvals';
import type { EngineContext } from '../engine-context';
import { escalate, isUndelivered, undeliveredNotice } from '../escalation/escalation-flow';
import type { TurnResult, TurnStatus } from '../ports';
import type { SaveBatch } from '../sessions/save-batch';
import type { SessionState } from '../sessions/session-state';
import { budgetUserKey } from '../budget/budget-guard';
import { BudgetLedger } from '../budget/budget-ledger';
import { describeError } from '../errors';
import type { Caller } from '../ports';
import type { LoopOutcome, RunProgress } from './run-loop';
import { runTurn } from '../specialists/parallel-consultation';
import { RunDisplay } from './run-display';
import { sourcesLine } from '../knowledge/search-help-center-tool';
import { failSpan, startAgentSpan } from '../telemetry/gen-ai-spans';
import { noteRunEnded } from '../outcomes/outcome-flow';
import type { OutboundMessage } from '../ports';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type FinishRunDeps = Pick<EngineContext, 'config' | 'store' | 'model' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'memory' | 'registry'>;

/** What a final answer offers the person helped. */
const FINAL_CONTROLS = { feedback: true, talkToHuman: true, solved: true } as const;

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
  ctx: FinishRunDeps,
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
      // Answers that drew on help-center articles cite them.
      const cited = outcome.kind === 'final' && run.sources?.length ? sourcesLine(run.sources) : '';
      const text = cited ? `${outcome.reply}\n\n${cited}` : outcome.reply;
      const message: OutboundMessage = outcome.kind === 'final' ? { kind: 'reply', text, controls: { ...FINAL_CONTROLS } } : { kind: 'error', text };
      if (!(await run.display?.finish(message))) await ctx.channels.post(session.conversation, message);
      result.reply = outcome.reply;
      result.success = outcome.kind === 'final';
      if (outcome.kind === 'max_steps') result.errors.push({ code: 'max_steps', message: `Stopped after ${run.steps} steps` });
      break;
    }
    case 'paused': {
      const assistant = session.history.findLast((m) => m.role === 'assistant');
      const lead = assistant && assistant.role === 'assistant' ? assistant.content?.trim() : undefined;
      const shown = lead ? await run.display?.finish({ kind: 'reply', text: lead }) : await run.display?.cancel();
      if (lead && !shown) await ctx.channels.post(session.conversation, { kind: 'reply', text: lead });
      const records = await requestApprovals(ctx, session, run, outcome.approvals);
      result.status = 'paused';
      result.pendingApprovals = records.map((r) => r.id);
      result.reply = records.map((r) => `Waiting for approval: ${r.action}`).join('\n');
      break;
    }
    case 'stopped': {
      const text = 'Stopped.';
      if (!(await run.display?.finish({ kind: 'notice', text }))) await ctx.channels.post(session.conversation, { kind: 'notice', text });
      session.history.push({ role: 'assistant', content: '(The user stopped this answer before it was finished.)' });
      ctx.audit.write({ event: 'turn_cancelled', user_id: run.caller.userId, session_id: session.id, agent_step: run.steps, cost_usd: run.costUsd, success: true });
      result.status = 'cancelled';
      result.reply = text;
      break;
    }
    case 'escalate': {
      await run.display?.cancel();
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
  ctx: FinishRunDeps,
  session: SessionState,
  start: RunStart,
  options: { startedAt: number; permalink?: string; batch?: SaveBatch },
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
  const tracing = ctx.loop.tracing;
  if (tracing) run.span = startAgentSpan(tracing, { conversationId: session.id, model: ctx.model.model });
  if (ctx.channels.canStream(session.conversation.platform)) run.display = new RunDisplay(ctx.channels, session.conversation, start.caller);
  const signal = ctx.running.begin(session.id, start.caller);
  run.signal = signal;
  const stopWorking = ctx.channels.startWorking(session.conversation);
  try {
    const outcome = await runTurn(ctx.loop, run);
    const result = await finishRun(ctx, session, run, outcome, options);
    const answered = outcome.kind === 'final' && result.reply !== undefined;
    // Only this run's own spend: a resumed run starts from what the paused one already counted.
    await noteRunEnded(ctx, session, { costUsd: run.costUsd - (start.costUsd ?? 0), ...(answered ? { answer: result.reply } : {}) });
    ctx.stats.record(session.id, result.latencyMs, result.success);
    run.span?.setAttribute('support.turn.status', result.status);
    return result;
  } catch (error) {
    if (run.span) failSpan(run.span, error);
    throw error;
  } finally {
    ctx.running.end(session.id, signal);
    run.span?.end();
    // With a save batch the spend goes in the session save's round trip (one transaction on the embedded store).
    if (options.batch) run.ledger.flushWith(options.batch);
    await Promise.all([stopWorking(), options.batch ? undefined : flushLedger(ctx, run)]);
  }
}

/** Write a run's pending spend; a failure is logged, never thrown over the turn's result. */
async function flushLedger(ctx: FinishRunDeps, run: RunProgress): Promise<void> {
  try {
    await run.ledger.flush();
  } catch (error) {
    ctx.logger.error({ sessionId: run.session.id, err: describeError(error) }, 'budget settlement not recorded');
    ctx.audit.write({ event: 'budget_settle_failed', user_id: run.caller.userId, session_id: run.session.id, success: false, error: describeError(error) });
  }
}
