/** Port: the one door adapters knock on. */
import type { ApprovalView, DecisionInput, DecisionOutcome } from './approvals';
import type { Channel } from './channel';
import type { CommandInput, CommandReply } from './commands';
import type { ConversationRef, InboundMessage } from './conversations';
import type { ClaimOutcome, HandbackOutcome } from './escalations';
import type { Caller } from './identity';
import type { ConversationActionOutcome, FeedbackInput, OutcomeReport } from './outcomes';
import type { CostReport, StatusReport } from './reports';
import type { StopOutcome, TurnResult } from './turns';

/** The one door adapters knock on. */
export interface Engine {
  /** Register the channel for a platform; the engine calls back through it. */
  attach(channel: Channel): void;
  /** Handle a user message: de-duplicate, run the turn, post the outcome through the channel. */
  handleMessage(message: InboundMessage): Promise<TurnResult>;
  /**
   * Whether the bot takes part in this conversation already (follow-ups need no mention).
   * Answers from stored state only; prefer `handleMessage({ followUp: true })`, which decides in arrival order.
   */
  isActiveConversation(conversation: ConversationRef): Promise<boolean>;
  /** Approve or deny a pending approval; resumes the paused run when allowed. */
  decideApproval(input: DecisionInput): Promise<DecisionOutcome>;
  /**
   * An approval as stored (pending or decided), arguments redacted as on its card; undefined when
   * unknown. Read by "Edit and approve" forms on any replica, after a restart too. Deciding is
   * checked by {@link Engine.decideApproval}, not here.
   */
  approval(approvalId: string): Promise<ApprovalView | undefined>;
  /** A staff member takes an escalation. */
  claimEscalation(input: { escalationId: string; caller: Caller }): Promise<ClaimOutcome>;
  /** Return a handed-off conversation to the bot. */
  handBack(input: { conversation: ConversationRef; caller: Caller; resolution?: string }): Promise<HandbackOutcome>;
  /** Stop the conversation's running turn (the requester, staff or admins only). */
  stopTurn(input: { conversation: ConversationRef; caller: Caller }): Promise<StopOutcome>;
  /** Record a thumbs up/down on the conversation; a thumbs-down with a reason goes to on-call. */
  feedback(input: FeedbackInput): Promise<ConversationActionOutcome>;
  /** "That solved it": the conversation counts as resolved. */
  resolveConversation(input: { conversation: ConversationRef; caller: Caller }): Promise<ConversationActionOutcome>;
  /** "Talk to a human": escalate with trigger `user_request`. */
  talkToHuman(input: { conversation: ConversationRef; caller: Caller; permalink?: string }): Promise<ConversationActionOutcome>;
  /** Conversation outcomes and rates today and this week. */
  outcomes(): Promise<OutcomeReport>;
  /** Run a slash command (`status`, `cost`, `help`, `handback`, `stop`). */
  command(input: CommandInput): Promise<CommandReply>;
  /** Health, load and latency of this process (`/support status`). */
  status(): Promise<StatusReport>;
  /** Spend for the caller, plus totals for admins (`/support cost`). */
  costReport(caller: Caller): Promise<CostReport>;
  /** Expire approvals and re-notify unclaimed escalations; run on a timer by `start()`. */
  sweep(): Promise<void>;
  /** Start background timers. */
  start(): void;
  /** Stop timers, wait for running turns and flush the audit log (the store's owner closes it). */
  stop(): Promise<void>;
}
