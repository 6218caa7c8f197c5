import { describeError } from '../errors';
import { markerKeys, type EngineContext } from '../engine-context';
import { escalate, isUndelivered, undeliveredNotice } from '../escalation/escalation-flow';
import { detectEscalation, type DetectedEscalation } from '../escalation/triggers';
import type { Caller, InboundMessage, Sender, TurnResult } from '../ports';
import { auditTextContext } from '../sessions/sealer';
import type { SaveBatch } from '../sessions/save-batch';
import { sessionIdOf, type SessionState } from '../sessions/session-state';
import { rememberTurn } from '../memory/memory-flow';
import { routeConversation } from '../specialists/route-conversation';
import { emptyResult, runToCompletion } from './finish-run';
import { noteUserMessage } from '../outcomes/outcome-flow';

/** What this module's flows use of the engine context (callers pass the whole context). */
export type HandleMessageDeps = Pick<EngineContext, 'config' | 'store' | 'sealer' | 'model' | 'resilience' | 'budget' | 'audit' | 'logger' | 'clock' | 'channels' | 'sessions' | 'running' | 'journal' | 'approvals' | 'escalations' | 'stats' | 'loop' | 'specialists' | 'routerModel' | 'memory' | 'texts' | 'registry'>;

/** Redeliveries (Slack retries, gateway replays) arrive within minutes; a day is ample. */
const DEDUPE_TTL_MS = 86_400_000;

/** The answer to an empty message when no plugin gives one (`prompts.welcome`). */
export const HELP_PROMPT = "Hi! I'm the support assistant. Tell me what you need help with — or say *human* to reach a person.";

/** How many answered message ids a session remembers, to spot a recovered turn that already ran. */
const RECENT_MESSAGE_IDS = 20;

export interface HandleOptions {
  /** A turn taken over after a crash: the journal entry exists and de-duplication already let it through. */
  recovered?: boolean;
}

/**
 * One user message: journal it and take its place in the session's queue
 * at once, then — in its turn — de-duplicate, identify the sender, record
 * it, stay quiet during hand-off, escalate on request or abuse, or run the
 * tool-calling loop and post the outcome.
 */
export function handleMessage(ctx: HandleMessageDeps, message: InboundMessage, options: HandleOptions = {}): Promise<TurnResult> {
  // Journal and join the session's queue before the first await: that is what keeps arrival order and
  // survives a crash. Chatter in threads this process does not serve is journaled only once it proves to be ours.
  // The de-duplication marker rides in the journal's round trip; a recovered turn already passed it.
  const arrival: Promise<Arrival> | undefined = options.recovered
    ? Promise.resolve({ opened: true, markerStored: true })
    : !message.followUp || ctx.sessions.knownLocally(message.conversation)
      ? ctx.journal.openWith(message, { key: markerKeys.inbound(message.conversation.platform, message.messageId), value: 1, ttlMs: DEDUPE_TTL_MS })
      : undefined;
  arrival?.catch(() => undefined);
  return ctx.sessions.inOrder(message.conversation, async () => {
    let owned = false;
    let closedWithSave: Promise<boolean> | undefined;
    try {
      // A failed arrival write leaves the marker to be set in turn, as for chatter journaled late.
      const arrived = arrival ? await arrival.catch(() => undefined) : undefined;
      owned = arrived?.opened ?? false;
      const result = await handleInOrder(ctx, message, options, arrived?.markerStored, {
        journalLate: async () => {
          if (!arrival) owned = await ctx.journal.open(message).catch(() => false);
        },
        // The journal entry goes in the session save's transaction: answered and saved, or still open.
        closeWith: (batch) => {
          if (owned) closedWithSave = ctx.journal.closeWith(batch, message);
        },
      });
      return result;
    } finally {
      // A crash skips this, leaving the turn for recovery; everything else has told the user something.
      if (owned && !(await closedWithSave)) {
        await ctx.journal.close(message).catch((error: unknown) => ctx.logger.warn({ err: describeError(error) }, 'turn journal not closed'));
      }
    }
  });
}

/** What the arrival write found: whether this copy opened the journal entry and set the de-duplication marker. */
interface Arrival {
  opened: boolean;
  markerStored: boolean;
}

async function handleInOrder(
  ctx: HandleMessageDeps,
  message: InboundMessage,
  options: HandleOptions,
  firstCopy: boolean | undefined,
  journal: { journalLate: () => Promise<void>; closeWith: (batch: SaveBatch) => void },
): Promise<TurnResult> {
  const startedAt = ctx.clock.now();
  const { conversation } = message;
  const sessionId = sessionIdOf(conversation);
  const text = message.text.trim();

  // Decided here, in arrival order: a follow-up sent while the first answer was being written finds the session saved.
  if (message.followUp && !(await ctx.sessions.exists(conversation))) return emptyResult(sessionId, 'ignored', true);
  const fresh = firstCopy ?? (options.recovered || (await ctx.store.setIfAbsent(markerKeys.inbound(conversation.platform, message.messageId), 1, DEDUPE_TTL_MS)));
  if (!fresh) return emptyResult(sessionId, 'duplicate', true);
  await journal.journalLate();
  const caller = await identify(ctx, message.caller);
  ctx.audit.write({
    event: 'inbound_message',
    user_id: caller.userId,
    session_id: sessionId,
    platform: conversation.platform,
    role: caller.role,
    role_source: caller.roleSource,
    message_id: message.messageId,
    ...(message.context?.channelId !== undefined ? { context_channel_id: message.context.channelId } : {}),
    chars: text.length,
    // The words themselves are personal data: kept only encrypted.
    text_sealed: ctx.sealer.seal(text.slice(0, ctx.config.maxMessageChars), auditTextContext(sessionId)),
    success: true,
  });

  if (text === '') {
    const welcome = ctx.texts.welcome ?? HELP_PROMPT;
    await ctx.channels.post(conversation, { kind: 'reply', text: welcome });
    return { ...emptyResult(sessionId, 'refused', false), reply: welcome, errors: [{ code: 'empty_message', message: 'The message was empty' }] };
  }
  if (text.length > ctx.config.maxMessageChars) {
    const reply = `That message is ${text.length.toLocaleString('en-US')} characters long; I can read up to ${ctx.config.maxMessageChars.toLocaleString('en-US')}. Could you shorten it or send the key part?`;
    await ctx.channels.post(conversation, { kind: 'error', text: reply });
    return { ...emptyResult(sessionId, 'refused', false), reply, errors: [{ code: 'message_too_long', message: reply }] };
  }

  try {
    return await ctx.sessions.locked(conversation, async (session, batch): Promise<TurnResult> => {
      journal.closeWith(batch);
      if (options.recovered && session.recentMessageIds?.includes(message.messageId)) return emptyResult(sessionId, 'duplicate', true);
      rememberMessage(session, message.messageId);
      session.customer ??= caller;
      await noteUserMessage(ctx, session);
      if (session.handoff) {
        // Humans have the thread: record for context, say nothing.
        session.history.push({ role: 'user', content: `[while handed off to a human] ${caller.displayName}: ${text}` });
        return emptyResult(sessionId, 'handed_off', true);
      }
      if (session.paused) {
        // Asking for a person, or abuse, does not wait for the pending decision.
        const urgent = detectEscalation(text);
        if (urgent) {
          session.history.push({ role: 'user', content: text });
          session.turns += 1;
          return escalateNow(ctx, session, caller, urgent, message.permalink, startedAt);
        }
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
        // Before escalation: a hand-off summary includes what memory knows about the customer.
        await rememberTurn(ctx, session, caller, text);
        return escalateNow(ctx, session, caller, detected, message.permalink, startedAt);
      }
      // Independent set-up runs together, so the model is asked sooner (each may wait on the store or the router
      // model). Routing starts first: its rules decide synchronously, so memory records the route they chose.
      await Promise.all([routeConversation(ctx, session, caller, text), rememberTurn(ctx, session, caller, text)]);

      return runToCompletion(ctx, session, { caller }, { startedAt, batch, ...(message.permalink ? { permalink: message.permalink } : {}) });
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

/** The sender's role as the platform grants it now; anything that fails is a guest. */
async function identify(ctx: HandleMessageDeps, who: Caller | Sender): Promise<Caller> {
  if ('role' in who) return who;
  const channel = ctx.channels.get(who.platform);
  try {
    if (channel?.identify) return await channel.identify(who);
    ctx.logger.warn({ platform: who.platform }, 'channel cannot identify senders; treating as guest');
  } catch (error) {
    ctx.logger.warn({ platform: who.platform, err: describeError(error) }, 'sender lookup failed; treating as guest');
  }
  return { userId: who.userId, platform: who.platform, displayName: who.userId, role: 'guest', roleSource: 'unresolved' };
}

function rememberMessage(session: SessionState, messageId: string): void {
  const ids = session.recentMessageIds ?? [];
  ids.push(messageId);
  session.recentMessageIds = ids.slice(-RECENT_MESSAGE_IDS);
}

/** Hand the thread to a person at the user's request (or on abuse), without asking the model. */
async function escalateNow(
  ctx: HandleMessageDeps,
  session: SessionState,
  caller: Caller,
  detected: DetectedEscalation,
  permalink: string | undefined,
  startedAt: number,
): Promise<TurnResult> {
  const reply =
    detected.trigger === 'user_request'
      ? "Of course — I've asked a human teammate to join."
      : "I'm sorry this has been so frustrating. I've asked a human teammate to join.";
  const record = await escalate(ctx, session, caller, detected, { reply, ...(permalink ? { permalink } : {}) });
  // What the user was actually told: on-call may not have been reached.
  const said = record && isUndelivered(record) ? undeliveredNotice(record.id) : reply;
  // After the summary was written, so on-call sees the bot's last real answer.
  session.history.push({ role: 'assistant', content: said });
  const result: TurnResult = { ...emptyResult(session.id, 'escalated', true), reply: said, latencyMs: ctx.clock.now() - startedAt };
  if (record) result.escalationId = record.id;
  if (session.paused) result.pendingApprovals = session.paused.pending.map((p) => p.approvalId);
  ctx.stats.record(session.id, result.latencyMs, true);
  return result;
}
