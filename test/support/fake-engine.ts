import { hasRole } from '../../src/policy/roles';
import type {
  ApprovalView,
  Channel,
  Caller,
  ClaimOutcome,
  CommandInput,
  CommandReply,
  ConversationRef,
  CostReport,
  DecisionInput,
  ConversationActionOutcome,
  DecisionOutcome,
  Engine,
  FeedbackInput,
  OutcomeReport,
  EscalationView,
  HandbackOutcome,
  InboundMessage,
  MessageRef,
  StatusReport,
  StopOutcome,
  TurnResult,
  TurnStatus,
} from '../../src/ports';

const key = (c: ConversationRef) => `${c.platform}/${c.workspaceId}/${c.channelId}/${c.threadId}`;

/** What the fake does with a new (not duplicate) message; replace per test. */
export type Responder = (message: InboundMessage, channel: Channel) => Promise<void>;

/**
 * A recording stand-in for the engine, for adapter tests of both platforms:
 * it keeps every call, answers through the attached `Channel` the way the
 * engine does, and applies a small approval/claim policy so refusals can be
 * exercised. Its own de-duplication only keeps these tests tidy; the
 * "answered exactly once" guarantees are tested against the real engine.
 */
export class FakeEngine implements Engine {
  channel: Channel | undefined;
  /** Every handleMessage call, duplicates included. */
  readonly received: Array<InboundMessage & { caller: Caller }> = [];
  readonly decisions: DecisionInput[] = [];
  readonly claims: Array<{ escalationId: string; caller: Caller }> = [];
  readonly handbacks: Array<{ conversation: ConversationRef; caller: Caller }> = [];
  readonly commands: CommandInput[] = [];
  /** Approval ids whose action ran (must stay at one entry per approval). */
  readonly executed: string[] = [];
  readonly approvals = new Map<string, { view: ApprovalView; ref: MessageRef | undefined }>();
  readonly escalations = new Map<string, { view: EscalationView; ref: MessageRef | undefined }>();
  /** Calls in progress, to prove interactions are acknowledged before the engine returns. */
  pending = 0;
  /** Every engine call awaits this first; tests swap in an unresolved promise to make the engine slow. */
  gate: Promise<void> = Promise.resolve();
  /** Script the answer's text (used by the default `respond`). */
  reply: (message: InboundMessage) => string | Promise<string> = (m) => `You said: ${m.text}`;
  /** Script the whole turn: by default show working, post `reply`, stop working. */
  respond: Responder = async (message, channel) => {
    const stop = (await channel.startWorking?.(message.conversation)) ?? (async () => {});
    const text = await this.reply(message);
    if (this.stopBeforePost) await stop();
    await channel.postMessage(message.conversation, { text, kind: 'reply' });
    if (!this.stopBeforePost) await stop();
  };
  /** Script a failure of handleMessage. */
  failWith: Error | undefined;
  /** Call `stop()` of startWorking before posting (engines may do either). */
  stopBeforePost = false;
  /** Script slash-command replies. */
  commandReply: (input: CommandInput) => CommandReply = (input) => {
    if (input.name === 'cost' && input.args[0] === 'all' && input.caller.role !== 'admin') {
      return { ok: false, title: 'Not allowed', sections: [], text: 'Only admins can see everyone’s spend.' };
    }
    const sections = [{ title: 'Caller', lines: [`${input.caller.displayName} is **${input.caller.role}**`] }];
    return { ok: true, title: `Support ${input.name}`, sections, text: `${input.name} for ${input.caller.displayName}` };
  };
  private readonly seen = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly active = new Set<string>();
  private readonly handedOff = new Set<string>();
  private nextId = 1;

  attach(channel: Channel): void {
    this.channel = channel;
  }

  /** Messages that were answered (first copy of each message id). */
  get answered(): InboundMessage[] {
    const first = new Map<string, InboundMessage>();
    for (const m of this.received) if (!first.has(m.messageId)) first.set(m.messageId, m);
    return [...first.values()];
  }

  /** Whether a handleMessage call for this message id has returned (its answer, if any, is posted). */
  hasHandled(messageId: string): boolean {
    return this.finished.has(messageId);
  }

  async handleMessage(message: InboundMessage): Promise<TurnResult> {
    return this.busy(async () => {
      try {
        return await this.turn(message);
      } finally {
        this.finished.add(message.messageId);
      }
    });
  }

  /** Records the request; this stand-in has no running turns to stop. */
  readonly stops: Array<{ conversation: ConversationRef; caller: Caller }> = [];
  async stopTurn(input: { conversation: ConversationRef; caller: Caller }): Promise<StopOutcome> {
    this.stops.push(input);
    return { ok: false, reason: 'not_running', message: "There's nothing running in this conversation to stop." };
  }

  async isActiveConversation(conversation: ConversationRef): Promise<boolean> {
    return this.active.has(key(conversation));
  }

  /** Test helper: what the engine does when a tool needs approval. */
  async requestApproval(conversation: ConversationRef, overrides: Partial<ApprovalView> = {}): Promise<ApprovalView> {
    const view: ApprovalView = {
      id: `apv_${this.nextId++}`,
      conversation,
      toolName: 'refund_order',
      action: 'Refund $120.00 on order #1042 to the original card',
      args: { orderId: '1042', amountUsd: 120 },
      requester: { userId: 'requester', displayName: 'requester' },
      requirement: 'staff',
      decidersText: 'staff or admins',
      expiresAt: Date.now() + 15 * 60_000,
      status: 'pending',
      ...overrides,
    };
    const ref = await this.requireChannel().postApproval(view);
    this.approvals.set(view.id, { view, ref });
    return view;
  }

  async approval(approvalId: string): Promise<ApprovalView | undefined> {
    return this.approvals.get(approvalId)?.view;
  }

  async decideApproval(input: DecisionInput): Promise<DecisionOutcome> {
    return this.busy(async () => {
      this.decisions.push(input);
      const entry = this.approvals.get(input.approvalId);
      if (!entry) return { ok: false, reason: 'not_found', message: 'That approval does not exist.' };
      const { view } = entry;
      if (view.status !== 'pending') return { ok: false, reason: 'already_decided', message: `Already ${view.status}.`, view };
      const isRequester = input.decider.userId === view.requester.userId;
      const allowed = view.requirement === 'requester' ? isRequester : hasRole(input.decider.role, view.requirement) && !isRequester;
      if (!allowed) return { ok: false, reason: 'not_allowed', message: `Only ${view.decidersText} can decide this.`, view };
      const decided: ApprovalView = {
        ...view,
        status: input.decision === 'approve' ? 'approved' : 'denied',
        decidedBy: { userId: input.decider.userId, displayName: input.decider.displayName },
        decidedAt: Date.now(),
      };
      entry.view = decided;
      const channel = this.requireChannel();
      if (entry.ref) await channel.updateApproval(entry.ref, decided);
      if (decided.status === 'approved') this.executed.push(view.id);
      await channel.postMessage(view.conversation, { text: decided.status === 'approved' ? `Done: ${view.action}` : 'Okay, I did not do it.' });
      return { ok: true, view: decided };
    });
  }

  /** Test helper: what the engine does on a hand-off (notify on-call, tell the thread). */
  async escalate(conversation: ConversationRef, overrides: Partial<EscalationView> = {}): Promise<EscalationView> {
    const view: EscalationView = {
      id: `esc_${this.nextId++}`,
      conversation,
      customer: { userId: 'customer', displayName: 'customer', role: 'member' },
      trigger: 'user_request',
      reason: 'Customer asked for a person',
      urgency: 'high',
      summary: 'Customer was **double charged** for order #1042 and wants a person.',
      stepsTaken: ['Looked up order #1042', 'Found two charges'],
      pending: ['Refund $120.00 (waiting for staff)'],
      status: 'open',
      createdAt: Date.now(),
      notifications: 1,
      ...overrides,
    };
    const channel = this.requireChannel();
    const ref = await channel.notifyOncall(view);
    this.escalations.set(view.id, { view, ref });
    await channel.postMessage(conversation, { text: 'A human from the team is coming.', kind: 'notice' });
    return view;
  }

  async claimEscalation(input: { escalationId: string; caller: Caller }): Promise<ClaimOutcome> {
    return this.busy(async () => {
      this.claims.push(input);
      const entry = this.escalations.get(input.escalationId);
      if (!entry) return { ok: false, reason: 'not_found', message: 'No such escalation.' };
      if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can claim escalations.' };
      if (entry.view.status !== 'open') return { ok: false, reason: 'already_claimed', message: 'Someone already claimed this.', view: entry.view };
      entry.view = { ...entry.view, status: 'claimed', claimedBy: { userId: input.caller.userId, displayName: input.caller.displayName } };
      const channel = this.requireChannel();
      if (entry.ref) await channel.updateOncall?.(entry.ref, entry.view);
      this.handedOff.add(key(entry.view.conversation));
      await channel.postMessage(entry.view.conversation, { kind: 'notice', text: `${input.caller.displayName} from the team is taking over.` });
      return { ok: true, view: entry.view };
    });
  }

  async handBack(input: { conversation: ConversationRef; caller: Caller }): Promise<HandbackOutcome> {
    return this.busy(async () => {
      this.handbacks.push(input);
      if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can hand a conversation back.' };
      if (!this.handedOff.delete(key(input.conversation))) return { ok: false, reason: 'not_handed_off', message: 'The bot is already handling that conversation.' };
      const channel = this.requireChannel();
      await channel.postMessage(input.conversation, { kind: 'notice', text: 'The bot is back in this conversation.' });
      for (const entry of this.escalations.values()) {
        if (key(entry.view.conversation) !== key(input.conversation)) continue;
        entry.view = { ...entry.view, status: 'closed' };
        if (entry.ref) await channel.updateOncall?.(entry.ref, entry.view);
      }
      return { ok: true, message: 'Handed back to the bot.' };
    });
  }

  async command(input: CommandInput): Promise<CommandReply> {
    return this.busy(async () => {
      this.commands.push(input);
      return this.commandReply(input);
    });
  }

  async status(): Promise<StatusReport> {
    return { version: 'fake', uptimeMs: 0, model: 'fake', mode: 'offline', breakers: [], activeSessions: this.active.size, pendingApprovals: 0, openEscalations: 0, turnsLastHour: 0, errorsLastHour: 0, p50TurnMs: 0, p95TurnMs: 0, modelHealth: { state: 'unknown' } };
  }

  async costReport(caller: Caller): Promise<CostReport> {
    return { user: { userId: caller.userId, todayUsd: 0, dailyLimitUsd: 2 } };
  }

  /** Every feedback, "solved" and "talk to a human" call, in order. */
  readonly conversationActions: Array<{ action: 'feedback' | 'resolve' | 'human'; conversation: ConversationRef; caller: Caller; feedback?: FeedbackInput }> = [];

  async feedback(input: FeedbackInput): Promise<ConversationActionOutcome> {
    this.conversationActions.push({ action: 'feedback', conversation: input.conversation, caller: input.caller, feedback: input });
    return { ok: true, message: 'Thanks for the feedback!' };
  }

  async resolveConversation(input: { conversation: ConversationRef; caller: Caller }): Promise<ConversationActionOutcome> {
    this.conversationActions.push({ action: 'resolve', ...input });
    return { ok: true, message: 'Marked as solved.' };
  }

  async talkToHuman(input: { conversation: ConversationRef; caller: Caller }): Promise<ConversationActionOutcome> {
    this.conversationActions.push({ action: 'human', conversation: input.conversation, caller: input.caller });
    return { ok: true, message: 'A human teammate has been asked to join.' };
  }

  async outcomes(): Promise<OutcomeReport> {
    const empty = { conversations: 0, resolvedByBot: 0, firstContactResolved: 0, escalated: 0, escalatedResolved: 0, abandoned: 0, feedbackUp: 0, feedbackDown: 0, costUsd: 0 };
    return { today: { period: 'today', ...empty }, week: { period: 'week', ...empty } };
  }

  async sweep(): Promise<void> {}
  start(): void {}
  async stop(): Promise<void> {}

  private async turn(inbound: InboundMessage): Promise<TurnResult> {
    // Like the engine: follow-ups count only in served threads, and senders are identified through the channel.
    if (inbound.followUp && !this.active.has(key(inbound.conversation))) return result('ignored');
    const message = await resolveSender(inbound, this.channel);
    this.received.push(message);
    if (this.seen.has(message.messageId)) return result('duplicate');
    this.seen.add(message.messageId);
    if (this.failWith) throw this.failWith;
    const conversationKey = key(message.conversation);
    this.active.add(conversationKey);
    if (this.handedOff.has(conversationKey)) return result('handed_off');
    await this.respond(message, this.requireChannel());
    return result('answered');
  }

  private async busy<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1;
    try {
      await this.gate;
      return await work();
    } finally {
      this.pending -= 1;
    }
  }

  private requireChannel(): Channel {
    if (!this.channel) throw new Error('FakeEngine: no channel attached');
    return this.channel;
  }
}

function result(status: TurnStatus): TurnResult {
  return { status, success: status === 'answered', sessionId: 'fake', costUsd: 0, steps: 1, toolCalls: [], errors: [], pendingApprovals: [], latencyMs: 0 };
}

/** The message with its sender identified through the channel, as the engine does inside the turn. */
export async function resolveSender(message: InboundMessage, channel: Channel | undefined): Promise<InboundMessage & { caller: Caller }> {
  const who = message.caller;
  if ('role' in who) return { ...message, caller: who };
  if (!channel?.identify) throw new Error('channel cannot identify senders');
  return { ...message, caller: await channel.identify(who) };
}
