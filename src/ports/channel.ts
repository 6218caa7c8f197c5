/** Port: what the engine calls back on a platform (one channel per platform). */
import type { ApprovalView } from './approvals';
import type { ConversationRef, MessageRef } from './conversations';
import type { EscalationView } from './escalations';
import type { Caller, Sender } from './identity';
import type { Alert, OutboundMessage, StreamContext } from './messages';
import type { ReplyStream } from './reply-stream';

/** What the engine calls back. One channel per platform. */
export interface Channel {
  /** Platform name; conversations with this `platform` are routed here. */
  readonly platform: string;
  /** Post a message in the conversation's thread. */
  postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef | undefined>;
  /** Show that the bot is working (typing, placeholder); returns a function that stops it. */
  startWorking?(conversation: ConversationRef): Promise<() => Promise<void>>;
  /** Render an approval request with approve/deny controls. */
  postApproval(view: ApprovalView): Promise<MessageRef | undefined>;
  /** Re-render an approval after a decision or expiry (controls removed). */
  updateApproval(ref: MessageRef, view: ApprovalView): Promise<void>;
  /** Notify the on-call destination of an escalation; returns the notice so it can be updated. */
  notifyOncall(view: EscalationView): Promise<MessageRef | undefined>;
  /** Update an on-call notice (claimed, closed). */
  updateOncall?(ref: MessageRef, view: EscalationView): Promise<void>;
  /** Send an operational alert to on-call. */
  alertOncall?(alert: Alert): Promise<void>;
  /**
   * Start showing a reply as it is written (streamed text, tool progress).
   * Undefined when the platform or this conversation cannot stream; the
   * engine then posts the finished reply with `postMessage`.
   */
  openStream?(conversation: ConversationRef, context: StreamContext): Promise<ReplyStream | undefined>;
  /**
   * Resolve a `Sender` to a `Caller` with the role the platform grants now.
   * Required when the adapter passes senders; failures must resolve to `guest`.
   */
  identify?(sender: Sender): Promise<Caller>;
}
