import { newId } from '../ids';
import type { AuditSink, DecisionOutcome, InboundMessage, Logger, TurnResult } from '../ports';
import { sessionIdOf } from '../sessions/session-state';
import { runInTurn } from './turn-context';

/** How a turn ended, as metrics and alerts count it. Undefined: not a turn (duplicate, ignored chatter). */
export type TurnOutcome = 'answered' | 'escalated' | 'refused' | 'failed' | 'over_budget' | 'awaiting_approval' | 'handed_off';

/** Map a TurnResult to the outcome it counts as. */
export function turnOutcome(result: TurnResult): TurnOutcome | undefined {
  switch (result.status) {
    case 'answered':
      return result.success ? 'answered' : 'failed';
    case 'escalated':
      return result.errors.some((e) => e.code.startsWith('budget_')) ? 'over_budget' : 'escalated';
    case 'refused':
      return 'refused';
    case 'failed':
      return 'failed';
    case 'paused':
      return 'awaiting_approval';
    case 'handed_off':
      return 'handed_off';
    default:
      return undefined;
  }
}

export interface TurnObserverOptions {
  audit: AuditSink;
  logger: Logger;
  now: () => number;
}

/**
 * Wraps each turn: its log lines carry a turn id and the session id, and
 * when it ends one `turn_completed` audit event (which metrics and alerts
 * read) and one info log line record outcome, steps, cost and latency.
 */
export class TurnObserver {
  private running = 0;

  constructor(private readonly options: TurnObserverOptions) {}

  /** Messages accepted and not yet finished (waiting in their conversation's queue or running). */
  get inFlight(): number {
    return this.running;
  }

  /** Run a user message's turn. */
  async message(message: InboundMessage, handle: () => Promise<TurnResult>): Promise<TurnResult> {
    const sessionId = sessionIdOf(message.conversation);
    const turnId = newId('turn');
    const started = this.options.now();
    this.running += 1;
    try {
      const result = await runInTurn({ turnId, sessionId }, handle);
      this.completed(result, { turnId, platform: message.conversation.platform, userId: message.caller.userId, started });
      return result;
    } finally {
      this.running -= 1;
    }
  }

  /**
   * Run an approval decision; the run it resumes, if any, is a turn of its
   * own (the requester's). `sessionOf` finds the session first, so the
   * decision's log lines carry it too.
   */
  async decision(sessionOf: () => Promise<string | undefined>, decide: () => Promise<DecisionOutcome>): Promise<DecisionOutcome> {
    const turnId = newId('turn');
    const started = this.options.now();
    const sessionId = (await sessionOf().catch(() => undefined)) ?? 'unknown';
    const outcome = await runInTurn({ turnId, sessionId }, decide);
    if (outcome.ok && outcome.result) {
      const { conversation, requester } = outcome.view;
      this.completed(outcome.result, { turnId, platform: conversation.platform, started, userId: requester.userId });
    }
    return outcome;
  }

  private completed(result: TurnResult, turn: { turnId: string; platform: string; started: number; userId: string }): void {
    const outcome = turnOutcome(result);
    if (!outcome) return;
    // Queue wait counts: it is part of what the user waited for.
    const latencyMs = Math.max(result.latencyMs, this.options.now() - turn.started);
    this.options.audit.write({
      event: 'turn_completed',
      user_id: turn.userId,
      session_id: result.sessionId,
      turn_id: turn.turnId,
      platform: turn.platform,
      outcome,
      status: result.status,
      steps: result.steps,
      tool_calls: result.toolCalls.length,
      cost_usd: result.costUsd,
      latency_ms: latencyMs,
      success: result.success,
    });
    this.options.logger.info(
      { turnId: turn.turnId, sessionId: result.sessionId, platform: turn.platform, outcome, steps: result.steps, costUsd: Number(result.costUsd.toFixed(6)), latencyMs },
      'turn completed',
    );
  }
}
