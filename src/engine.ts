import { createExecutionJournal } from './agent/execution-journal';
import type { Tracer } from '@opentelemetry/api';
import { handleMessage } from './agent/handle-message';
import { RunningTurns } from './agent/running-turns';
import { stopTurn } from './agent/stop-turn';
import { recoverTurns } from './agent/recover-turns';
import { systemPrompt } from './agent/prompts';
import type { LoopDeps } from './agent/run-loop';
import { decideApproval, sweepApprovals } from './approvals/approval-flow';
import { approvalRecordSchema } from './approvals/approval-record';
import { viewOf } from './approvals/request-approvals';
import { BudgetGuard, type BudgetAlert } from './budget/budget-guard';
import { buildCostReport } from './budget/cost-report';
import { PriceTable } from './budget/prices';
import { ChannelRouter } from './channel-router';
import { ChannelSettings } from './channel-config/channel-settings';
import { ChannelTools, ENGINE_TOOL_GROUP } from './channel-config/channel-tools';
import type { EngineConfig } from './config';
import type { EngineContext } from './engine-context';
import { describeError } from './errors';
import { escalateTool } from './escalation/escalate-tool';
import { claimEscalation, handBack } from './escalation/escalation-flow';
import { renotifyUnclaimed } from './escalation/escalation-reminders';
import { escalationRecordSchema } from './escalation/escalation-record';
import { indexLegacyMarkers } from './legacy-markers';
import { hasRole } from './policy/roles';
import type { AuditSink, Clock, Engine, Logger, ModelClient, Store, ToolDefinition, ToolSource } from './ports';
import { runCommand } from './reports/commands';
import { buildStatusReport } from './reports/status-report';
import { createResilience } from './resilience/policies';
import { parseWith, SealedCollection } from './sessions/sealed-collection';
import type { Sealer } from './sessions/sealer';
import { SessionRunner } from './sessions/session-runner';
import { TurnJournal } from './sessions/turn-journal';
import type { TurnOrder } from './sessions/turn-order';
import { newId } from './ids';
import { migrateSession, type SessionState } from './sessions/session-state';
import { ToolRegistry } from './tools/registry';
import { parseSpecialists, type Specialist } from './specialists/specialist';
import { CustomerMemory } from './memory/customer-memory';
import { SpecialistDirectory } from './specialists/specialist-directory';
import type { Embedder } from './knowledge/kb-index';
import { createTransferTool } from './specialists/transfer-tool';
import { TurnStats } from './turn-stats';
import { AlertMonitor } from './observability/alert-monitor';
import { observedAudit } from './observability/audit-metrics';
import { TurnObserver } from './observability/turn-observer';
import { giveFeedback, resolveConversation, talkToHuman } from './outcomes/conversation-actions';
import { readOutcomeReport } from './outcomes/outcome-counters';
import { sweepOutcomes } from './outcomes/outcome-flow';

export interface EngineOptions {
  config: EngineConfig;
  store: Store;
  sealer: Sealer;
  model: ModelClient;
  /** Tools the model may call; `escalate_to_human` is always added. */
  tools: readonly ToolDefinition[];
  audit: AuditSink;
  logger: Logger;
  clock?: Clock;
  version?: string;
  /** Name the bot uses for itself in the system prompt. */
  productName?: string;
  /** Domain rules added to the system prompt (plugins' `prompts.system`). */
  instructions?: string;
  /** What the bot says to an empty message and in `/support help` (plugins' `prompts`); generic by default. */
  texts?: { welcome?: string; help?: string };
  /** Failed tool calls in one run before a human is brought in (default 2). */
  toolFailuresBeforeEscalation?: number;
  /** Resilience delays, shortened by tests. */
  retryInitialDelayMs?: number;
  /** Whether other processes share the store (Redis replicas): then session turns also lock in the store. */
  sharedStore?: boolean;
  /** Arrival order of a thread's messages across replicas (Redis); default: this process only. */
  turnOrder?: TurnOrder;
  /** Tools that come and go at run time (MCP servers). */
  toolSources?: readonly ToolSource[];
  /**
   * Tools by group (a plugin such as `helpdesk`, `tools_dir`, `knowledge`), added after `tools`
   * (group `code`) in order; channels enable groups by these names.
   */
  toolGroups?: ReadonlyArray<{ group: string; tools: readonly ToolDefinition[] }>;
  /** Per-channel tool sources and on-call channels (AGENT_CONFIG `channels:`); default: every tool everywhere. */
  channels?: ChannelSettings;
  /** OpenTelemetry tracer; without it no span is made. */
  tracer?: Tracer;
  /** How often to look for turns orphaned by a stopped replica (each look scans open turns). Default 60 s. */
  recoveryIntervalMs?: number;
  /** Specialists to route conversations to (`general` is added when missing); none = one generic prompt. */
  specialists?: readonly Specialist[];
  /** The model that routes when rules do not decide (`ROUTER_MODEL`); default `model`. */
  routerModel?: ModelClient;
  /** A client for a specialist's declared `model`; without it (or when it returns undefined) every specialist uses `model`. */
  modelFor?: (name: string) => ModelClient | undefined;
  /** EMBEDDINGS_MODEL's client: solved cases are then ranked by BM25 and vector similarity together. */
  embedder?: Embedder;
  /** How a message with separate requests for several specialists runs: `parallel` consultations (default) or one `union` loop (benchmarks compare). */
  crossDomain?: 'parallel' | 'union';
}

const SESSION_TTL_MS = 30 * 86_400_000;

/** Build the engine: the one door adapters knock on. Platform-free. */
export function createEngine(options: EngineOptions): Engine {
  const { config, store, sealer, model, logger } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  const alerts = new AlertMonitor({
    errorRate: config.alerts.errorRate,
    p95Seconds: config.alerts.p95Seconds,
    monthlyBudgetUsd: config.budget.monthlyUsd,
    now,
    send: (alert) => channels.alertAll(alert),
  });
  // Alerts read the audit trail as it is written, like the metrics do.
  const audit = observedAudit(options.audit, (event) => alerts.observe(event));
  const channelSettings = options.channels ?? ChannelSettings.DEFAULT;
  const channels = new ChannelRouter({ logger, audit, oncallFor: (conversation) => channelSettings.oncallFor(conversation) });
  const turns = new TurnObserver({ audit, logger, now });
  const specialistList = options.specialists && options.specialists.length > 0 ? parseSpecialists(options.specialists) : undefined;
  const registry = new ToolRegistry(options.tools);
  for (const { group, tools } of options.toolGroups ?? []) registry.setGroup(group, tools);
  registry.setGroup(ENGINE_TOOL_GROUP, [escalateTool, ...(specialistList ? [createTransferTool(specialistList.map((s) => s.name))] : [])]);
  const resilience = createResilience({
    model: config.model,
    tools: config.tools,
    breaker: config.breaker,
    ...(options.retryInitialDelayMs !== undefined ? { initialDelayMs: options.retryInitialDelayMs, maxDelayMs: options.retryInitialDelayMs * 8 } : {}),
    onBreakerChange: (name, state) => {
      logger.warn({ breaker: name, state }, 'circuit breaker state changed');
      audit.write({ event: 'breaker_state', breaker: name, state, success: state === 'closed' });
    },
  });
  const onAlert = (alert: BudgetAlert) => {
    const who = alert.scope === 'user_daily' ? `User ${alert.userKey} has used` : 'The workspace has used';
    const text = `Budget alert: ${who} $${alert.spentUsd.toFixed(2)} of the $${alert.limitUsd.toFixed(2)} ${alert.scope === 'user_daily' ? 'daily' : 'monthly'} limit (${alert.period}).`;
    audit.write({ event: 'budget_alert', scope: alert.scope, period: alert.period, user_id: alert.userKey, cost_usd: alert.spentUsd, limit_usd: alert.limitUsd, success: true });
    void channels.alertAll({ kind: 'budget', text });
  };
  const budget = new BudgetGuard({
    store,
    prices: new PriceTable(config.budget.prices),
    limits: config.budget,
    now,
    onAlert,
    // Spend that could not be written is held in memory and written later; both ends are audited.
    onWriteFailed: (event) => {
      logger.error({ settlements: event.settlements, held: event.held, err: describeError(event.error) }, 'spend write failed; held for the next write');
      audit.write({ event: 'budget_write_failed', settlements: event.settlements, cost_usd: event.costUsd, held: event.held, success: false, error: describeError(event.error) });
    },
    onHeldWritten: (event) => audit.write({ event: 'budget_write_recovered', settlements: event.settlements, cost_usd: event.costUsd, held: event.held, success: true }),
  });
  const sessionDocs = new SealedCollection<SessionState>({ store, sealer, prefix: 'session:', parse: migrateSession, ttlMs: SESSION_TTL_MS });
  const sharedStore = options.sharedStore ?? true;
  const journal = new TurnJournal({ store, sealer, owner: newId('replica'), now, shared: sharedStore });
  const unsubscribe = (options.toolSources ?? []).map((source) => source.subscribe((group, tools, notice) => registry.setGroup(group, tools, notice)));
  // Sources publish their groups on subscribe, so every name a channel uses exists by now (or never will).
  const channelTools = channelSettings.offersEverything ? undefined : new ChannelTools({ settings: channelSettings, registry });
  channelTools?.check();
  const productName = options.productName ?? 'the support assistant';
  const specialists = specialistList ? new SpecialistDirectory({ specialists: specialistList, registry, audit, now, ...(options.modelFor ? { modelFor: options.modelFor } : {}), ...(options.crossDomain === 'union' ? { consultInParallel: false } : {}) }) : undefined;
  const loop: LoopDeps = {
    model,
    registry,
    resilience,
    budget,
    audit,
    now,
    journal: createExecutionJournal({ store, sealer, now }),
    maxSteps: config.maxSteps,
    historyTokenBudget: config.historyTokenBudget,
    maxOutputTokens: config.model.maxOutputTokens,
    toolFailuresBeforeEscalation: options.toolFailuresBeforeEscalation ?? 2,
    systemPrompt: (caller) => systemPrompt(caller, productName) + (options.instructions ?? '') + registry.noticeText(),
    ...(specialists ? { specialists } : {}),
    ...(channelTools ? { channelTools } : {}),
    ...(options.tracer
      ? { tracing: { tracer: options.tracer, provider: model.mode === 'openai' ? 'openai' : 'offline', agentName: 'support-agent', captureContent: config.telemetry.captureContent } }
      : {}),
  };
  const ctx: EngineContext = {
    config,
    texts: options.texts ?? {},
    store,
    sealer,
    model,
    registry,
    resilience,
    budget,
    audit,
    logger,
    clock,
    channels,
    sessions: new SessionRunner({ store, sessions: sessionDocs, logger, now, crossProcessLocks: sharedStore, ...(options.turnOrder ? { order: options.turnOrder } : {}) }),
    journal,
    sharedStore,
    running: new RunningTurns(),
    approvals: new SealedCollection({ store, sealer, prefix: 'approval:', parse: parseWith(approvalRecordSchema), ttlMs: SESSION_TTL_MS }),
    escalations: new SealedCollection({ store, sealer, prefix: 'escalation:', parse: parseWith(escalationRecordSchema), ttlMs: SESSION_TTL_MS }),
    stats: new TurnStats(now),
    loop,
    ...(specialists ? { specialists } : {}),
    ...(options.routerModel ? { routerModel: options.routerModel } : {}),
    memory: new CustomerMemory({
      store,
      sealer,
      now,
      retentionMs: config.memoryRetentionMs,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      onEmbeddingFailed: (error) => logger.warn({ err: describeError(error) }, 'solved cases: embeddings failed; ranked by BM25 alone'),
    }),
    version: options.version ?? '0.0.0',
    startedAt: now(),
  };

  let timer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let legacyIndexed = false;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const recoveryIntervalMs = options.recoveryIntervalMs ?? 60_000;
  let lastRecoveryAt = Number.NEGATIVE_INFINITY;
  const sweep = async (): Promise<void> => {
    if (sweeping) return sweeping;
    sweeping = (async () => {
      try {
        if (!legacyIndexed) {
          const moved = await indexLegacyMarkers(ctx);
          if (moved > 0) logger.info({ moved }, 'indexed open approvals and escalations left by an older release');
          legacyIndexed = true;
        }
        // The embedded store's one process looks once, at start; replicas keep watching for each other.
        if (sharedStore ? now() - lastRecoveryAt >= recoveryIntervalMs : lastRecoveryAt === Number.NEGATIVE_INFINITY) {
          lastRecoveryAt = now();
          await journal.heartbeat();
          await recoverTurns(ctx, (work) => void track(work).catch(() => undefined));
        }
        await sweepApprovals(ctx);
        await renotifyUnclaimed(ctx);
        await sweepOutcomes(ctx);
        await alerts.check();
      } catch (error) {
        logger.error({ err: describeError(error) }, 'sweep failed');
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  };

  return {
    attach: (channel) => channels.attach(channel),
    handleMessage: (message) => track(turns.message(message, () => handleMessage(ctx, message))),
    isActiveConversation: (conversation) => ctx.sessions.exists(conversation),
    decideApproval: (input) =>
      // One extra read per human decision (rare) so the decision's log lines name the session.
      track(turns.decision(async () => (await ctx.approvals.get(input.approvalId))?.sessionId, () => decideApproval(ctx, input))),
    approval: async (approvalId) => {
      const record = await ctx.approvals.get(approvalId);
      return record ? viewOf(record) : undefined;
    },
    claimEscalation: ({ escalationId, caller }) => track(claimEscalation(ctx, escalationId, caller)),
    handBack: ({ conversation, caller, resolution }) => track(handBack(ctx, conversation, caller, resolution)),
    feedback: (input) => track(giveFeedback(ctx, input)),
    resolveConversation: ({ conversation, caller }) => track(resolveConversation(ctx, conversation, caller)),
    talkToHuman: ({ conversation, caller, permalink }) => track(talkToHuman(ctx, conversation, caller, permalink)),
    outcomes: () => readOutcomeReport(store, now(), config.budget.timezone),
    command: (input) => track(runCommand(ctx, input)),
    stopTurn: async ({ conversation, caller }) => stopTurn(ctx, conversation, caller),
    status: async () => ({ ...(await buildStatusReport(ctx)), queuedMessages: turns.inFlight }),
    costReport: (caller) =>
      buildCostReport({ store, limits: config.budget, now: now(), userKey: `${caller.platform}:${caller.userId}`, isAdmin: hasRole(caller.role, 'admin') }),
    sweep,
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void sweep(), config.sweepIntervalMs);
      timer.unref();
      // Proves this replica alive, so others leave its open turns alone.
      heartbeat = setInterval(() => void journal.heartbeat().catch(() => undefined), Math.floor(journal.heartbeatTtlMs / 3));
      heartbeat.unref();
      void sweep(); // pick up approvals that expired, and turns interrupted, while we were down
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      clearInterval(heartbeat);
      timer = undefined;
      await sweeping;
      await Promise.allSettled([...inFlight]);
      // Anything still open was abandoned: the next replica to look takes it over at once.
      await journal.retire().catch(() => undefined);
      await options.turnOrder?.close();
      for (const off of unsubscribe) off();
      const held = await budget.writeHeld();
      if (held > 0) logger.error({ held }, 'spend still unwritten at stop');
      await audit.flush();
    },
  };
}
