import { hasRole } from '../../src/policy/roles';
import type {
  ApprovalView,
  Caller,
  Channel,
  ClaimOutcome,
  CommandInput,
  CommandReply,
  ConversationRef,
  CostReport,
  DecisionInput,
  DecisionOutcome,
  Engine,
  EscalationView,
  HandbackOutcome,
  InboundMessage,
  MessageRef,
  StatusReport,
  StopOutcome,
  TurnResult,
} from '../../src/ports';

const key = (c: ConversationRef) => `${c.platform}/${c.workspaceId}/${c.channelId}/${c.threadId}`;

/** What the fake does with a message; replace per test. */
export type Responder = (message: InboundMessage, channel: Channel) => Promise<void>;

/**
 * A recording stand-in for the engine, until the real one lands: it keeps
 * every call, answers through the attached `Channel` like the engine does,
 * and applies a tiny approval/claim policy so refusals can be exercised.
 */
export class RecordingEngine implements Engine {
  channel: Channel | undefined;
  readonly messages: Array<InboundMessage & { caller: Caller }> = [];
  readonly decisions: DecisionInput[] = [];
  readonly claims: { escalationId: string; caller: Caller }[] = [];
  readonly handbacks: { conversation: ConversationRef; caller: Caller }[] = [];
  readonly commands: CommandInput[] = [];
  readonly approvals = new Map<string, { view: ApprovalView; ref?: MessageRef; executed: number }>();
  readonly escalations = new Map<string, { view: EscalationView; ref?: MessageRef }>();
  /** Calls in progress, to prove interactions are acknowledged before the engine returns. */
  pending = 0;
  /** Every engine call awaits this first; tests swap in an unresolved promise to make the engine slow. */
  gate: Promise<void> = Promise.resolve();
  respond: Responder = async (message, channel) => {
    await channel.postMessage(message.conversation, { text: `You said: ${message.text}` });
  };
  commandReply: (input: CommandInput) => CommandReply = (input) => ({
    ok: true,
    title: `/${input.name}`,
    sections: [{ title: 'Caller', lines: [`${input.caller.displayName} (${input.caller.role})`] }],
    text: `/${input.name}`,
  });
  private readonly active = new Set<string>();
  private readonly seen = new Set<string>();
  private nextId = 1;

  attach(channel: Channel): void {
    this.channel = channel;
  }

  async handleMessage(inbound: InboundMessage): Promise<TurnResult> {
    return this.busy(async () => {
      // Like the engine: follow-ups count only in served threads, and senders are identified through the channel.
      if (inbound.followUp && !this.active.has(key(inbound.conversation))) return this.turn('ignored');
      const message = await resolveSender(inbound, this.channel);
      this.messages.push(message);
      if (this.seen.has(message.messageId)) return this.turn('duplicate');
      this.seen.add(message.messageId);
      this.active.add(key(message.conversation));
      await this.respond(message, this.channel!);
      return this.turn('answered');
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

  async decideApproval(input: DecisionInput): Promise<DecisionOutcome> {
    return this.busy(async () => {
      this.decisions.push(input);
      const entry = this.approvals.get(input.approvalId);
      if (!entry) return { ok: false, reason: 'not_found', message: 'That request no longer exists.' };
      const { view } = entry;
      if (view.status !== 'pending') return { ok: false, reason: 'already_decided', message: `Already ${view.status}.`, view };
      const allowed =
        view.requirement === 'requester' ? input.decider.userId === view.requester.userId : hasRole(input.decider.role, view.requirement);
      if (!allowed) return { ok: false, reason: 'not_allowed', message: `Only ${view.decidersText} can decide this.`, view };
      entry.view = { ...view, status: input.decision === 'approve' ? 'approved' : 'denied', decidedBy: input.decider, decidedAt: Date.now() };
      if (entry.ref) await this.channel!.updateApproval(entry.ref, entry.view);
      if (input.decision === 'approve') {
        entry.executed += 1;
        await this.channel!.postMessage(view.conversation, { text: `Done: ${view.action}` });
      }
      return { ok: true, view: entry.view };
    });
  }

  async claimEscalation(input: { escalationId: string; caller: Caller }): Promise<ClaimOutcome> {
    return this.busy(async () => {
      this.claims.push(input);
      const entry = this.escalations.get(input.escalationId);
      if (!entry) return { ok: false, reason: 'not_found', message: 'No such escalation.' };
      if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can claim escalations.' };
      if (entry.view.status !== 'open') return { ok: false, reason: 'already_claimed', message: 'Someone already has it.' };
      entry.view = { ...entry.view, status: 'claimed', claimedBy: input.caller };
      if (entry.ref) await this.channel!.updateOncall!(entry.ref, entry.view);
      await this.channel!.postMessage(entry.view.conversation, { text: `${input.caller.displayName} is joining.`, kind: 'notice' });
      return { ok: true, view: entry.view };
    });
  }

  async handBack(input: { conversation: ConversationRef; caller: Caller }): Promise<HandbackOutcome> {
    return this.busy(async () => {
      this.handbacks.push(input);
      if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can hand back.' };
      const entry = [...this.escalations.values()].find((e) => key(e.view.conversation) === key(input.conversation) && e.view.status === 'claimed');
      if (!entry) return { ok: false, reason: 'not_handed_off', message: 'This conversation is not with a human.' };
      entry.view = { ...entry.view, status: 'closed' };
      if (entry.ref) await this.channel!.updateOncall!(entry.ref, entry.view);
      return { ok: true, message: 'The bot is back in this conversation.' };
    });
  }

  async command(input: CommandInput): Promise<CommandReply> {
    return this.busy(async () => {
      this.commands.push(input);
      return this.commandReply(input);
    });
  }

  /** Test helper: what the engine does when a tool needs approval. */
  async requestApproval(conversation: ConversationRef, overrides: Partial<ApprovalView> = {}): Promise<ApprovalView> {
    const view: ApprovalView = {
      id: `apv_${this.nextId++}`,
      conversation,
      toolName: 'issue_refund',
      action: 'Refund $42.00 to order #1001',
      args: { orderId: '1001', amountUsd: 42 },
      requester: { userId: '0', displayName: 'someone' },
      requirement: 'staff',
      decidersText: 'staff',
      expiresAt: Date.now() + 15 * 60_000,
      status: 'pending',
      ...overrides,
    };
    const ref = await this.channel!.postApproval(view);
    this.approvals.set(view.id, { view, ref, executed: 0 });
    return view;
  }

  /** Test helper: what the engine does on a hand-off. */
  async escalate(conversation: ConversationRef, customer: Caller, overrides: Partial<EscalationView> = {}): Promise<EscalationView> {
    const view: EscalationView = {
      id: `esc_${this.nextId++}`,
      conversation,
      customer: { userId: customer.userId, displayName: customer.displayName, role: customer.role },
      trigger: 'user_request',
      reason: 'Customer asked for a human',
      urgency: 'high',
      summary: 'Customer cannot log in after a password reset.\nTried: reset link, cache clear.',
      stepsTaken: ['Looked up the account', 'Sent a reset link'],
      pending: [],
      status: 'open',
      createdAt: Date.now(),
      notifications: 1,
      ...overrides,
    };
    const ref = await this.channel!.notifyOncall(view);
    this.escalations.set(view.id, { view, ref });
    await this.channel!.postMessage(conversation, { text: 'A human from the team is coming.', kind: 'notice' });
    return view;
  }

  async status(): Promise<StatusReport> {
    throw new Error('not used by the Discord adapter');
  }
  async costReport(): Promise<CostReport> {
    throw new Error('not used by the Discord adapter');
  }
  async sweep(): Promise<void> {}
  start(): void {}
  async stop(): Promise<void> {}

  private async busy<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1;
    try {
      await this.gate;
      return await work();
    } finally {
      this.pending -= 1;
    }
  }

  private turn(status: TurnResult['status']): TurnResult {
    return { status, success: true, sessionId: 's', costUsd: 0, steps: 1, toolCalls: [], errors: [], pendingApprovals: [], latencyMs: 1 };
  }
}

/** The message with its sender identified through the channel, as the engine does inside the turn. */
export async function resolveSender(message: InboundMessage, channel: Channel | undefined): Promise<InboundMessage & { caller: Caller }> {
  const who = message.caller;
  if ('role' in who) return { ...message, caller: who };
  if (!channel?.identify) throw new Error('channel cannot identify senders');
  return { ...message, caller: await channel.identify(who) };
}
