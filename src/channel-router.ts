import { describeError } from './errors';
import type {
  Alert,
  ApprovalView,
  AuditSink,
  Channel,
  ConversationRef,
  EscalationView,
  Logger,
  MessageRef,
  OutboundMessage,
  ReplyStream,
  StreamContext,
} from './ports';

/**
 * Routes engine callbacks to the channel of a conversation's platform. A
 * platform failure is logged and audited, never thrown into the engine: a
 * failed post must not lose the turn or crash the process.
 */
export class ChannelRouter {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly deps: {
      logger: Logger;
      audit: AuditSink;
      /** The on-call channel for escalations from this conversation's channel; undefined = the platform's own. */
      oncallFor?: (conversation: ConversationRef) => string | undefined;
    },
  ) {}

  attach(channel: Channel): void {
    this.channels.set(channel.platform, channel);
  }

  get(platform: string): Channel | undefined {
    return this.channels.get(platform);
  }

  async post(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef | undefined> {
    return this.call(conversation.platform, 'postMessage', (c) => c.postMessage(conversation, message));
  }

  /**
   * Starts the platform's working indicator without waiting for it: posting a
   * placeholder is a platform round trip the answer should not queue behind.
   * The returned stop function waits for the start and never throws.
   */
  startWorking(conversation: ConversationRef): () => Promise<void> {
    const started = this.call(conversation.platform, 'startWorking', (c) => c.startWorking?.(conversation) ?? Promise.resolve(undefined));
    return async () => {
      const stop = await started;
      if (stop) await this.call(conversation.platform, 'stopWorking', () => stop().then(() => undefined));
    };
  }

  /** A streamed reply, when the platform can show one here. */
  async openStream(conversation: ConversationRef, context: StreamContext): Promise<ReplyStream | undefined> {
    return this.call(conversation.platform, 'openStream', (c) => c.openStream?.(conversation, context) ?? Promise.resolve(undefined));
  }

  /** Whether the conversation's platform can stream replies. */
  canStream(platform: string): boolean {
    return this.channels.get(platform)?.openStream !== undefined;
  }

  async postApproval(view: ApprovalView): Promise<MessageRef | undefined> {
    return this.call(view.conversation.platform, 'postApproval', (c) => c.postApproval(view));
  }

  async updateApproval(ref: MessageRef | undefined, view: ApprovalView): Promise<void> {
    if (!ref) return;
    await this.call(view.conversation.platform, 'updateApproval', (c) => c.updateApproval(ref, view));
  }

  /** Escalations go to the on-call channel of the conversation's channel when it has one (`channels:` `oncall`). */
  async notifyOncall(view: EscalationView): Promise<MessageRef | undefined> {
    const target = this.deps.oncallFor?.(view.conversation);
    const routed = target === undefined ? view : { ...view, oncallChannelId: target };
    return this.call(view.conversation.platform, 'notifyOncall', (c) => c.notifyOncall(routed));
  }

  async updateOncall(ref: MessageRef | undefined, view: EscalationView): Promise<void> {
    if (!ref) return;
    await this.call(view.conversation.platform, 'updateOncall', (c) => c.updateOncall?.(ref, view) ?? Promise.resolve());
  }

  /** Operational alerts go to every platform's on-call destination. */
  async alertAll(alert: Alert): Promise<void> {
    await Promise.all([...this.channels.keys()].map((platform) => this.call(platform, 'alertOncall', (c) => c.alertOncall?.(alert) ?? Promise.resolve())));
  }

  /** An alert for the on-call destination of one platform (feedback from that platform's users). */
  async alert(platform: string, alert: Alert): Promise<void> {
    await this.call(platform, 'alertOncall', (c) => c.alertOncall?.(alert) ?? Promise.resolve());
  }

  private async call<T>(platform: string, operation: string, fn: (channel: Channel) => Promise<T>): Promise<T | undefined> {
    const channel = this.channels.get(platform);
    if (!channel) {
      this.deps.logger.warn({ platform, operation }, 'no channel attached for platform');
      return undefined;
    }
    try {
      return await fn(channel);
    } catch (error) {
      this.deps.logger.error({ platform, operation, err: describeError(error) }, 'channel call failed');
      this.deps.audit.write({ event: 'platform_error', platform, operation, success: false, error: describeError(error) });
      return undefined;
    }
  }
}
