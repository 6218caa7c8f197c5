import type { ConversationRef } from '../../src/index';
import { conversationKey } from './conversation';

/** An assistant (agent view) thread: a DM thread Slack opened for the app. */
export interface AssistantThread {
  channel: string;
  threadTs: string;
  /** The channel the user is looking at beside the thread, when Slack says. */
  contextChannelId?: string;
  /** Whether the thread got its title. */
  titled: boolean;
}

/**
 * The assistant threads this process has seen (from `assistant_thread_started`)
 * and the replies it is streaming, so Slack's stop button (which names only
 * message timestamps) leads back to a conversation. Bounded, in memory: after a
 * restart a thread simply behaves like a DM thread.
 */
export class AssistantThreads {
  private readonly threads = new Map<string, AssistantThread>();
  private readonly streams = new Map<string, ConversationRef>();
  private readonly running = new Map<string, ConversationRef>();

  constructor(private readonly max = 5_000) {}

  /** Remember a thread Slack opened (or refresh its context). */
  started(channel: string, threadTs: string, contextChannelId?: string): AssistantThread {
    const key = `${channel}:${threadTs}`;
    const thread = this.threads.get(key) ?? { channel, threadTs, titled: false };
    if (contextChannelId !== undefined) thread.contextChannelId = contextChannelId;
    this.remember(this.threads, key, thread);
    return thread;
  }

  /** The user looks at another channel: keep it as the thread's context. */
  contextChanged(channel: string, threadTs: string | undefined, contextChannelId: string | undefined): void {
    if (threadTs !== undefined) {
      this.started(channel, threadTs, contextChannelId);
      return;
    }
    // `app_context_changed` names only the DM: every thread of it shares what the user looks at.
    for (const thread of this.threads.values()) if (thread.channel === channel && contextChannelId !== undefined) thread.contextChannelId = contextChannelId;
  }

  /** The assistant thread a conversation is, if it is one. */
  of(conversation: ConversationRef): AssistantThread | undefined {
    return this.threads.get(`${conversation.channelId}:${conversation.threadId}`);
  }

  /** A streamed message belongs to this conversation (until it is finished). */
  streaming(channel: string, ts: string, conversation: ConversationRef): void {
    this.remember(this.streams, `${channel}:${ts}`, conversation);
    this.remember(this.running, channel, conversation);
  }

  /** The conversation a streamed message belongs to. */
  conversationOfStream(channel: string, ts: string): ConversationRef | undefined {
    return this.streams.get(`${channel}:${ts}`);
  }

  /** The conversation last streamed into in a channel (a DM's `/support stop`). */
  lastStreamedIn(channel: string): ConversationRef | undefined {
    return this.running.get(channel);
  }

  /** The reply of a conversation is finished: forget its messages. */
  finished(conversation: ConversationRef): void {
    const key = conversationKey(conversation);
    for (const [ts, c] of this.streams) if (conversationKey(c) === key) this.streams.delete(ts);
    const last = this.running.get(conversation.channelId);
    if (last && conversationKey(last) === key) this.running.delete(conversation.channelId);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.max) map.delete(map.keys().next().value ?? '');
  }
}
