import { PlatformError, describeError } from '../../src/index';
import type {
  Alert,
  ApprovalView,
  Caller,
  Channel,
  ConversationRef,
  EscalationView,
  Logger,
  MessageRef,
  OutboundMessage,
  ReplyStream,
  Sender,
  StreamContext,
} from '../../src/index';
import { renderApproval } from './approval-blocks';
import { AssistantThreads } from './assistant-threads';
import { BackgroundWork, CLEANUP_DELAY_MS } from './background-work';
import { ACTION_IDS, type Block, type SlackMessage, renderAlert, renderText } from './blocks';
import { SLACK_PLATFORM, type ThreadTarget, conversationKey, encodeConversation, threadTarget } from './conversation';
import { CONTROLS_BLOCK_ID, SlackReplyStream, type SlackReplyStreamOptions } from './reply-stream';
import { replyControlBlocks, withReplyControls } from './feedback-blocks';
import { renderOncall } from './oncall-blocks';
import { Placeholders } from './placeholders';
import { type SlackApi, slackErrorName, errorFields } from './slack-api';

/** Options for {@link SlackChannel}. */
export interface SlackChannelOptions {
  api: SlackApi;
  logger: Logger;
  /** Channel id for escalations and alerts; without it they are logged and dropped. */
  oncallChannel?: string;
  /** Placeholder shown while the bot works. */
  workingText?: string;
  /** See {@link PlaceholdersOptions.graceMs}. */
  placeholderGraceMs?: number;
  /** See {@link PlaceholdersOptions.delayMs}. */
  placeholderDelayMs?: number;
  /** Stream replies (`chat.startStream`); false posts finished replies only. Default true. */
  streaming?: boolean;
  /** Buffering and limits of streamed replies (tests shorten them). */
  streamTuning?: Pick<SlackReplyStreamOptions, 'flushMs' | 'flushChars' | 'maxChars' | 'maxAgeMs' | 'fallbackIntervalMs'>;
  /** Clock for stream ages and update pacing. */
  now?: () => number;
  /** Where cosmetic clean-ups run, a little later (see {@link BackgroundWork.later}); without it they run at once. */
  background?: BackgroundWork;
}

// What the assistant status says while the bot works (Slack rotates them).
const LOADING_MESSAGES = ['Reading your message…', 'Checking what I can look up…', 'Writing an answer…'];

// Errors after which posting anything else to the same place is pointless.
const UNREACHABLE = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'restricted_action',
  'rate_limited',
  'ekm_access_denied',
]);

const DELIVERY_APOLOGY =
  ':warning: Sorry, I could not post my answer here (Slack refused it). Please try again in a moment.';

/** The engine's way back into Slack: threads, placeholders, approval cards, on-call notices. */
export class SlackChannel implements Channel {
  /** {@link Channel.platform}. */
  readonly platform = SLACK_PLATFORM;
  private readonly api: SlackApi;
  private readonly logger: Logger;
  private readonly oncallChannel: string | undefined;
  private readonly placeholders: Placeholders;
  private readonly permalinks = new Map<string, string>();
  private identifier: ((sender: Sender) => Promise<Caller>) | undefined;
  private readonly streaming: boolean;
  private readonly streamTuning: SlackChannelOptions['streamTuning'];
  private readonly now: () => number;
  private readonly background: BackgroundWork | undefined;
  /** Assistant threads seen and replies being streamed. */
  readonly threads = new AssistantThreads();

  constructor(options: SlackChannelOptions) {
    this.api = options.api;
    this.streaming = options.streaming ?? true;
    this.streamTuning = options.streamTuning;
    this.now = options.now ?? Date.now;
    this.background = options.background;
    this.logger = options.logger;
    this.oncallChannel = options.oncallChannel;
    this.placeholders = new Placeholders({
      api: options.api,
      logger: options.logger,
      text: options.workingText,
      graceMs: options.placeholderGraceMs,
      delayMs: options.placeholderDelayMs,
      // The message that says the bot is working is where it can be stopped.
      controls: stopControls,
    });
  }

  /** {@link Channel.postMessage}: the first part replaces the placeholder, long answers continue below. */
  /** Roles come from Slack once connected; until then a sender counts as a guest. */
  useIdentifier(identify: (sender: Sender) => Promise<Caller>): void {
    this.identifier = identify;
  }

  /** {@link Channel.identify}: the sender's role from users.info and the staff user group (cached). */
  async identify(sender: Sender): Promise<Caller> {
    if (this.identifier) return this.identifier(sender);
    return { userId: sender.userId, platform: SLACK_PLATFORM, displayName: sender.userId, role: 'guest', roleSource: 'slack:not_connected' };
  }

  async postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef | undefined> {
    const parts = withReplyControls(renderText(message), conversation, message.controls);
    if (parts.length === 0) return undefined;
    const target = threadTarget(conversation);
    let first: MessageRef | undefined;
    try {
      for (const [i, part] of parts.entries()) {
        const ts = i === 0 ? await this.replaceOrPost(conversation, target, part) : await this.api.postMessage({ ...target, ...part });
        first ??= ref(target.channel, ts);
      }
      return first;
    } catch (error) {
      return this.deliveryFailed(target, error, first);
    }
  }

  /**
   * {@link Channel.startWorking}: in an assistant thread, its status with
   * loading messages (cleared when done); elsewhere a placeholder message.
   */
  async startWorking(conversation: ConversationRef): Promise<() => Promise<void>> {
    const thread = this.threads.of(conversation);
    if (!thread) return this.placeholders.start(conversation);
    await this.setStatus(conversation, 'is thinking…', LOADING_MESSAGES);
    return () => this.setStatus(conversation, '');
  }

  /**
   * {@link Channel.openStream}: the reply streamed into its thread, with tool
   * steps as task updates and a Stop button (assistant threads have Slack's
   * own). A DM's main timeline has no thread to stream into: posted as before.
   */
  async openStream(conversation: ConversationRef, context: StreamContext): Promise<ReplyStream | undefined> {
    if (!this.streaming || conversation.threadId === conversation.channelId) return undefined;
    // The streamed message shows the work; a "working on it" placeholder beside it would repeat it.
    // Retired at once (never posted, or deleted in the background): the first words need not wait.
    void this.placeholders.retire(conversation);
    const assistant = this.threads.of(conversation) !== undefined;
    const stream = new SlackReplyStream({
      api: this.api,
      logger: this.logger,
      target: { channel: conversation.channelId, thread_ts: conversation.threadId },
      recipient: { userId: context.recipient.userId, teamId: conversation.workspaceId },
      now: this.now,
      ...this.streamTuning,
      ...(assistant ? {} : { controls: stopControls(conversation) }),
      // A finished answer ends with the same feedback controls as a posted one.
      closingBlocks: (final) => (final.controls ? replyControlBlocks(conversation, final.controls) : []),
      onStep: assistant ? (step) => void this.setStatus(conversation, step.status === 'in_progress' ? `${step.title}…` : 'is thinking…') : undefined,
      onMessage: (ts) => this.threads.streaming(conversation.channelId, ts, conversation),
      ...(this.background ? { cleanup: (label: string, task: () => Promise<void>) => this.background?.later(label, CLEANUP_DELAY_MS, task) } : {}),
    });
    return {
      append: (text) => stream.append(text),
      progress: (step) => stream.progress(step),
      finish: async (final) => {
        try {
          return await stream.finish(final);
        } finally {
          this.threads.finished(conversation);
        }
      },
      cancel: async (note) => {
        try {
          await stream.cancel(note);
        } finally {
          this.threads.finished(conversation);
        }
      },
    };
  }

  /** An assistant thread's status line; cosmetic, so failures are only logged. */
  private async setStatus(conversation: ConversationRef, status: string, loading?: readonly string[]): Promise<void> {
    try {
      await this.api.setAssistantStatus({ channel_id: conversation.channelId, thread_ts: conversation.threadId, status, ...(loading ? { loading_messages: loading } : {}) });
    } catch (error) {
      this.logger.debug({ channel: conversation.channelId, ...errorFields(error) }, 'slack assistant status not set');
    }
  }

  /** {@link Channel.postApproval}: the approval card, in the thread. */
  async postApproval(view: ApprovalView): Promise<MessageRef | undefined> {
    const target = threadTarget(view.conversation);
    const ts = await this.replaceOrPost(view.conversation, target, renderApproval(view));
    return ref(target.channel, ts);
  }

  /** {@link Channel.updateApproval}: re-render in place; buttons go once decided or expired. */
  async updateApproval(messageRef: MessageRef, view: ApprovalView): Promise<void> {
    await this.api.update({ channel: messageRef.channelId, ts: messageRef.messageId, ...renderApproval(view) });
  }

  /** {@link Channel.notifyOncall}: the notice with a permalink and Claim / Hand back buttons, in the conversation's on-call channel. */
  async notifyOncall(view: EscalationView): Promise<MessageRef | undefined> {
    // The conversation's channel may name its own on-call channel (AGENT_CONFIG `channels:`).
    const target = view.oncallChannelId ?? this.oncallChannel;
    if (target === undefined) {
      this.logger.warn({ escalationId: view.id }, 'slack escalation not posted: SLACK_ONCALL_CHANNEL is not set');
      return undefined;
    }
    const message = renderOncall(view, await this.permalinkFor(view));
    const ts = await this.api.postMessage({ channel: target, ...message });
    return ref(target, ts);
  }

  /** {@link Channel.updateOncall}: e.g. "Claimed by @someone". */
  async updateOncall(messageRef: MessageRef, view: EscalationView): Promise<void> {
    const message = renderOncall(view, await this.permalinkFor(view));
    await this.api.update({ channel: messageRef.channelId, ts: messageRef.messageId, ...message });
  }

  /** {@link Channel.alertOncall}: budget alerts to the on-call channel. */
  async alertOncall(alert: Alert): Promise<void> {
    if (this.oncallChannel === undefined) {
      this.logger.warn({ kind: alert.kind }, 'slack alert not posted: SLACK_ONCALL_CHANNEL is not set');
      return;
    }
    await this.api.postMessage({ channel: this.oncallChannel, ...renderAlert(alert) });
  }

  /** Retire leftover placeholders (shutdown). */
  async close(): Promise<void> {
    await this.placeholders.flush();
  }

  private async replaceOrPost(conversation: ConversationRef, target: ThreadTarget, message: SlackMessage): Promise<string> {
    const placeholder = await this.placeholders.take(conversation);
    if (placeholder) {
      try {
        await this.api.update({ channel: placeholder.channel, ts: placeholder.ts, ...message });
        return placeholder.ts;
      } catch (error) {
        // Someone deleted the placeholder, or Slack refused the edit: post instead, and retire
        // the placeholder whatever happens so no "working on it" is left behind.
        this.logger.warn({ channel: placeholder.channel, ...errorFields(error) }, 'slack placeholder update failed; posting');
        try {
          return await this.api.postMessage({ ...target, ...message });
        } finally {
          await this.api.delete(placeholder.channel, placeholder.ts).catch(() => undefined);
        }
      }
    }
    return this.api.postMessage({ ...target, ...message });
  }

  private async deliveryFailed(target: ThreadTarget, error: unknown, delivered: MessageRef | undefined): Promise<MessageRef | undefined> {
    const slackError = slackErrorName(error);
    this.logger.error({ channel: target.channel, slackError, ...errorFields(error) }, 'slack message not delivered');
    if (slackError !== undefined && UNREACHABLE.has(slackError)) throw error;
    // Slack refused this content (blocks, size) but the thread is reachable: tell the user.
    try {
      const ts = await this.api.postMessage({ ...target, text: DELIVERY_APOLOGY });
      return delivered ?? ref(target.channel, ts);
    } catch (second) {
      this.logger.error({ channel: target.channel, ...errorFields(second) }, 'slack apology not delivered either');
      throw error instanceof PlatformError ? error : new PlatformError('slack_unexpected', describeError(error), { cause: error });
    }
  }

  private async permalinkFor(view: EscalationView): Promise<string | undefined> {
    if (view.permalink) return view.permalink;
    const conversation = view.conversation;
    // A DM's main timeline has no root message to link to.
    if (conversation.threadId === conversation.channelId) return undefined;
    const key = conversationKey(conversation);
    const cached = this.permalinks.get(key);
    if (cached) return cached;
    try {
      const link = await this.api.getPermalink(conversation.channelId, conversation.threadId);
      if (this.permalinks.size >= 1_000) this.permalinks.delete(this.permalinks.keys().next().value ?? '');
      this.permalinks.set(key, link);
      return link;
    } catch (error) {
      this.logger.warn({ channel: conversation.channelId, ...errorFields(error) }, 'slack permalink lookup failed');
      return undefined;
    }
  }
}

/** The Stop button shown on a reply while it is written. */
export function stopControls(conversation: ConversationRef): Block[] {
  return [
    {
      type: 'actions',
      block_id: CONTROLS_BLOCK_ID,
      elements: [{ type: 'button', action_id: ACTION_IDS.stop, text: { type: 'plain_text', text: 'Stop' }, value: encodeConversation(conversation) }],
    },
  ];
}

function ref(channelId: string, messageId: string): MessageRef {
  return { platform: SLACK_PLATFORM, channelId, messageId };
}
