import type { LoopDeps } from './agent/run-loop';
import type { RunningTurns } from './agent/running-turns';
import type { ApprovalRecord } from './approvals/approval-record';
import type { BudgetGuard } from './budget/budget-guard';
import type { ChannelRouter } from './channel-router';
import type { EngineConfig } from './config';
import type { EscalationRecord } from './escalation/escalation-record';
import type { AuditSink, Clock, Logger, ModelClient, Store } from './ports';
import type { Resilience } from './resilience/policies';
import type { SealedCollection } from './sessions/sealed-collection';
import type { Sealer } from './sessions/sealer';
import type { SessionRunner } from './sessions/session-runner';
import type { TurnJournal } from './sessions/turn-journal';
import type { CustomerMemory } from './memory/customer-memory';
import type { SpecialistDirectory } from './specialists/specialist-directory';
import type { ToolRegistry } from './tools/registry';
import type { TurnStats } from './turn-stats';

/**
 * Everything the engine's flows share; built once by `createEngine`. Each flow
 * module declares the few fields it uses (`XDeps = Pick<EngineContext, …>`),
 * so a reader sees a flow's dependencies at its top; callers pass the context.
 */
export interface EngineContext {
  /** Validated configuration (limits, timeouts, budgets, escalation timings). */
  config: EngineConfig;
  /** Plugins' `welcome` (answer to an empty message) and `help` ("Ask me" line of /support help). */
  texts: { welcome?: string; help?: string };
  /** Key/value store with the atomic operations (markers, counters, locks, due-time indexes). */
  store: Store;
  /** Encrypts personal data at rest (sessions, approvals, escalations, sealed audit fields). */
  sealer: Sealer;
  /** The main model. */
  model: ModelClient;
  /** Tools offered to the model, with their policy. */
  registry: ToolRegistry;
  /** Timeouts, retries and breakers, built once and shared. */
  resilience: Resilience;
  /** Spend reserved before each model call and settled after. */
  budget: BudgetGuard;
  /** The append-only audit trail. */
  audit: AuditSink;
  /** Operational log (redacted). */
  logger: Logger;
  /** Injected time. */
  clock: Clock;
  /** The platform channel of each conversation. */
  channels: ChannelRouter;
  /** Loads, locks and saves sessions; runs a conversation's turns in arrival order. */
  sessions: SessionRunner;
  /** Runs in progress here, so they can be stopped. */
  running: RunningTurns;
  /** Messages from arrival until answered, for recovery after a crash. */
  journal: TurnJournal;
  /** Whether other processes share the store (Redis replicas). */
  sharedStore: boolean;
  /** Pending and decided approvals (sealed). */
  approvals: SealedCollection<ApprovalRecord>;
  /** Hand-offs to humans (sealed). */
  escalations: SealedCollection<EscalationRecord>;
  /** Recent turn latencies and errors, for /status. */
  stats: TurnStats;
  /** What the agent loop needs (model, tools, budget, audit, resilience), built once. */
  loop: LoopDeps;
  /** Declared specialists; absent = no routing (one generic prompt, every tool). */
  specialists?: SpecialistDirectory;
  /** The model that routes when rules do not decide (`ROUTER_MODEL`); default the main model. */
  routerModel?: ModelClient;
  /** Customer history and solved cases (sealed, per workspace, retention-bound). */
  memory?: CustomerMemory;
  /** Package version, for /status. */
  version: string;
  /** Start time (epoch ms), for uptime. */
  startedAt: number;
}

/** Store keys of markers that guard open work (plaintext: ids and times only). */
export const markerKeys = {
  /** Pre-index marker of an open approval; read once at start-up to fill the due-time index. */
  openApproval: (id: string) => `approvals:open:${id}`,
  approvalDecision: (id: string) => `approval-decision:${id}`,
  /** Pre-index marker of an escalation not yet handed back; read once at start-up to fill the due-time indexes. */
  activeEscalation: (id: string) => `escalations:active:${id}`,
  escalationClaim: (id: string) => `escalation-claim:${id}`,
  escalationNotice: (id: string, n: number) => `escalation-notice:${id}:${n}`,
  /** One delivery retry of an undelivered escalation, across replicas. */
  escalationDelivery: (id: string, attempt: number) => `escalation-delivery:${id}:${attempt}`,
  inbound: (platform: string, messageId: string) => `inbound:${platform}:${messageId}`,
};

/** Due-time indexes (`Store.schedule`), so sweeps read what is due instead of scanning the keyspace. */
export const dueIndexes = {
  /** Open approvals, due at expiry; a claimed decision is due again when it would count as stalled. */
  approvals: 'approvals',
  /** Unclaimed escalations, due at their next reminder or delivery retry. */
  escalationReminders: 'escalation-reminders',
  /** Escalations not yet handed back (claimed or not), scored by creation time; counted by /status. */
  activeEscalations: 'escalations-active',
  /** Conversations with an open outcome, due when their quiet time runs out (resolved or abandoned then). */
  outcomes: 'outcomes-due',
} as const;
