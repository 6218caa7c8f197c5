/** Hand-offs to humans as the on-call channel shows them, and the results of claiming and handing back. */
import type { ConversationRef } from './conversations';
import type { Role } from './identity';

/** How soon on-call should look; decides re-notification. */
export type Urgency = 'low' | 'normal' | 'high' | 'urgent';

/** Where a hand-off stands: waiting, taken by someone, or handed back. */
export type EscalationStatus = 'open' | 'claimed' | 'closed';

/** A hand-off to humans, as rendered in the on-call channel. */
export interface EscalationView {
  /** Opaque id; the Claim button carries only this. */
  id: string;
  /** The conversation handed off. */
  conversation: ConversationRef;
  /** Link to the thread, when the platform gives one. */
  permalink?: string;
  /** The person being helped. */
  customer: { userId: string; displayName: string; role: Role };
  /** What triggered it, e.g. `user_request`, `model_unavailable`. */
  trigger: string;
  /** Why, in plain words. */
  reason: string;
  /** How soon on-call should look. */
  urgency: Urgency;
  /** Short hand-off summary written by the engine. */
  summary: string;
  /** What the bot already did in this conversation. */
  stepsTaken: string[];
  /** Approvals or actions still waiting. */
  pending: string[];
  /** Where it stands now. */
  status: EscalationStatus;
  /** The staff member who took it. */
  claimedBy?: { userId: string; displayName: string };
  /** When it was raised (epoch ms). */
  createdAt: number;
  /** How many times on-call has been notified (1 on first notice). */
  notifications: number;
  /** Where to post the notice when the conversation's channel has its own on-call channel; undefined = the platform's. */
  oncallChannelId?: string;
}

/** What claiming did: the updated view, or why it was refused. */
export type ClaimOutcome =
  | { ok: true; view: EscalationView }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_claimed' | 'closed'; message: string; view?: EscalationView };

/** What handing back did, or why it was refused. */
export type HandbackOutcome =
  | { ok: true; message: string }
  | { ok: false; reason: 'not_allowed' | 'not_handed_off'; message: string };
