import { describeError } from '../errors';
import { markerKeys, type EngineContext } from '../engine-context';
import { escalate, isUndelivered, undeliveredNotice } from '../escalation/escalation-flow';
import { detectEscalation } from '../escalation/triggers';
import type { InboundMessage, TurnResult } from '../ports';
import { auditTextContext } from '../sessions/sealer';
import { sessionIdOf } from '../sessions/session-state';
import { emptyResult, runToCompletion } from './finish-run';

/** Redeliveries (Slack retries, gateway replays) arrive within minutes; a day is ample. */
const DEDUPE_TTL_MS = 86_400_000;

export const HELP_PROMPT =
  "Hi! I'm the support assistant. Ask me about an order (e.g. *Where is my order ORD-1001?*), billing and refunds, account access or app problems — or say *human* to reach a person.";

/**
 * One user message: validate, de-duplicate, then — in the session's turn —
 * record it, stay quiet during hand-off, escalate on request or abuse, or
 * run the tool-calling loop and post the outcome.
 */
export function handleMessage(ctx: EngineContext, message: InboundMessage): Promise<TurnResult> {
  // Join the session's queue before the first await: that is what keeps arrival order.
  return ctx.sessions.inOrder(message.conversation, () => handleInOrder(ctx, message));
}

async function handleInOrder(ctx: EngineContext, message: InboundMessage): Promise<TurnResult> {
  const startedAt = ctx.clock.now();
  const { conversation, caller } = message;
  const sessionId = sessionIdOf(conversation);
  const text = message.text.trim();

  if (!(await ctx.store.setIfAbsent(markerKeys.inbound(conversation.platform, message.messageId), 1, DEDUPE_TTL_MS))) {
    return emptyResult(sessionId, 'duplicate', true);
  }
  ctx.audit.write({
    event: 'inbound_message',
    user_id: caller.userId,
    session_id: sessionId,
    platform: conversation.platform,
    role: caller.role,
    role_source: caller.roleSource,
    message_id: message.messageId,
    chars: text.length,
    // The words themselves are personal data: kept only encrypted.
    text_sealed: ctx.sealer.seal(text.slice(0, ctx.config.maxMessageChars), auditTextContext(sessionId)),
    success: true,
  });

  if (text === '') {
    await ctx.channels.post(conversation, { kind: 'reply', text: HELP_PROMPT });
    return { ...emptyResult(sessionId, 'refused', false), reply: HELP_PROMPT, errors: [{ code: 'empty_message', message: 'The message was empty' }] };
  }
  if (text.length > ctx.config.maxMessageChars) {
    const reply = `That message is ${text.length.toLocaleString('en-US')} characters long; I can read up to ${ctx.config.maxMessageChars.toLocaleString('en-US')}. Could you shorten it or send the key part?`;
    await ctx.channels.post(conversation, { kind: 'error', text: reply });
    return { ...emptyResult(sessionId, 'refused', false), reply, errors: [{ code: 'message_too_long', message: reply }] };
  }

  try {
    return await ctx.sessions.locked(conversation, async (session): Promise<TurnResult> => {
      session.customer ??= caller;
      if (session.handoff) {
        // Humans have the thread: record for context, say nothing.
        session.history.push({ role: 'user', content: `[while handed off to a human] ${caller.displayName}: ${text}` });
        return emptyResult(sessionId, 'handed_off', true);
      }
      if (session.paused) {
        session.paused.queued.push(text);
        const waiting = session.paused.pending.length;
        const reply = `I'm still waiting for a decision on ${waiting === 1 ? 'the request above' : `${waiting} requests above`}. I'll pick up your message as soon as it's decided.`;
        await ctx.channels.post(conversation, { kind: 'notice', text: reply });
        return { ...emptyResult(sessionId, 'paused', true), reply, pendingApprovals: session.paused.pending.map((p) => p.approvalId) };
      }
      session.history.push({ role: 'user', content: text });
      session.turns += 1;

      const detected = detectEscalation(text);
      if (detected) {
        const reply =
          detected.trigger === 'user_request'
            ? "Of course — I've asked a human teammate to join."
            : "I'm sorry this has been so frustrating. I've asked a human teammate to join.";
        const record = await escalate(ctx, session, caller, detected, { reply, ...(message.permalink ? { permalink: message.permalink } : {}) });
        // What the user was actually told: on-call may not have been reached.
        const said = record && isUndelivered(record) ? undeliveredNotice(record.id) : reply;
        // After the summary was written, so on-call sees the bot's last real answer.
        session.history.push({ role: 'assistant', content: said });
        const result: TurnResult = { ...emptyResult(sessionId, 'escalated', true), reply: said, latencyMs: ctx.clock.now() - startedAt };
        if (record) result.escalationId = record.id;
        ctx.stats.record(sessionId, result.latencyMs, true);
        return result;
      }

      return runToCompletion(ctx, session, { caller }, { startedAt, ...(message.permalink ? { permalink: message.permalink } : {}) });
    });
  } catch (error) {
    // Last line of defence: the user hears something, the process lives on.
    ctx.logger.error({ sessionId, err: describeError(error) }, 'turn failed');
    ctx.audit.write({ event: 'turn_failed', user_id: caller.userId, session_id: sessionId, success: false, error: describeError(error) });
    const reply = "Sorry — something went wrong on my side while handling that. Please try again in a moment, or say *human* to reach a person.";
    await ctx.channels.post(conversation, { kind: 'error', text: reply });
    ctx.stats.record(sessionId, ctx.clock.now() - startedAt, false);
    return { ...emptyResult(sessionId, 'failed', false), reply, errors: [{ code: 'internal', message: describeError(error) }] };
  }
}
