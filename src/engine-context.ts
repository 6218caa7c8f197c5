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
import type { ToolRegistry } from './tools/registry';
import type { TurnStats } from './turn-stats';

/** Everything the engine's flows share; built once by `createEngine`. */
export interface EngineContext {
  config: EngineConfig;
  store: Store;
  sealer: Sealer;
  model: ModelClient;
  registry: ToolRegistry;
  resilience: Resilience;
  budget: BudgetGuard;
  audit: AuditSink;
  logger: Logger;
  clock: Clock;
  channels: ChannelRouter;
  sessions: SessionRunner;
  /** Runs in progress here, so they can be stopped. */
  running: RunningTurns;
  /** Messages from arrival until answered, for recovery after a crash. */
  journal: TurnJournal;
  /** Whether other processes share the store (Redis replicas). */
  sharedStore: boolean;
  approvals: SealedCollection<ApprovalRecord>;
  escalations: SealedCollection<EscalationRecord>;
  stats: TurnStats;
  loop: LoopDeps;
  version: string;
  startedAt: number;
}

/** Store keys of markers that index open work (plaintext: ids and times only). */
export const markerKeys = {
  openApproval: (id: string) => `approvals:open:${id}`,
  approvalDecision: (id: string) => `approval-decision:${id}`,
  /** Present from escalation until hand-back; `claimed` stops reminders. */
  activeEscalation: (id: string) => `escalations:active:${id}`,
  escalationClaim: (id: string) => `escalation-claim:${id}`,
  escalationNotice: (id: string, n: number) => `escalation-notice:${id}:${n}`,
  inbound: (platform: string, messageId: string) => `inbound:${platform}:${messageId}`,
};
