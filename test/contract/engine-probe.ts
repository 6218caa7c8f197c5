import type { Caller, Channel, CommandInput, ConversationRef, DecisionInput, Engine, FeedbackInput, InboundMessage } from '../../src/index';

/** One call an adapter made into the engine, and how it ended. */
export interface ProbeCall {
  method: 'handleMessage' | 'isActiveConversation' | 'decideApproval' | 'claimEscalation' | 'handBack' | 'stopTurn' | 'command' | 'feedback' | 'resolveConversation' | 'talkToHuman';
  /** handleMessage: the platform message id. */
  messageId?: string;
  /** The conversation's thread, when the call names one. */
  threadId?: string;
  /** decideApproval / claimEscalation: the approval or escalation id. */
  targetId?: string;
  decision?: string;
  /** Who acted (sender, clicker). */
  userId?: string;
  settled: boolean;
  /** The resolved value, once settled without error. */
  result?: unknown;
  failed?: boolean;
}

/**
 * A pass-through Engine that records every call and when it settles, so a
 * driver can tell when an adapter without an `idle()` of its own (Discord)
 * has finished handling something. It changes nothing the adapter sees.
 */
export class EngineProbe implements Engine {
  readonly calls: ProbeCall[] = [];

  constructor(private readonly inner: Engine) {}

  /** Engine calls still running. */
  get inFlight(): number {
    return this.calls.filter((c) => !c.settled).length;
  }

  attach(channel: Channel): void {
    this.inner.attach(channel);
  }
  handleMessage(message: InboundMessage) {
    return this.record({ method: 'handleMessage', messageId: message.messageId, ...who(message.conversation, message.caller) }, this.inner.handleMessage(message));
  }
  stopTurn(input: { conversation: ConversationRef; caller: Caller }) {
    return this.record({ method: 'stopTurn', threadId: input.conversation.threadId, userId: input.caller.userId }, this.inner.stopTurn(input));
  }
  isActiveConversation(conversation: ConversationRef) {
    return this.record({ method: 'isActiveConversation', threadId: conversation.threadId }, this.inner.isActiveConversation(conversation));
  }
  decideApproval(input: DecisionInput) {
    return this.record({ method: 'decideApproval', targetId: input.approvalId, decision: input.decision, userId: input.decider.userId }, this.inner.decideApproval(input));
  }
  approval(approvalId: string) {
    return this.inner.approval(approvalId);
  }
  claimEscalation(input: { escalationId: string; caller: Caller }) {
    return this.record({ method: 'claimEscalation', targetId: input.escalationId, userId: input.caller.userId }, this.inner.claimEscalation(input));
  }
  handBack(input: { conversation: ConversationRef; caller: Caller }) {
    return this.record({ method: 'handBack', ...who(input.conversation, input.caller) }, this.inner.handBack(input));
  }
  command(input: CommandInput) {
    return this.record({ method: 'command', userId: input.caller.userId, ...(input.conversation ? { threadId: input.conversation.threadId } : {}) }, this.inner.command(input));
  }
  feedback(input: FeedbackInput) {
    return this.record({ method: 'feedback', ...who(input.conversation, input.caller) }, this.inner.feedback(input));
  }
  resolveConversation(input: { conversation: ConversationRef; caller: Caller }) {
    return this.record({ method: 'resolveConversation', ...who(input.conversation, input.caller) }, this.inner.resolveConversation(input));
  }
  talkToHuman(input: { conversation: ConversationRef; caller: Caller; permalink?: string }) {
    return this.record({ method: 'talkToHuman', ...who(input.conversation, input.caller) }, this.inner.talkToHuman(input));
  }
  outcomes() {
    return this.inner.outcomes();
  }
  status() {
    return this.inner.status();
  }
  costReport(caller: Caller) {
    return this.inner.costReport(caller);
  }
  sweep() {
    return this.inner.sweep();
  }
  start(): void {
    this.inner.start();
  }
  stop() {
    return this.inner.stop();
  }

  private record<T>(call: Omit<ProbeCall, 'settled'>, work: Promise<T>): Promise<T> {
    const entry: ProbeCall = { ...call, settled: false };
    this.calls.push(entry);
    work.then(
      (result) => Object.assign(entry, { settled: true, result }),
      () => Object.assign(entry, { settled: true, failed: true }),
    );
    return work;
  }
}

function who(conversation: ConversationRef, caller: { userId: string }): Pick<ProbeCall, 'threadId' | 'userId'> {
  return { threadId: conversation.threadId, userId: caller.userId };
}
