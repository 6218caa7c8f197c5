/**
 * Every interface between the engine and the outside world.
 *
 * Adapters (Slack, Discord, console) implement `Channel` and call `Engine`.
 * Infrastructure (model, store, audit, clock, logger) is injected through the
 * other ports so tests can drive the engine with fakes and real stores.
 */
import type { z } from 'zod';

// ---------------------------------------------------------------------------
// Identity and conversations

/** Roles in increasing order of trust. Always decided by the channel, never by the conversation. */
export type Role = 'guest' | 'member' | 'staff' | 'admin';

/** Who is speaking or clicking, as established by the platform. */
export interface Caller {
  /** Platform user id (Slack `U…`, Discord snowflake, console name). */
  userId: string;
  /** Platform name, e.g. `slack`, `discord`, `console`. */
  platform: string;
  /** Human-readable name for summaries and approval cards. */
  displayName: string;
  /** Highest role the platform grants this user. */
  role: Role;
  /** Why the user has that role, for the audit trail (e.g. `slack:is_admin`). */
  roleSource?: string;
}

/** Identifies one conversation: a platform thread. One conversation is one session. */
export interface ConversationRef {
  /** Platform name, e.g. `slack`. */
  platform: string;
  /** Slack team id, Discord guild id (or `@me` for DMs), `local` for the console. */
  workspaceId: string;
  /** Channel the thread lives in. */
  channelId: string;
  /** Thread id: Slack root `ts`, Discord thread channel id, DM channel id. */
  threadId: string;
}

/** Where a message posted by the bot lives, so it can be updated later. */
export interface MessageRef {
  platform: string;
  channelId: string;
  messageId: string;
}

/**
 * The sender of a message whose role is not known yet. Adapters whose role
 * lookup is a network call pass this instead of a `Caller`: the message joins
 * the conversation's queue at once, and the engine asks the channel
 * (`Channel.identify`) inside the turn, so a slow lookup never reorders messages.
 */
export interface Sender {
  /** Platform user id. */
  userId: string;
  /** Platform name, e.g. `slack`. */
  platform: string;
  /** The sender's own workspace when the platform says it (Slack `user_team`), to spot external users. */
  teamId?: string;
  /** Name to show, when the message already carries it. */
  displayName?: string;
}

/** A user message delivered by an adapter. */
export interface InboundMessage {
  conversation: ConversationRef;
  /** Who wrote it: a resolved `Caller`, or a `Sender` the channel identifies in turn. */
  caller: Caller | Sender;
  /** Message text with the bot mention removed. */
  text: string;
  /** Platform message id; the engine de-duplicates redeliveries on it. */
  messageId: string;
  /** Link to the thread, used in hand-off summaries. */
  permalink?: string;
  /**
   * A message in a thread that did not address the bot. It is handled when
   * the bot takes part in the conversation, decided in arrival order: a
   * follow-up sent while the bot's first answer is still being written counts.
   */
  followUp?: boolean;
  /**
   * What the user is looking at, as the platform reports it (Slack's agent
   * view: the channel open beside the conversation). Read-only context: recorded, never acted on.
   */
  context?: { channelId?: string };
}

// ---------------------------------------------------------------------------
// What the engine asks channels to show

/** Who may decide an approval. `requester` means the requester confirms it themselves. */
export type ApprovalRequirement = 'none' | 'requester' | 'staff' | 'admin';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** An approval request as a channel renders it (buttons, embed, prompt). */
export interface ApprovalView {
  /** Opaque id; buttons carry only this. */
  id: string;
  conversation: ConversationRef;
  toolName: string;
  /** What will happen, in plain words. */
  action: string;
  /** Validated arguments, redacted for display. */
  args: Record<string, unknown>;
  requester: { userId: string; displayName: string };
  requirement: Exclude<ApprovalRequirement, 'none'>;
  /** Who may decide, in plain words (e.g. "staff, not the requester"). */
  decidersText: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  status: ApprovalStatus;
  decidedBy?: { userId: string; displayName: string };
  decidedAt?: number;
}

export type Urgency = 'low' | 'normal' | 'high' | 'urgent';
export type EscalationStatus = 'open' | 'claimed' | 'closed';

/** A hand-off to humans, as rendered in the on-call channel. */
export interface EscalationView {
  id: string;
  conversation: ConversationRef;
  permalink?: string;
  customer: { userId: string; displayName: string; role: Role };
  /** What triggered it, e.g. `user_request`, `model_unavailable`. */
  trigger: string;
  reason: string;
  urgency: Urgency;
  /** Short hand-off summary written by the engine. */
  summary: string;
  /** What the bot already did in this conversation. */
  stepsTaken: string[];
  /** Approvals or actions still waiting. */
  pending: string[];
  status: EscalationStatus;
  claimedBy?: { userId: string; displayName: string };
  createdAt: number;
  /** How many times on-call has been notified (1 on first notice). */
  notifications: number;
}

/** A document an answer drew on (help-center article section). */
export interface Source {
  title: string;
  url?: string;
  /** The section heading within the document. */
  heading?: string;
}

/** A text message from the bot. Markdown; adapters convert it to the platform's dialect. */
export interface OutboundMessage {
  text: string;
  /** `reply` answers the user; `notice` is a status line (hand-off, expiry); `error` is a fallback. */
  kind?: 'reply' | 'notice' | 'error';
  /** Controls the person helped can use on this message; set by the engine on final answers only. */
  controls?: ReplyControls;
}

/** Which controls a final answer offers; adapters render those they can (buttons, commands). */
export interface ReplyControls {
  /** Thumbs up / thumbs down (`Engine.feedback`). */
  feedback: boolean;
  /** "Talk to a human" (`Engine.talkToHuman`). */
  talkToHuman: boolean;
  /** "That solved it" (`Engine.resolveConversation`). */
  solved: boolean;
}

/** Who a streamed reply is for (Slack needs the recipient in channels). */
export interface StreamContext {
  recipient: Caller;
}

/** A tool step shown while the bot works ("Looking up order ORD-1001…" → done). */
export interface ProgressStep {
  /** Stable across updates of the same step (the tool call id). */
  id: string;
  /** Plain words, e.g. `Looking up order ORD-1001`. */
  title: string;
  status: 'in_progress' | 'complete' | 'error';
}

/** A reply being written, as the platform shows it. Methods never throw. */
export interface ReplyStream {
  /** Append answer text (Markdown), in order. */
  append(text: string): Promise<void>;
  /** Show or update a tool step. */
  progress(step: ProgressStep): Promise<void>;
  /**
   * Finish with the complete text: everything streamed so far plus anything
   * that was not (adapters make the message show exactly this, formatted).
   */
  finish(final: OutboundMessage): Promise<MessageRef | undefined>;
  /** Stop showing progress without a final answer (the run paused, was stopped, or failed). */
  cancel(note?: string): Promise<void>;
}

/** An operational alert for on-call. */
export interface Alert {
  /** `budget` thresholds; `feedback` a thumbs-down with a reason; `health` (error rate, latency, breakers, hourly cost); `tool_outcome_unknown` when a side effect needs checking by hand. */
  kind: 'budget' | 'health' | 'tool_outcome_unknown' | 'feedback';
  text: string;
}

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

// ---------------------------------------------------------------------------
// Engine (what adapters call)

export interface ToolCallRecord {
  id: string;
  name: string;
  /** Arguments after validation (redacted for audit elsewhere). */
  args: unknown;
  outcome: 'ok' | 'error' | 'refused' | 'invalid' | 'pending_approval' | 'denied';
  summary: string;
  latencyMs: number;
}

export interface TurnError {
  code: string;
  message: string;
}

export type TurnStatus =
  | 'answered'
  | 'paused'
  | 'handed_off'
  | 'escalated'
  | 'refused'
  | 'failed'
  | 'duplicate'
  | 'ignored'
  /** Stopped by the user or staff before it finished. */
  | 'cancelled';

/** The structured result of one turn (a message or a resumed run). */
export interface TurnResult {
  status: TurnStatus;
  success: boolean;
  sessionId: string;
  /** What was posted to the user, if anything. */
  reply?: string;
  costUsd: number;
  steps: number;
  toolCalls: ToolCallRecord[];
  errors: TurnError[];
  /** Approvals this turn is waiting for. */
  pendingApprovals: string[];
  escalationId?: string;
  latencyMs: number;
}

export type Decision = 'approve' | 'deny';

export interface DecisionInput {
  approvalId: string;
  decision: Decision;
  decider: Caller;
  /**
   * Approve with changed arguments ("Edit and approve"). Fields left out keep
   * the requested values. The result is validated by the tool's schema and
   * the approval policy is checked again for it.
   */
  args?: Record<string, unknown>;
}

export type DecisionOutcome =
  | { ok: true; view: ApprovalView; result?: TurnResult }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_decided' | 'expired' | 'invalid_edit'; message: string; view?: ApprovalView };

export type StopOutcome =
  | { ok: true; message: string }
  | { ok: false; reason: 'not_allowed' | 'not_running'; message: string };

export type ClaimOutcome =
  | { ok: true; view: EscalationView }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_claimed' | 'closed'; message: string; view?: EscalationView };

export type HandbackOutcome =
  | { ok: true; message: string }
  | { ok: false; reason: 'not_allowed' | 'not_handed_off'; message: string };

/** A thumbs up or down from the person helped. */
export type FeedbackRating = 'up' | 'down';

export interface FeedbackInput {
  conversation: ConversationRef;
  caller: Caller;
  rating: FeedbackRating;
  /** "What went wrong", optional free text (personal data: sealed in the audit trail). */
  reason?: string;
  /** The answer rated, when the platform says which. */
  messageRef?: MessageRef;
}

/** How a conversation ended; `open` until then. */
export type ConversationOutcome = 'open' | 'resolved' | 'escalated' | 'abandoned';

/** Result of feedback, "That solved it" and "Talk to a human". */
export type ConversationActionOutcome =
  | { ok: true; message: string; escalationId?: string }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already_handed_off'; message: string };

/** Outcome counts and rates over one period (a day or an ISO week). */
export interface OutcomePeriodReport {
  /** `2026-11-22` or `2026-W47`. */
  period: string;
  /** Conversations whose outcome was decided in the period. */
  conversations: number;
  /** Resolved by the bot alone (the user said so, or went quiet after an answer). */
  resolvedByBot: number;
  /** Resolved by the bot with a single user message. */
  firstContactResolved: number;
  escalated: number;
  /** Escalated, then handed back by a human (or marked solved). */
  escalatedResolved: number;
  abandoned: number;
  feedbackUp: number;
  feedbackDown: number;
  /** Model spend of the conversations ended in the period. */
  costUsd: number;
  /** resolvedByBot / conversations, undefined without conversations (likewise below). */
  automationRate?: number;
  firstContactResolutionRate?: number;
  escalationRate?: number;
  /** Share of thumbs up among feedback given in the period. */
  csat?: number;
  /** costUsd / (resolvedByBot + escalatedResolved). */
  costPerResolvedUsd?: number;
}

/** Outcomes today and this week, in `BUDGET_TIMEZONE` calendar periods. */
export interface OutcomeReport {
  today: OutcomePeriodReport;
  week: OutcomePeriodReport;
}

/** Slash-command names every adapter supports. */
export type CommandName = 'status' | 'cost' | 'help' | 'handback' | 'stop' | 'forget';

export interface CommandInput {
  name: CommandName;
  /** Words after the subcommand, e.g. `["all"]` for `/support cost all`. */
  args: string[];
  caller: Caller;
  /** The conversation the command was typed in, if any (needed for `handback`). */
  conversation?: ConversationRef;
  /** The workspace it was typed in, when there is no conversation (Slack team id): scopes `forget`. */
  workspaceId?: string;
}

/** A titled block of a report, rendered as a Block Kit section or embed field. */
export interface ReportSection {
  title: string;
  lines: string[];
}

export interface CommandReply {
  ok: boolean;
  title: string;
  sections: ReportSection[];
  /** Plain-text rendering of the whole reply (console, fallbacks). */
  text: string;
}

export interface BreakerState {
  name: string;
  state: 'closed' | 'open' | 'half-open' | 'isolated';
}

/** The model server as last observed (start-up probe, then every real call). */
export interface ModelHealth {
  /** `unknown` until the first probe or call; `unauthorized` after a 401/403; `unreachable` after a network error or 5xx. */
  state: 'ok' | 'unreachable' | 'unauthorized' | 'unknown';
  /** When the state was last observed (epoch ms). */
  checkedAt?: number;
  /** When the model last failed in a way that says something about its health (epoch ms). */
  lastErrorAt?: number;
  /** What that failure was, without secrets (e.g. "the model server answered 401: the API key was rejected"). */
  lastError?: string;
}

export interface StatusReport {
  version: string;
  uptimeMs: number;
  model: string;
  mode: 'openai' | 'offline';
  /** Whether the model answers and accepts the key. */
  modelHealth: ModelHealth;
  breakers: BreakerState[];
  activeSessions: number;
  pendingApprovals: number;
  openEscalations: number;
  turnsLastHour: number;
  errorsLastHour: number;
  p50TurnMs: number;
  p95TurnMs: number;
  /** Messages this process accepted whose turn has not ended (waiting or running). */
  queuedMessages?: number;
}

export interface SpendLine {
  label: string;
  usd: number;
}

export interface CostReport {
  user: { userId: string; todayUsd: number; dailyLimitUsd: number };
  /** Present for admins only. */
  admin?: {
    monthToDateUsd: number;
    monthlyLimitUsd: number;
    topUsers: SpendLine[];
    byModel: SpendLine[];
    byDay: SpendLine[];
  };
}

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
  status(): Promise<StatusReport>;
  costReport(caller: Caller): Promise<CostReport>;
  /** Expire approvals and re-notify unclaimed escalations; run on a timer by `start()`. */
  sweep(): Promise<void>;
  /** Start background timers. */
  start(): void;
  /** Stop timers, wait for running turns and flush the audit log (the store's owner closes it). */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Model

export interface ModelToolCall {
  id: string;
  name: string;
  /** Raw JSON text as produced by the model; validated before use. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ModelToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as offered to the model: JSON schema generated from its zod schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  messages: ChatMessage[];
  tools: readonly ToolSpec[];
  maxOutputTokens: number;
  /** When set, a client that can stream calls it with each piece of answer text as it arrives. */
  onText?: (delta: string) => void;
}

export interface ModelUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ModelResponse {
  content: string | null;
  toolCalls: ModelToolCall[];
  usage?: ModelUsage;
  /** Model that actually answered (for pricing); defaults to the client's model. */
  model?: string;
  /** The server reported no usage (streams without `include_usage` support): the loop estimates it. */
  usageMissing?: boolean;
}

/** One chat-completion request in, one response out. Errors are `ModelError`s. */
export interface ModelClient {
  /** Model name used for pricing and status. */
  readonly model: string;
  /** `offline` for the built-in deterministic policy. */
  readonly mode: 'openai' | 'offline';
  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  /** Health as last observed, when the client tracks it (bootstrap wraps every model so it does). */
  health?(): ModelHealth;
}

// ---------------------------------------------------------------------------
// Tools

/** What a tool receives besides its validated input. */
export interface ToolContext {
  /** Who asked, with the role the platform granted. Use it to scope data. */
  caller: Caller;
  conversation: ConversationRef;
  sessionId: string;
  /**
   * Stable per tool call: the same on retries and, for approved calls, when a
   * recovery re-applies the decision. Make writes de-duplicate on it, then
   * declare the tool `idempotent`.
   */
  idempotencyKey: string;
  /** Aborted when the call times out: check it before each write and pass it to I/O. */
  signal: AbortSignal;
  now(): number;
}

/** A tool definition as written with `defineTool`. */
export interface ToolDefinition<S extends z.ZodType = z.ZodType, O = unknown> {
  /** Name the model calls, `snake_case`. */
  name: string;
  /** What it does, for the model. */
  description: string;
  /** zod schema of the arguments; also the JSON schema sent to the model. */
  input: S;
  /** Minimum role needed to call it. */
  permission: Role;
  /** Who must approve before it runs; may depend on the arguments. Default `none`. */
  approval?: ApprovalRequirement | ((input: z.infer<S>, ctx: Pick<ToolContext, 'caller'>) => ApprovalRequirement);
  /**
   * Documents a successful call's output (the content the model saw) draws
   * on; answers that used them list them as "Sources" with links.
   */
  sources?: (content: string) => Source[];
  /** What the user sees while the call runs, e.g. `Looking up order ORD-1001`. Default: the tool's name in words. */
  progress?: (input: z.infer<S>) => string;
  /** Plain-words description of what a call will do, shown on approval cards. */
  describe?: (input: z.infer<S>) => string;
  /** Per-call timeout; default from config (5 s). */
  timeoutMs?: number;
  /**
   * Changes nothing (lookups, searches). Read-only calls skip the execution
   * journal and may be retried after a timeout or transient error.
   */
  readOnly?: boolean;
  /**
   * Running it again with the same `ctx.idempotencyKey` has no further effect
   * (it de-duplicates on the key). Only then does the engine retry it, or
   * re-run it when a crash left its outcome unknown. Default false: the engine
   * runs it at most once and asks a human to verify when the outcome is unknown.
   */
  idempotent?: boolean;
  execute(input: z.infer<S>, ctx: ToolContext): Promise<O>;
}

/** Called with a group's current tools (and why some are missing) whenever they change. */
export type ToolSourceListener = (group: string, tools: readonly ToolDefinition[], notice?: string) => void;

/** Tools that come and go at run time (MCP servers); the engine keeps its registry in step. */
export interface ToolSource {
  /** Receive every group's tools now and on each change; returns an unsubscribe. */
  subscribe(listener: ToolSourceListener): () => void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Store

/** One counter change for `Store.incrementMany`. */
export interface CounterIncrement {
  key: string;
  by: number;
  /** Applies when the counter is created. */
  ttlMs?: number;
}

/** One entry for `Store.setIfAbsentMany`. */
export interface NewEntry {
  key: string;
  value: unknown;
  /** As in `Store.set`. */
  ttlMs?: number;
}

/** What `Store.commit` writes together. */
export interface StoreWrites {
  /** Values stored as by `set` (TTL optional). */
  set?: readonly NewEntry[];
  /** Keys removed as by `delete` (absent ones are ignored). */
  delete?: readonly string[];
  /** Counter changes as by `incrementMany`. */
  increment?: readonly CounterIncrement[];
}

/** A held lock; renew it before `ttlMs` runs out or another holder may take it. */
export interface Lock {
  readonly key: string;
  readonly token: string;
  /** Extend the lock; false if it was lost. */
  renew(ttlMs: number): Promise<boolean>;
  /** Release it if still ours. */
  release(): Promise<void>;
}

/**
 * Key/value with TTL plus the atomic operations the engine needs.
 * Values are JSON-serialisable. Implemented over keyv+SQLite and keyv+Redis.
 */
export interface Store {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Store a value; `ttlMs` makes it expire. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Delete; true if something was there. */
  delete(key: string): Promise<boolean>;
  /** Store only if no live value exists; true if this call stored it. */
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  /**
   * Several `setIfAbsent`s in one round trip (one statement or one MULTI),
   * each decided on its own; returns, in the order given, whether each was
   * stored. A key listed twice can be stored only by its first entry.
   */
  setIfAbsentMany(entries: readonly NewEntry[]): Promise<boolean[]>;
  /** Add `by` (may be fractional or negative) to a counter and return the new value. TTL applies when created. */
  increment(key: string, by: number, ttlMs?: number): Promise<number>;
  /**
   * Several increments applied atomically in one round trip (one statement or
   * script); returns the new values in the order given. A key listed twice is
   * incremented by the sum.
   */
  incrementMany(entries: readonly CounterIncrement[]): Promise<number[]>;
  /**
   * Several writes applied together, all or none, in one round trip (one
   * SQLite transaction, one Redis script): sets, then deletes, then counter
   * increments as `incrementMany`. Returns the counters' new values in the
   * order given. When any part fails (a bad argument, a counter key holding a
   * value, the backend) nothing is written.
   */
  commit(writes: StoreWrites): Promise<number[]>;
  /** Current counter value, 0 when absent. */
  counter(key: string): Promise<number>;
  /** Take an exclusive lock with expiry; undefined if someone else holds it. */
  acquireLock(key: string, ttlMs: number): Promise<Lock | undefined>;
  /**
   * Read-modify-write by compare-and-set: read the value, apply `fn`, and
   * write only if the stored value is still the one read; on conflict `fn`
   * runs again on the fresh value (bounded attempts, then an `AppError`
   * `store_conflict`). `fn` returning undefined means "no change": nothing is
   * written and the current value is returned. `fn` may run several times, so
   * it must not have side effects. `ttlMs` as in `set` (omitted: no expiry).
   * Returns the value stored afterwards.
   */
  update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number): Promise<T | undefined>;
  /**
   * Put `member` in the due-time index `index` at `dueAt` (epoch ms),
   * replacing its previous due time. Sweeps read what is due instead of
   * scanning the keyspace.
   */
  schedule(index: string, member: string, dueAt: number): Promise<void>;
  /** Remove `member` from `index`; absent members are ignored. */
  unschedule(index: string, member: string): Promise<void>;
  /** Up to `limit` members of `index` due at or before `upTo`, earliest first. */
  due(index: string, upTo: number, limit: number): Promise<string[]>;
  /** How many members `index` holds (due or not). */
  indexSize(index: string): Promise<number>;
  /** Live entries whose key starts with `prefix` (JSON values, not counters). */
  scan<T = unknown>(prefix: string): AsyncIterable<[key: string, value: T]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Platform-side helpers

/** Platform user -> role, cached with a TTL. Failures never grant more than `guest`. */
export interface RoleResolver {
  resolve(userId: string, context?: Record<string, unknown>): Promise<{ role: Role; source: string }>;
}

// ---------------------------------------------------------------------------
// Audit, time, logging

/** One audit record. Extra fields are allowed; all string content is redacted before writing. */
export interface AuditEvent {
  event: string;
  user_id?: string;
  session_id?: string;
  agent_step?: number;
  tool_name?: string;
  tool_args?: unknown;
  tool_result_summary?: string;
  cost_usd?: number;
  latency_ms?: number;
  success?: boolean;
  error?: string;
  [extra: string]: unknown;
}

export interface AuditSink {
  /** Append a record (timestamped by the sink). */
  write(event: AuditEvent): void;
  /** Wait until everything written so far is on disk. */
  flush(): Promise<void>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The subset of pino's logger the engine uses. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
