import { dueIndexes, type EngineContext } from '../engine-context';
import { conversationSchema, type OutcomeState, type SessionState } from '../sessions/session-state';
import type { ConversationRef } from '../ports';
import { countOutcome, type OutcomeCounter } from './outcome-counters';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type OutcomeFlowDeps = Pick<EngineContext, 'config' | 'store' | 'audit' | 'clock' | 'sessions'>;

/** How an episode's final status was decided. */
export type OutcomeDecision = 'user' | 'timeout' | 'human';

const SWEEP_BATCH = 100;
/** Batches per sweep, so a store that keeps failing cannot hold the sweep forever. */
const SWEEP_MAX_BATCHES = 10;

/** Due-index member of a conversation: its ref as JSON (ids may contain `:`, so the session id cannot be split back). */
function memberOf(conversation: ConversationRef): string {
  const { platform, workspaceId, channelId, threadId } = conversation;
  return JSON.stringify({ platform, workspaceId, channelId, threadId });
}

function conversationOf(member: string): ConversationRef | undefined {
  try {
    const parsed = conversationSchema.safeParse(JSON.parse(member));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The open episode, starting one when the last has been decided (a new question after "solved"). */
function openEpisode(session: SessionState, now: number): OutcomeState {
  if (!session.outcome || session.outcome.status !== 'open') session.outcome = { status: 'open', userMessages: 0, lastActivityAt: now, costUsd: 0 };
  return session.outcome;
}

async function scheduleQuietTime(ctx: OutcomeFlowDeps, session: SessionState, outcome: OutcomeState): Promise<void> {
  await ctx.store.schedule(dueIndexes.outcomes, memberOf(session.conversation), outcome.lastActivityAt + ctx.config.resolvedAfterMs);
}

/**
 * A user message arrived (inside the session's turn): count it and restart
 * the quiet time. Only a new episode writes to the due-time index; later
 * activity just moves `lastActivityAt`, and the sweep pushes the due time on
 * when it finds the entry early (one index write per episode, not per turn).
 */
export async function noteUserMessage(ctx: OutcomeFlowDeps, session: SessionState): Promise<void> {
  const now = ctx.clock.now();
  const fresh = !session.outcome || session.outcome.status !== 'open';
  const outcome = openEpisode(session, now);
  outcome.userMessages += 1;
  outcome.lastActivityAt = now;
  if (fresh) await scheduleQuietTime(ctx, session, outcome);
}

/** Whether an answer ends by asking the user something (then silence is not a resolution). */
export function asksQuestion(reply: string): boolean {
  const paragraphs = reply.trim().split(/\n\s*\n/);
  return (paragraphs[paragraphs.length - 1] ?? '').includes('?');
}

/** A run ended: add its spend and, for an answer, remember whether it asked something (the quiet time restarts). */
export async function noteRunEnded(ctx: OutcomeFlowDeps, session: SessionState, run: { costUsd: number; answer?: string }): Promise<void> {
  const now = ctx.clock.now();
  const fresh = !session.outcome || session.outcome.status !== 'open';
  const outcome = openEpisode(session, now);
  outcome.costUsd += Math.max(0, run.costUsd);
  if (run.answer !== undefined) {
    outcome.answered = true;
    outcome.askedQuestion = asksQuestion(run.answer);
    outcome.lastActivityAt = now;
  }
  // Normally the user's message opened the episode; a run resumed after its episode was decided opens one here.
  if (fresh) await scheduleQuietTime(ctx, session, outcome);
}

/** The conversation was handed to humans: whatever happens next, the episode counts as escalated. */
export function noteEscalated(ctx: OutcomeFlowDeps, session: SessionState): void {
  openEpisode(session, ctx.clock.now()).escalated = true;
}

/**
 * Decide the open episode's outcome, count it for the day and week, and audit
 * it. Escalated episodes stay escalated (resolved when a human handed back or
 * the user said so); otherwise the user's word resolves, and silence resolves
 * an answer that asked nothing and abandons the rest. No-op when nothing is open.
 */
export async function decideOutcome(ctx: OutcomeFlowDeps, session: SessionState, decision: OutcomeDecision): Promise<OutcomeState | undefined> {
  const outcome = session.outcome;
  if (!outcome || outcome.status !== 'open') return undefined;
  const now = ctx.clock.now();
  const counts: Partial<Record<OutcomeCounter, number>> = { conversations: 1, cost_usd: outcome.costUsd };
  if (outcome.escalated || decision === 'human') {
    outcome.status = 'escalated';
    counts.escalated = 1;
    if (decision !== 'timeout') {
      outcome.resolution = decision;
      counts.escalated_resolved = 1;
    }
  } else if (decision === 'user' || (outcome.answered && !outcome.askedQuestion)) {
    outcome.status = 'resolved';
    outcome.resolution = decision;
    counts.resolved_bot = 1;
    if (outcome.userMessages <= 1) counts.first_contact = 1;
  } else {
    outcome.status = 'abandoned';
    counts.abandoned = 1;
  }
  outcome.decidedAt = now;
  await ctx.store.unschedule(dueIndexes.outcomes, memberOf(session.conversation));
  await countOutcome(ctx.store, now, ctx.config.budget.timezone, counts);
  ctx.audit.write({
    event: 'conversation_outcome',
    session_id: session.id,
    outcome: outcome.status,
    resolution: outcome.resolution ?? 'none',
    user_messages: outcome.userMessages,
    cost_usd: outcome.costUsd,
    success: true,
  });
  return outcome;
}

/**
 * Decide the outcomes whose quiet time ran out: read from the due-time index,
 * never by scanning conversations. Activity since scheduling moves the due time on.
 */
export async function sweepOutcomes(ctx: OutcomeFlowDeps): Promise<number> {
  let decided = 0;
  for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
    const now = ctx.clock.now();
    const due = await ctx.store.due(dueIndexes.outcomes, now, SWEEP_BATCH);
    for (const member of due) {
      const conversation = conversationOf(member);
      if (!conversation || !(await ctx.sessions.exists(conversation))) {
        await ctx.store.unschedule(dueIndexes.outcomes, member);
        continue;
      }
      const done = await ctx.sessions.withSession(conversation, async (session) => {
        const outcome = session.outcome;
        if (!outcome || outcome.status !== 'open') {
          await ctx.store.unschedule(dueIndexes.outcomes, member);
          return false;
        }
        if (outcome.lastActivityAt + ctx.config.resolvedAfterMs > ctx.clock.now()) {
          await scheduleQuietTime(ctx, session, outcome);
          return false;
        }
        return (await decideOutcome(ctx, session, 'timeout')) !== undefined;
      });
      if (done) decided += 1;
    }
    if (due.length < SWEEP_BATCH) break;
  }
  return decided;
}
