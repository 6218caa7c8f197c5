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
  TurnStatus,
} from '../../src/ports';

import { resolveSender } from '../discord/fake-engine';

const key = (c: ConversationRef) => `${c.workspaceId}/${c.channelId}/${c.threadId}`;

/**
 * A recording stand-in for the engine, behaving the way the adapter relies on:
 * de-duplicates on messageId, shows it is working, answers through the channel,
 * decides approvals once with role checks, claims and hands back escalations.
 */
export class FakeEngine implements Engine {
  channel: Channel | undefined;
  /** Every handleMessage call, duplicates included. */
  readonly received: Array<InboundMessage & { caller: Caller }> = [];
  readonly decisions: DecisionInput[] = [];
  readonly claims: Array<{ escalationId: string; caller: Caller }> = [];
  readonly handbacks: Array<{ conversation: ConversationRef; caller: Caller }> = [];
  readonly commands: CommandInput[] = [];
  /** Tool executions after approval (must stay at one per approval). */
  readonly executed: string[] = [];
  readonly approvals = new Map<string, { view: ApprovalView; ref: MessageRef | undefined }>();
  readonly escalations = new Map<string, { view: EscalationView; ref: MessageRef | undefined }>();
  /** Script the answer. */
  reply: (message: InboundMessage) => string | Promise<string> = (m) => `You said: ${m.text}`;
  /** Script a failure. */
  failWith: Error | undefined;
  /** Call `stop()` of startWorking before posting (engines may do either). */
  stopBeforePost = false;
  private readonly seen = new Set<string>();
  private readonly active = new Set<string>();
  private readonly handedOff = new Set<string>();

  attach(channel: Channel): void {
    this.channel = channel;
  }

  /** Messages that were answered (not duplicates). */
  get answered(): InboundMessage[] {
    const first = new Map<string, InboundMessage>();
    for (const m of this.received) if (!first.has(m.messageId)) first.set(m.messageId, m);
    return [...first.values()];
  }

  async handleMessage(inbound: InboundMessage): Promise<TurnResult> {
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
    const ch = this.requireChannel();
    const stop = (await ch.startWorking?.(message.conversation)) ?? (async () => {});
    const text = await this.reply(message);
    if (this.stopBeforePost) await stop();
    await ch.postMessage(message.conversation, { text, kind: 'reply' });
    if (!this.stopBeforePost) await stop();
    return result('answered', text);
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

  /** Test helper: ask for an approval as the engine would after a tool call. */
  async requestApproval(view: Partial<ApprovalView> & Pick<ApprovalView, 'id' | 'conversation'>): Promise<ApprovalView> {
    const full: ApprovalView = {
      toolName: 'refund_order',
      action: 'Refund $120.00 on order #1042 to the original card',
      args: { orderId: '1042', amountUsd: 120 },
      requester: { userId: 'U0MEMBER', displayName: 'member' },
      requirement: 'staff',
      decidersText: 'staff or admins',
      expiresAt: Date.now() + 15 * 60_000,
      status: 'pending',
      ...view,
    };
    const ref = await this.requireChannel().postApproval(full);
    this.approvals.set(full.id, { view: full, ref });
    return full;
  }

  async decideApproval(input: DecisionInput): Promise<DecisionOutcome> {
    this.decisions.push(input);
    const entry = this.approvals.get(input.approvalId);
    if (!entry) return { ok: false, reason: 'not_found', message: 'That approval does not exist.' };
    const { view } = entry;
    if (view.status !== 'pending') return { ok: false, reason: 'already_decided', message: `Already ${view.status}.`, view };
    const needed = view.requirement === 'requester' ? 'guest' : view.requirement;
    const isRequester = input.decider.userId === view.requester.userId;
    const allowed = view.requirement === 'requester' ? isRequester : hasRole(input.decider.role, needed) && !isRequester;
    if (!allowed) return { ok: false, reason: 'not_allowed', message: `Only ${view.decidersText} can decide this.`, view };
    const decided: ApprovalView = {
      ...view,
      status: input.decision === 'approve' ? 'approved' : 'denied',
      decidedBy: { userId: input.decider.userId, displayName: input.decider.displayName },
      decidedAt: Date.now(),
    };
    entry.view = decided;
    const ch = this.requireChannel();
    if (entry.ref) await ch.updateApproval(entry.ref, decided);
    if (decided.status === 'approved') this.executed.push(view.id);
    await ch.postMessage(view.conversation, { text: decided.status === 'approved' ? 'Refund issued.' : 'Okay, I did not do it.' });
    return { ok: true, view: decided };
  }

  /** Test helper: escalate as the engine would. */
  async escalate(view: Partial<EscalationView> & Pick<EscalationView, 'id' | 'conversation'>): Promise<EscalationView> {
    const full: EscalationView = {
      customer: { userId: 'U0MEMBER', displayName: 'member', role: 'member' },
      trigger: 'user_request',
      reason: 'Customer asked for a person',
      urgency: 'high',
      summary: 'Customer was **double charged** for order #1042 and wants a person.',
      stepsTaken: ['Looked up order #1042', 'Found two charges'],
      pending: ['Refund $120.00 (waiting for staff)'],
      status: 'open',
      createdAt: Date.now(),
      notifications: 1,
      ...view,
    };
    const ref = await this.requireChannel().notifyOncall(full);
    this.escalations.set(full.id, { view: full, ref });
    return full;
  }

  async claimEscalation(input: { escalationId: string; caller: Caller }): Promise<ClaimOutcome> {
    this.claims.push(input);
    const entry = this.escalations.get(input.escalationId);
    if (!entry) return { ok: false, reason: 'not_found', message: 'No such escalation.' };
    if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can claim escalations.' };
    if (entry.view.status !== 'open') return { ok: false, reason: 'already_claimed', message: 'Someone already claimed this.', view: entry.view };
    entry.view = { ...entry.view, status: 'claimed', claimedBy: { userId: input.caller.userId, displayName: input.caller.displayName } };
    const ch = this.requireChannel();
    if (entry.ref) await ch.updateOncall?.(entry.ref, entry.view);
    this.handedOff.add(key(entry.view.conversation));
    await ch.postMessage(entry.view.conversation, { kind: 'notice', text: `${input.caller.displayName} from the team is taking over.` });
    return { ok: true, view: entry.view };
  }

  async handBack(input: { conversation: ConversationRef; caller: Caller }): Promise<HandbackOutcome> {
    this.handbacks.push(input);
    if (!hasRole(input.caller.role, 'staff')) return { ok: false, reason: 'not_allowed', message: 'Only staff can hand a conversation back.' };
    if (!this.handedOff.delete(key(input.conversation))) return { ok: false, reason: 'not_handed_off', message: 'The bot is already handling that conversation.' };
    await this.requireChannel().postMessage(input.conversation, { kind: 'notice', text: 'The bot is back in this conversation.' });
    for (const entry of this.escalations.values()) {
      if (key(entry.view.conversation) !== key(input.conversation)) continue;
      entry.view = { ...entry.view, status: 'closed' };
      if (entry.ref) await this.requireChannel().updateOncall?.(entry.ref, entry.view);
    }
    return { ok: true, message: 'Handed back to the bot.' };
  }

  async command(input: CommandInput): Promise<CommandReply> {
    this.commands.push(input);
    const sections = [{ title: 'Caller', lines: [`${input.caller.displayName} is **${input.caller.role}**`] }];
    if (input.name === 'cost' && input.args[0] === 'all' && input.caller.role !== 'admin') {
      return { ok: false, title: 'Not allowed', sections: [], text: 'Only admins can see everyone’s spend.' };
    }
    return { ok: true, title: `Support ${input.name}`, sections, text: `${input.name} for ${input.caller.displayName}` };
  }

  async status(): Promise<StatusReport> {
    return { version: 'fake', uptimeMs: 0, model: 'fake', mode: 'offline', modelHealth: { state: 'ok' }, breakers: [], activeSessions: this.active.size, pendingApprovals: 0, openEscalations: 0, turnsLastHour: 0, errorsLastHour: 0, p50TurnMs: 0, p95TurnMs: 0 };
  }

  async costReport(caller: Caller): Promise<CostReport> {
    return { user: { userId: caller.userId, todayUsd: 0, dailyLimitUsd: 2 } };
  }

  async sweep(): Promise<void> {}
  start(): void {}
  async stop(): Promise<void> {}

  private requireChannel(): Channel {
    if (!this.channel) throw new Error('FakeEngine: no channel attached');
    return this.channel;
  }
}

function result(status: TurnStatus, reply?: string): TurnResult {
  return { status, success: status === 'answered', sessionId: 'fake', ...(reply ? { reply } : {}), costUsd: 0, steps: 1, toolCalls: [], errors: [], pendingApprovals: [], latencyMs: 0 };
}
