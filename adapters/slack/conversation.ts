import { z } from 'zod';
import type { ConversationRef } from '../../src/index';

/** Platform name used in every ref this adapter produces. */
export const SLACK_PLATFORM = 'slack';

/** Where a reply goes: a channel and, unless it is the DM itself, a thread. */
export interface ThreadTarget {
  channel: string;
  thread_ts?: string;
}

/** DM channel ids start with `D`; Slack also says so in `channel_type: 'im'`. */
export function isDirectMessage(channelId: string, channelType?: string): boolean {
  return channelType === 'im' || (channelType === undefined && channelId.startsWith('D'));
}

/**
 * The session a message belongs to. In channels, the thread (a top-level
 * mention starts one under itself). In a DM, the DM itself, unless the user
 * replied in a thread there, which is then its own session.
 */
export function conversationOf(input: { teamId: string; channel: string; ts: string; threadTs?: string; dm: boolean }): ConversationRef {
  const threadId = input.dm ? (input.threadTs ?? input.channel) : (input.threadTs ?? input.ts);
  return { platform: SLACK_PLATFORM, workspaceId: input.teamId, channelId: input.channel, threadId };
}

/** The channel and thread to post into for a conversation. */
export function threadTarget(conversation: ConversationRef): ThreadTarget {
  // A DM's main timeline uses the channel id as its thread id.
  return conversation.threadId === conversation.channelId
    ? { channel: conversation.channelId }
    : { channel: conversation.channelId, thread_ts: conversation.threadId };
}

/**
 * The id the engine de-duplicates on. Slack's `message` and `app_mention`
 * events for one post, and every redelivery, share channel and `ts`.
 */
export function messageIdOf(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

/** A stable key for in-process maps keyed by conversation. */
export function conversationKey(conversation: ConversationRef): string {
  return `${conversation.workspaceId}/${conversation.channelId}/${conversation.threadId}`;
}

/** Finds and removes mentions of one bot (`<@U123>` or `<@U123|name>`). */
export interface BotMention {
  /** The text without the bot's mentions, spaces tidied. */
  strip(text: string): string;
  /** Whether the text mentions the bot. */
  foundIn(text: string | undefined): boolean;
}

/** Compile the bot's mention pattern once (per adapter), not once per event. */
export function botMention(botUserId: string): BotMention {
  const all = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g');
  const one = new RegExp(all.source);
  return {
    // `replace` with a global pattern resets lastIndex itself, so sharing it is safe.
    strip: (text) => text.replace(all, ' ').replace(/[ \t]{2,}/g, ' ').trim(),
    foundIn: (text) => text !== undefined && one.test(text),
  };
}

/**
 * A thread from a Slack message link, e.g.
 * `https://acme.slack.com/archives/C123/p1700000000123456?thread_ts=1700000000.000100&cid=C123`.
 * Slash commands cannot be typed in threads, so `/support handback <link>` names the thread this way.
 */
export function threadFromLink(text: string): { channel: string; threadTs: string } | undefined {
  const m = /\/archives\/([CGD][A-Z0-9]+)\/p(\d{10})(\d{6})(?:\?([^\s>|]*))?/.exec(text);
  if (!m) return undefined;
  const query = new URLSearchParams((m[4] ?? '').replace(/&amp;/g, '&'));
  const threadTs = query.get('thread_ts');
  return { channel: m[1]!, threadTs: threadTs !== null && /^\d+\.\d+$/.test(threadTs) ? threadTs : `${m[2]}.${m[3]}` };
}

const valueSchema = z.object({ w: z.string(), c: z.string(), t: z.string() });

/** Encode a conversation into a button value (only ids; the engine re-checks everything). */
export function encodeConversation(conversation: ConversationRef): string {
  return JSON.stringify({ w: conversation.workspaceId, c: conversation.channelId, t: conversation.threadId });
}

/** Decode {@link encodeConversation}; undefined when the value is not one. */
export function decodeConversation(value: string | undefined): ConversationRef | undefined {
  if (value === undefined) return undefined;
  try {
    const v = valueSchema.parse(JSON.parse(value));
    return { platform: SLACK_PLATFORM, workspaceId: v.w, channelId: v.c, threadId: v.t };
  } catch {
    return undefined;
  }
}
