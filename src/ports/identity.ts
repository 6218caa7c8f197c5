/** Who is speaking: roles, resolved callers and senders whose role is looked up in turn. */

/** Roles in increasing order of trust. Always decided by the channel, never by the conversation. */
export type Role = 'guest' | 'member' | 'staff' | 'admin';

/** Who is speaking or clicking, as established by the platform. */
export interface Caller {
  /** Platform user id (Slack `U…`, Discord snowflake, console name). */
  userId: string;
  /** Platform name, e.g. `slack`, `discord`, `console`. */
  platform: string;
  /** Human-readable name for summaries and approval cards. */
  displayName: string;
  /** Highest role the platform grants this user. */
  role: Role;
  /** Why the user has that role, for the audit trail (e.g. `slack:is_admin`). */
  roleSource?: string;
}

/**
 * The sender of a message whose role is not known yet. Adapters whose role
 * lookup is a network call pass this instead of a `Caller`: the message joins
 * the conversation's queue at once, and the engine asks the channel
 * (`Channel.identify`) inside the turn, so a slow lookup never reorders messages.
 */
export interface Sender {
  /** Platform user id. */
  userId: string;
  /** Platform name, e.g. `slack`. */
  platform: string;
  /** The sender's own workspace when the platform says it (Slack `user_team`), to spot external users. */
  teamId?: string;
  /** Name to show, when the message already carries it. */
  displayName?: string;
}
