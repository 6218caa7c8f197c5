import type { Alert, ApprovalView, Caller, Channel, ConversationRef, EscalationView, MessageRef, OutboundMessage, Sender } from '../../src/ports';

/** A Channel that records everything the engine asks it to show. */
export class RecordingChannel implements Channel {
  readonly posts: Array<{ conversation: ConversationRef; message: OutboundMessage }> = [];
  readonly approvals: ApprovalView[] = [];
  readonly approvalUpdates: Array<{ ref: MessageRef; view: ApprovalView }> = [];
  readonly oncall: EscalationView[] = [];
  readonly oncallUpdates: Array<{ ref: MessageRef; view: EscalationView }> = [];
  readonly alerts: Alert[] = [];
  working = 0;
  /** Set by tests that pass senders instead of callers. */
  identify?: (sender: Sender) => Promise<Caller>;
  /**
   * When set, `notifyOncall` awaits it before answering (tests hold a notice in
   * flight); returning `'fail'` makes the call throw, `'none'` answers undefined
   * like a platform with no on-call destination.
   */
  oncallGate: ((view: EscalationView) => Promise<void | 'fail' | 'none'>) | undefined;
  private seq = 0;

  constructor(readonly platform = 'test') {}

  async postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef> {
    this.posts.push({ conversation, message });
    return { platform: this.platform, channelId: conversation.channelId, messageId: `m${++this.seq}` };
  }

  async startWorking(): Promise<() => Promise<void>> {
    this.working += 1;
    return async () => {
      this.working -= 1;
    };
  }

  async postApproval(view: ApprovalView): Promise<MessageRef> {
    this.approvals.push(view);
    return { platform: this.platform, channelId: view.conversation.channelId, messageId: `approval-${view.id}` };
  }

  async updateApproval(ref: MessageRef, view: ApprovalView): Promise<void> {
    this.approvalUpdates.push({ ref, view });
  }

  async notifyOncall(view: EscalationView): Promise<MessageRef | undefined> {
    const gate = await this.oncallGate?.(view);
    if (gate === 'fail') throw new Error('on-call channel unreachable');
    if (gate === 'none') return undefined;
    this.oncall.push(view);
    return { platform: this.platform, channelId: 'oncall', messageId: `oncall-${view.id}-${view.notifications}` };
  }

  async updateOncall(ref: MessageRef, view: EscalationView): Promise<void> {
    this.oncallUpdates.push({ ref, view });
  }

  async alertOncall(alert: Alert): Promise<void> {
    this.alerts.push(alert);
  }

  /** Texts posted in one conversation (or all). */
  texts(conversation?: ConversationRef): string[] {
    return this.posts.filter((p) => !conversation || p.conversation.threadId === conversation.threadId).map((p) => p.message.text);
  }
}
