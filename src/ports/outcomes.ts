/** Feedback from the person helped and how conversations end, with their rates. */
import type { ConversationRef, MessageRef } from './conversations';
import type { Caller } from './identity';

/** A thumbs up or down from the person helped. */
export type FeedbackRating = 'up' | 'down';

/** A thumbs up or down as an adapter passes it. */
export interface FeedbackInput {
  /** The conversation rated. */
  conversation: ConversationRef;
  /** Who rated it (only the person helped counts). */
  caller: Caller;
  /** Up or down. */
  rating: FeedbackRating;
  /** "What went wrong", optional free text (personal data: sealed in the audit trail). */
  reason?: string;
  /** The answer rated, when the platform says which. */
  messageRef?: MessageRef;
}

/** How a conversation ended; `open` until then. */
export type ConversationOutcome = 'open' | 'resolved' | 'escalated' | 'abandoned';

/** Result of feedback, "That solved it" and "Talk to a human". */
export type ConversationActionOutcome =
  | { ok: true; message: string; escalationId?: string }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_handed_off'; message: string };

/** Outcome counts and rates over one period (a day or an ISO week). */
export interface OutcomePeriodReport {
  /** `2026-11-22` or `2026-W47`. */
  period: string;
  /** Conversations whose outcome was decided in the period. */
  conversations: number;
  /** Resolved by the bot alone (the user said so, or went quiet after an answer). */
  resolvedByBot: number;
  /** Resolved by the bot with a single user message. */
  firstContactResolved: number;
  /** Handed to humans. */
  escalated: number;
  /** Escalated, then handed back by a human (or marked solved). */
  escalatedResolved: number;
  /** Ended neither resolved nor escalated. */
  abandoned: number;
  /** Thumbs up given in the period. */
  feedbackUp: number;
  /** Thumbs down given in the period. */
  feedbackDown: number;
  /** Model spend of the conversations ended in the period. */
  costUsd: number;
  /** resolvedByBot / conversations, undefined without conversations (likewise below). */
  automationRate?: number;
  /** firstContactResolved / conversations. */
  firstContactResolutionRate?: number;
  /** escalated / conversations. */
  escalationRate?: number;
  /** Share of thumbs up among feedback given in the period. */
  csat?: number;
  /** costUsd / (resolvedByBot + escalatedResolved). */
  costPerResolvedUsd?: number;
}

/** Outcomes today and this week, in `BUDGET_TIMEZONE` calendar periods. */
export interface OutcomeReport {
  /** The current calendar day. */
  today: OutcomePeriodReport;
  /** The current ISO week. */
  week: OutcomePeriodReport;
}
