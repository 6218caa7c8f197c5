import type { ApprovalView, Channel, ConversationRef, EscalationView, MessageRef, OutboundMessage } from '../../src/ports';

/** A posted message with the conversation it went to. */
export interface RecordedPost {
  conversation: ConversationRef;
  message: OutboundMessage;
}

/** The eval's Channel: records what the engine shows, so expectations and safety checks can read it. */
export class EvalChannel implements Channel {
  readonly posts: RecordedPost[] = [];
  /** Every approval as first shown, then as updated (latest state last). */
  readonly approvals: ApprovalView[] = [];
  readonly approvalUpdates: ApprovalView[] = [];
  readonly oncall: EscalationView[] = [];
  private seq = 0;

  constructor(readonly platform: string) {}

  async postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef> {
    this.posts.push({ conversation, message });
    return { platform: this.platform, channelId: conversation.channelId, messageId: `m${++this.seq}` };
  }

  async postApproval(view: ApprovalView): Promise<MessageRef> {
    this.approvals.push(view);
    return { platform: this.platform, channelId: view.conversation.channelId, messageId: `approval-${view.id}` };
  }

  async updateApproval(_ref: MessageRef, view: ApprovalView): Promise<void> {
    this.approvalUpdates.push(view);
  }

  async notifyOncall(view: EscalationView): Promise<MessageRef> {
    this.oncall.push(view);
    return { platform: this.platform, channelId: 'oncall', messageId: `oncall-${view.id}-${view.notifications}` };
  }

  async updateOncall(): Promise<void> {}

  async alertOncall(): Promise<void> {}

  /** The approval a click decides: the newest still pending, else the newest shown (a late click on an old card). */
  approvalToDecide(): string | undefined {
    const decided = new Set(this.approvalUpdates.filter((v) => v.status !== 'pending').map((v) => v.id));
    return ([...this.approvals].reverse().find((v) => !decided.has(v.id)) ?? this.approvals.at(-1))?.id;
  }
}
