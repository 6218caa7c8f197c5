import type { EngineContext } from '../engine-context';
import type { Caller, ConversationRef, StopOutcome } from '../ports';
import { sessionIdOf } from '../sessions/session-state';

/** Stop the conversation's running turn if the caller may; audited either way. */
export function stopTurn(ctx: Pick<EngineContext, 'running' | 'audit'>, conversation: ConversationRef, caller: Caller): StopOutcome {
  const sessionId = sessionIdOf(conversation);
  const outcome = ctx.running.stop(sessionId, caller);
  ctx.audit.write({ event: 'turn_stop_requested', user_id: caller.userId, session_id: sessionId, role: caller.role, success: outcome.ok, ...(outcome.ok ? {} : { error: outcome.reason }) });
  return outcome;
}
