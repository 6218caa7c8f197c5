/** Where things happen: conversations (platform threads), posted messages and inbound user messages. */
import type { Caller, Sender } from './identity';

/** Identifies one conversation: a platform thread. One conversation is one session. */
export interface ConversationRef {
  /** Platform name, e.g. `slack`. */
  platform: string;
  /** Slack team id, Discord guild id (or `@me` for DMs), `local` for the console. */
  workspaceId: string;
  /** Channel the thread lives in. */
  channelId: string;
  /** Thread id: Slack root `ts`, Discord thread channel id, DM channel id. */
  threadId: string;
}

/** Where a message posted by the bot lives, so it can be updated later. */
export interface MessageRef {
  /** Platform name, e.g. `slack`. */
  platform: string;
  /** Channel (or DM) the message was posted in. */
  channelId: string;
  /** Platform message id (Slack `ts`, Discord snowflake). */
  messageId: string;
}

/** A user message delivered by an adapter. */
export interface InboundMessage {
  /** The thread it was written in. */
  conversation: ConversationRef;
  /** Who wrote it: a resolved `Caller`, or a `Sender` the channel identifies in turn. */
  caller: Caller | Sender;
  /** Message text with the bot mention removed. */
  text: string;
  /** Platform message id; the engine de-duplicates redeliveries on it. */
  messageId: string;
  /** Link to the thread, used in hand-off summaries. */
  permalink?: string;
  /**
   * A message in a thread that did not address the bot. It is handled when
   * the bot takes part in the conversation, decided in arrival order: a
   * follow-up sent while the bot's first answer is still being written counts.
   */
  followUp?: boolean;
  /**
   * What the user is looking at, as the platform reports it (Slack's agent
   * view: the channel open beside the conversation). Read-only context: recorded, never acted on.
   */
  context?: { channelId?: string };
}
