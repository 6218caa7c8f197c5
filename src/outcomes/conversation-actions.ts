import { scrubText } from '../audit/redact';
import type { EngineContext } from '../engine-context';
import { escalate, isUndelivered } from '../escalation/escalation-flow';
import { hasRole } from '../policy/roles';
import type { Caller, ConversationActionOutcome, ConversationRef, FeedbackInput } from '../ports';
import type { SessionState } from '../sessions/session-state';
import { countOutcome } from './outcome-counters';
import { decideOutcome, noteUserMessage } from './outcome-flow';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type ConversationActionsDeps = Pick<EngineContext, 'config' | 'store' | 'sealer' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'escalations' | 'memory' | 'registry'>;

/** Longest "what went wrong" kept; a modal's short text field allows about this much. */
export const MAX_FEEDBACK_REASON_CHARS = 500;
/** Feedback entries kept per conversation. */
const MAX_FEEDBACK_ENTRIES = 20;

/**
 * Whether the bot has this conversation: saved, or a turn for it is queued or
 * running here (a click on an answer can arrive before the turn that posted it saved).
 */
async function served(ctx: ConversationActionsDeps, conversation: ConversationRef): Promise<boolean> {
  return ctx.sessions.knownLocally(conversation) || (await ctx.sessions.exists(conversation));
}

/**
 * Whether `caller` speaks for the person helped: CSAT and "solved" mean
 * something only from them (a bystander in a shared channel must not close or
 * rate someone else's conversation). Staff may also resolve or escalate.
 */
function speaksForCustomer(session: SessionState, caller: Caller, staffToo: boolean): boolean {
  if (!session.customer || (session.customer.userId === caller.userId && session.customer.platform === caller.platform)) return true;
  return staffToo && hasRole(caller.role, 'staff');
}

const notAllowed: ConversationActionOutcome = { ok: false, reason: 'not_allowed', message: 'Only the person this conversation is helping can use that here.' };

const notFound: ConversationActionOutcome = { ok: false, reason: 'not_found', message: 'That conversation is no longer available.' };

/** Context of a feedback record's `reason_sealed`: bound to its field and session like `text_sealed`. */
export function feedbackReasonContext(sessionId: string): string {
  return `audit:reason_sealed:${sessionId}`;
}

/**
 * Record a thumbs up or down with the conversation, audit it (the reason
 * only sealed), count it, and tell on-call about a thumbs-down that says why.
 */
export async function giveFeedback(ctx: ConversationActionsDeps, input: FeedbackInput): Promise<ConversationActionOutcome> {
  if (!(await served(ctx, input.conversation))) return notFound;
  const reason = input.reason?.trim().slice(0, MAX_FEEDBACK_REASON_CHARS) || undefined;
  return ctx.sessions.withSession(input.conversation, async (session): Promise<ConversationActionOutcome> => {
    if (!speaksForCustomer(session, input.caller, false)) return notAllowed;
    const now = ctx.clock.now();
    const entries = session.feedback ?? [];
    entries.push({
      rating: input.rating,
      at: now,
      userId: input.caller.userId,
      ...(reason ? { reason } : {}),
      ...(input.messageRef ? { messageId: input.messageRef.messageId } : {}),
    });
    session.feedback = entries.slice(-MAX_FEEDBACK_ENTRIES);
    ctx.audit.write({
      event: 'feedback',
      user_id: input.caller.userId,
      session_id: session.id,
      rating: input.rating,
      message_id: input.messageRef?.messageId,
      has_reason: reason !== undefined,
      // What the person wrote is personal data: kept only encrypted, like message text.
      ...(reason ? { reason_sealed: ctx.sealer.seal(reason, feedbackReasonContext(session.id)) } : {}),
      success: true,
    });
    await countOutcome(ctx.store, now, ctx.config.budget.timezone, input.rating === 'up' ? { feedback_up: 1 } : { feedback_down: 1 });
    if (input.rating === 'down' && reason) {
      const who = `${input.caller.displayName} (${input.caller.platform})`;
      await ctx.channels.alert(session.conversation.platform, {
        kind: 'feedback',
        // On-call needs the words to act on them; credentials pasted by mistake are still scrubbed.
        text: `Thumbs down from ${who} in conversation ${session.id}: "${scrubText(reason)}"`,
      });
    }
    return { ok: true, message: input.rating === 'up' ? 'Thanks for the feedback!' : 'Thanks for telling us; the team will look at it.' };
  });
}

/** "That solved it": decide the conversation's outcome as resolved by the user. */
export async function resolveConversation(ctx: ConversationActionsDeps, conversation: ConversationRef, caller: Caller): Promise<ConversationActionOutcome> {
  if (!(await served(ctx, conversation))) return notFound;
  return ctx.sessions.withSession(conversation, async (session): Promise<ConversationActionOutcome> => {
    if (!speaksForCustomer(session, caller, true)) return notAllowed;
    const decided = await decideOutcome(ctx, session, 'user');
    if (!decided) return { ok: true, message: 'This conversation is already closed.' };
    ctx.audit.write({ event: 'conversation_resolved', user_id: caller.userId, session_id: session.id, success: true });
    const text = "Glad that's sorted! If anything else comes up, just write here.";
    session.history.push({ role: 'assistant', content: text });
    await ctx.channels.post(conversation, { kind: 'notice', text });
    return { ok: true, message: 'Marked as solved.' };
  });
}

/** "Talk to a human": hand the conversation to on-call with trigger `user_request`. */
export async function talkToHuman(ctx: ConversationActionsDeps, conversation: ConversationRef, caller: Caller, permalink?: string): Promise<ConversationActionOutcome> {
  if (!(await served(ctx, conversation))) return notFound;
  return ctx.sessions.withSession(conversation, async (session): Promise<ConversationActionOutcome> => {
    if (!speaksForCustomer(session, caller, true)) return notAllowed;
    if (session.handoff) return { ok: false, reason: 'already_handed_off', message: 'A human teammate has already been asked to join this conversation.' };
    // The click is the user's turn in the conversation.
    session.history.push({ role: 'user', content: '(pressed "Talk to a human")' });
    await noteUserMessage(ctx, session);
    const record = await escalate(
      ctx,
      session,
      caller,
      { trigger: 'user_request', urgency: 'normal', reason: 'Customer pressed "Talk to a human"' },
      { reply: "Of course — I've asked a human teammate to join.", ...(permalink ? { permalink } : {}) },
    );
    if (!record) return { ok: false, reason: 'already_handed_off', message: 'A human teammate has already been asked to join this conversation.' };
    return { ok: true, message: isUndelivered(record) ? 'On-call could not be reached yet; retrying.' : 'A human teammate has been asked to join.', escalationId: record.id };
  });
}
