import type { EngineContext } from '../engine-context';
import { describeError } from '../errors';
import type { Caller } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { newId } from '../ids';
import type { MemoryOwner } from './customer-memory';
import type { PastConversation } from './memory-records';
import { redactCase } from './redact-case';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type MemoryFlowDeps = Pick<EngineContext, 'config' | 'audit' | 'logger' | 'clock' | 'memory' | 'registry'>;

/** "that fixed it", "works now", "problem solved"… said by the customer. */
const RESOLVED = /\b(that (fixed|solved|did) it|(it|that|this) (worked|works)( now)?|works now|(problem|issue)( is| was)? (solved|resolved|fixed|sorted)|all (good|sorted) now|resolved)\b/i;
/** "not fixed", "still doesn't work": the opposite. */
const NEGATED = /\b(not|n't|still|no longer)\b/i;
const MAX_CASE_CHARS = 400;

/** Whose memory a conversation touches: the customer (first speaker) in this workspace. */
export function memoryOwner(session: SessionState, caller: Caller): MemoryOwner {
  return { workspace: `${session.conversation.platform}:${session.conversation.workspaceId}`, userId: (session.customer ?? caller).userId };
}

/** Whether a customer's message says the problem is solved. */
export function saysResolved(text: string): boolean {
  return RESOLVED.test(text) && !NEGATED.test(text);
}

/** The memory part of the system prompt: the customer's own history and anonymised past cases. */
export function memoryPrompt(memory: SessionState['memory']): string {
  if (!memory) return '';
  return [memory.history ? `\n\n${memory.history}` : '', memory.pastCases ? `\n\n${memory.pastCases}` : ''].join('');
}

/**
 * Memory around a customer's message: on the first message of a
 * conversation, recall their history and the most similar solved cases (kept
 * in the session for every later model call); when they say the problem is
 * solved, store the case. Memory failures never fail the turn.
 */
export async function rememberTurn(ctx: MemoryFlowDeps, session: SessionState, caller: Caller, text: string): Promise<void> {
  const memory = ctx.memory;
  if (!memory || caller.userId !== (session.customer ?? caller).userId) return;
  try {
    if (session.memory) {
      if (saysResolved(text)) await recordSolved(ctx, session, caller, undefined);
      return;
    }
    const owner = memoryOwner(session, caller);
    const [past, cases] = await Promise.all([memory.history(owner), memory.similarCases(owner.workspace, text, 2, session.id)]);
    const earlier = past.filter((c) => c.sessionId !== session.id);
    session.memory = {
      ...(earlier.length > 0 ? { history: historyText(earlier, ctx.config.memoryRetentionMs) } : {}),
      ...(cases.length > 0
        ? {
            pastCases: [
              'Past cases (other conversations in this workspace, anonymised). They are hints about what solved similar problems, not facts about this customer: check with your tools, and cite one as "a past case" if you use it.',
              ...cases.map((c) => `- Past case: problem: ${c.problem} | resolution: ${c.resolution}`),
            ].join('\n'),
          }
        : {}),
    };
    await memory.recordConversation(owner, session.id, (entry) => ({ ...entry, specialists: session.route?.specialists ?? entry.specialists }));
    ctx.audit.write({ event: 'memory_recalled', user_id: caller.userId, session_id: session.id, past_conversations: earlier.length, past_cases: cases.length, success: true });
  } catch (error) {
    ctx.logger.warn({ sessionId: session.id, err: describeError(error) }, 'memory unavailable for this turn');
  }
}

/**
 * Store the conversation as a solved case (problem in the customer's words,
 * resolution from the bot's last answer or the staff note), redacted, and
 * mark it resolved in the customer's history. Audited as `case_solved`.
 */
export async function recordSolved(ctx: MemoryFlowDeps, session: SessionState, by: Caller, note: string | undefined): Promise<void> {
  const memory = ctx.memory;
  if (!memory) return;
  const owner = memoryOwner(session, by);
  const users = session.history.filter((m) => m.role === 'user' && !m.content.startsWith('[while handed off')).map((m) => m.content);
  const lastAnswer = session.history.findLast((m) => m.role === 'assistant' && m.content && !/handed this conversation back/.test(m.content));
  const resolutionSource = note ?? (lastAnswer?.role === 'assistant' ? lastAnswer.content ?? '' : '');
  if (users.length === 0 || resolutionSource.trim() === '') return;
  const people = [session.customer?.displayName, by.displayName, session.customer?.userId, by.userId].filter((p): p is string => Boolean(p));
  const clip = (s: string) => (s.length > MAX_CASE_CHARS ? `${s.slice(0, MAX_CASE_CHARS - 1)}…` : s);
  await memory.addSolvedCase(owner.workspace, {
    id: newId('case'),
    ownerId: owner.userId,
    sessionId: session.id,
    at: ctx.clock.now(),
    specialists: session.route?.specialists ?? [],
    problem: clip(redactCase(users.slice(0, 2).join(' / '), people)),
    resolution: clip(redactCase(resolutionSource, people)),
  });
  await memory.recordConversation(owner, session.id, (entry) => ({ ...entry, outcome: 'resolved', specialists: session.route?.specialists ?? entry.specialists, tickets: ticketsOf(ctx, session) }));
  ctx.audit.write({ event: 'case_solved', user_id: by.userId, session_id: session.id, by: note === undefined ? 'customer' : 'staff', success: true });
}

/** Mark the conversation as handed to staff in the customer's history. */
export async function recordEscalated(ctx: MemoryFlowDeps, session: SessionState, caller: Caller): Promise<void> {
  if (!ctx.memory) return;
  await ctx.memory
    .recordConversation(memoryOwner(session, caller), session.id, (entry) => ({ ...entry, outcome: 'escalated', specialists: session.route?.specialists ?? entry.specialists, tickets: ticketsOf(ctx, session) }))
    .catch((error: unknown) => ctx.logger.warn({ sessionId: session.id, err: describeError(error) }, 'memory not updated'));
}

/** Ticket ids from the successful calls of tools that open tickets (`opensTicket`). */
function ticketsOf(ctx: Pick<EngineContext, 'registry'>, session: SessionState): string[] {
  return session.actions.filter((a) => a.outcome === 'ok' && ctx.registry.get(a.tool)?.opensTicket === true).flatMap((a) => a.summary.match(/\b[A-Z]{2,6}-\d+\b/g) ?? []);
}

/** A short summary of earlier conversations: counts, outcomes, recurring topics, tickets. */
export function historyText(earlier: readonly PastConversation[], retentionMs: number): string {
  const resolved = earlier.filter((c) => c.outcome === 'resolved').length;
  const escalated = earlier.filter((c) => c.outcome === 'escalated').length;
  const topics = new Map<string, number>();
  for (const c of earlier) for (const s of c.specialists) topics.set(s, (topics.get(s) ?? 0) + 1);
  const recurring = [...topics].filter(([, n]) => n > 1).map(([s, n]) => `${s} ×${n}`);
  const tickets = [...new Set(earlier.flatMap((c) => c.tickets))];
  const days = Math.round(retentionMs / 86_400_000);
  return [
    `This customer's history (last ${days} days): ${earlier.length} earlier conversation${earlier.length === 1 ? '' : 's'}, ${resolved} resolved, ${escalated} handed to staff, ${earlier.length - resolved - escalated} without a known outcome.`,
    recurring.length > 0 ? `Recurring topics: ${recurring.join(', ')}.` : '',
    tickets.length > 0 ? `Tickets opened earlier: ${tickets.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
