import { DiscordAPIError, HTTPError, Routes, type APIMessage, type REST } from 'discord.js';
import { PlatformError, describeError, isRetryableStatus } from '../../src/index';
import type {
  Caller,
  Sender,
  Alert,
  ApprovalView,
  Channel,
  ConversationRef,
  EscalationView,
  Logger,
  MessageRef,
  OutboundMessage,
  ReplyStream,
  StreamContext,
} from '../../src/index';
import { approvalMessage, oncallMessage, textMessage, type DiscordMessageBody } from './components';
import type { RoleGrant } from './discord-roles';
import { DiscordReplyStream } from './discord-reply-stream';
import { replyControlsRow } from './feedback-controls';
import { splitMessage } from './split-message';

export interface DiscordChannelOptions {
  /** discord.js's REST client: it queues per rate-limit bucket and retries 429s. */
  rest: REST;
  oncallChannelId: string | undefined;
  logger: Logger;
  /** Discord shows typing for about 10 s; re-send a little sooner. */
  typingIntervalMs?: number;
  /** Stop typing on our own after this long, in case a caller never does. */
  maxTypingMs?: number;
  /** Roles for senders the engine asks about (DMs); without it they are guests. */
  roles?: { resolve(userId: string): Promise<RoleGrant> };
  /** Clock for the streaming interval. */
  now?: () => number;
  /** Least time between two writes of a streamed reply (default 1.5 s). */
  streamIntervalMs?: number;
}

/**
 * The engine's way back into Discord. Everything goes through REST by id, so
 * it works for threads and DMs alike without relying on discord.js caches.
 * A conversation's messages go to its `threadId` (thread or DM channel).
 */
export class DiscordChannel implements Channel {
  readonly platform = 'discord';
  private readonly typingIntervalMs: number;
  private readonly maxTypingMs: number;
  private readonly typingTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: DiscordChannelOptions) {
    this.typingIntervalMs = options.typingIntervalMs ?? 8_000;
    this.maxTypingMs = options.maxTypingMs ?? 10 * 60_000;
  }

  /** {@link Channel.identify}: the sender's role from the configured guilds (cached); failures are guests. */
  async identify(sender: Sender): Promise<Caller> {
    const grant = this.options.roles ? await this.options.roles.resolve(sender.userId) : { role: 'guest' as const, source: 'discord:unresolved' };
    return { userId: sender.userId, platform: 'discord', displayName: sender.displayName ?? sender.userId, role: grant.role, roleSource: grant.source };
  }

  /** Posts the text split into messages of at most 2,000 characters (a final answer's controls under the last); returns the first. */
  async postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef | undefined> {
    let first: MessageRef | undefined;
    const chunks = splitMessage(message.text);
    const controls = replyControlsRow(conversation.threadId, message.controls);
    for (const [i, chunk] of chunks.entries()) {
      const body = controls && i === chunks.length - 1 ? { ...textMessage(chunk), components: [controls] } : textMessage(chunk);
      const ref = await this.create(conversation.threadId, body);
      first ??= ref;
    }
    return first;
  }

  /**
   * {@link Channel.openStream}: the reply is written into the thread as it
   * arrives (see `DiscordReplyStream`); typing continues meanwhile.
   */
  async openStream(conversation: ConversationRef, _context: StreamContext): Promise<ReplyStream> {
    const channelId = conversation.threadId;
    return new DiscordReplyStream({
      threadId: channelId,
      logger: this.options.logger,
      now: this.options.now ?? (() => Date.now()),
      minIntervalMs: this.options.streamIntervalMs,
      messages: {
        post: (body) => this.create(channelId, body),
        edit: (ref, body) => this.edit(ref, body),
        remove: (ref) => this.call('delete message', () => this.options.rest.delete(Routes.channelMessage(ref.channelId, ref.messageId))).then(() => undefined),
      },
    });
  }

  /** Sends typing now and every few seconds until the returned function is called. */
  async startWorking(conversation: ConversationRef): Promise<() => Promise<void>> {
    const channelId = conversation.threadId;
    let lastSend: Promise<void> = Promise.resolve();
    const sendTyping = () =>
      (lastSend = this.options.rest
        .post(Routes.channelTyping(channelId))
        .then(() => undefined)
        .catch((error: unknown) => {
          // Typing is cosmetic: a failure must not fail the turn.
          this.options.logger.debug({ channelId, error: describeError(error) }, 'discord typing failed');
        }));
    await sendTyping();
    const startedAt = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - startedAt > this.maxTypingMs) return void stop();
      void sendTyping();
    }, this.typingIntervalMs);
    timer.unref();
    this.typingTimers.add(timer);
    const stop = async () => {
      clearInterval(timer);
      this.typingTimers.delete(timer);
      // Once stopped, no typing request is still on its way (it would show typing after the answer).
      await lastSend;
    };
    return stop;
  }

  /** Approval card with Approve / Deny buttons, in the conversation. */
  async postApproval(view: ApprovalView): Promise<MessageRef | undefined> {
    return this.create(view.conversation.threadId, approvalMessage(view));
  }

  /** Re-renders the card; buttons disappear once the approval is no longer pending. */
  async updateApproval(ref: MessageRef, view: ApprovalView): Promise<void> {
    await this.edit(ref, approvalMessage(view));
  }

  /** Escalation notice with a Claim button in the on-call channel (the conversation channel's own, when it names one). */
  async notifyOncall(view: EscalationView): Promise<MessageRef | undefined> {
    const channelId = view.oncallChannelId ?? this.oncallChannel('escalation');
    return channelId === undefined ? undefined : this.create(channelId, oncallMessage(view));
  }

  /** Shows who claimed it (with a Hand back button) or that it is closed. */
  async updateOncall(ref: MessageRef, view: EscalationView): Promise<void> {
    await this.edit(ref, oncallMessage(view));
  }

  /** Budget alerts go to the on-call channel as plain text. */
  async alertOncall(alert: Alert): Promise<void> {
    const channelId = this.oncallChannel('alert');
    if (channelId !== undefined) await this.create(channelId, textMessage(`⚠️ **${alert.kind} alert**: ${alert.text}`.slice(0, 2000)));
  }

  /** Stops every typing loop still running (adapter shutdown). */
  stopAllTyping(): void {
    for (const timer of this.typingTimers) clearInterval(timer);
    this.typingTimers.clear();
  }

  private oncallChannel(what: string): string | undefined {
    if (this.options.oncallChannelId === undefined) {
      this.options.logger.warn({ what }, 'DISCORD_ONCALL_CHANNEL is not set; on-call notice not sent');
    }
    return this.options.oncallChannelId;
  }

  private async create(channelId: string, body: DiscordMessageBody): Promise<MessageRef> {
    const message = (await this.call('create message', () =>
      this.options.rest.post(Routes.channelMessages(channelId), { body }),
    )) as APIMessage;
    return { platform: this.platform, channelId: message.channel_id, messageId: message.id };
  }

  private async edit(ref: MessageRef, body: DiscordMessageBody): Promise<void> {
    await this.call('edit message', () => this.options.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body }));
  }

  /** Discord failures become `PlatformError`s with a stable code (`discord_<code>`). 429s never get here: REST waits them out. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toPlatformError(what, error);
    }
  }
}

/** Our error for a failed Discord request; keeps Discord's numeric code and the HTTP status. */
export function toPlatformError(what: string, error: unknown): PlatformError {
  if (error instanceof DiscordAPIError) {
    return new PlatformError(`discord_${error.code}`, `Discord refused to ${what}: ${error.message} (HTTP ${error.status})`, {
      cause: error,
      retryable: isRetryableStatus(error.status),
    });
  }
  if (error instanceof HTTPError) {
    return new PlatformError(`discord_http_${error.status}`, `Discord failed to ${what} (HTTP ${error.status})`, {
      cause: error,
      retryable: isRetryableStatus(error.status),
    });
  }
  return new PlatformError('discord_network', `Could not reach Discord to ${what}: ${describeError(error)}`, {
    cause: error,
    retryable: true,
  });
}
