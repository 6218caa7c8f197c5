import { describeError } from '../errors';
import type { EngineContext } from '../engine-context';
import { escalate } from '../escalation/escalation-flow';
import type { Caller, TurnResult } from '../ports';
import { sessionIdOf } from '../sessions/session-state';
import type { OpenTurn } from '../sessions/turn-journal';
import { emptyResult } from './finish-run';
import { handleMessage } from './handle-message';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type RecoverTurnsDeps = Pick<EngineContext, 'config' | 'store' | 'sealer' | 'model' | 'resilience' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'journal' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'specialists' | 'routerModel' | 'memory' | 'texts' | 'registry'>;

/** Interrupted turns are run again this many times; interrupted once more, the thread goes to a person. */
const MAX_RETRIES = 1;

export const RESTARTED_NOTICE = 'Sorry for the wait: I was restarted while working on your message, so I am picking it up again now.';

/**
 * Pick up messages whose replica stopped (crash, deploy past the shutdown
 * deadline) before answering them: tell the thread, then run the turn again
 * from the last saved state, or hand the thread to a person when the retry was
 * interrupted too. Each orphan is taken over by one replica only.
 * Returns the restarted turns, which run in the background.
 */
export async function recoverTurns(ctx: RecoverTurnsDeps, run: (work: Promise<TurnResult>) => void): Promise<number> {
  let recovered = 0;
  for await (const turn of ctx.journal.orphans()) {
    try {
      if (!(await ctx.journal.claim(turn))) continue;
      recovered += 1;
      ctx.audit.write({
        event: 'turn_recovered',
        session_id: sessionIdOf(turn.message.conversation),
        message_id: turn.message.messageId,
        attempts: turn.attempts + 1,
        interrupted_owner: turn.owner,
        success: true,
      });
      if (turn.attempts >= MAX_RETRIES) {
        run(handToPerson(ctx, turn));
        continue;
      }
      await ctx.channels.post(turn.message.conversation, { kind: 'notice', text: RESTARTED_NOTICE });
      run(handleMessage(ctx, turn.message, { recovered: true }));
    } catch (error) {
      ctx.logger.error({ err: describeError(error) }, 'turn recovery failed');
    }
  }
  return recovered;
}

async function handToPerson(ctx: RecoverTurnsDeps, turn: OpenTurn): Promise<TurnResult> {
  const { message } = turn;
  const caller: Caller =
    'role' in message.caller
      ? message.caller
      : { userId: message.caller.userId, platform: message.caller.platform, displayName: message.caller.userId, role: 'guest', roleSource: 'unresolved' };
  try {
    return await ctx.sessions.withSession(message.conversation, async (session) => {
      session.history.push({ role: 'user', content: message.text });
      const reply = "Sorry, I couldn't finish answering this after being restarted, so I've asked a human teammate to take over.";
      const record = await escalate(ctx, session, caller, { trigger: 'turn_interrupted', urgency: 'high', reason: 'The bot was restarted twice while answering this message' }, { reply });
      session.history.push({ role: 'assistant', content: reply });
      const result: TurnResult = { ...emptyResult(session.id, 'escalated', false), reply, errors: [{ code: 'turn_interrupted', message: 'Interrupted repeatedly' }] };
      if (record) result.escalationId = record.id;
      return result;
    });
  } finally {
    await ctx.journal.close(message).catch(() => undefined);
  }
}
