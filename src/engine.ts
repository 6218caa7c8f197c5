import { handleMessage } from './agent/handle-message';
import { systemPrompt } from './agent/prompts';
import type { LoopDeps } from './agent/run-loop';
import { decideApproval, sweepApprovals } from './approvals/approval-flow';
import { approvalRecordSchema } from './approvals/approval-record';
import { BudgetGuard, type BudgetAlert } from './budget/budget-guard';
import { buildCostReport } from './budget/cost-report';
import { PriceTable } from './budget/prices';
import { ChannelRouter } from './channel-router';
import type { EngineConfig } from './config';
import type { EngineContext } from './engine-context';
import { describeError } from './errors';
import { escalateTool } from './escalation/escalate-tool';
import { claimEscalation, handBack, renotifyUnclaimed } from './escalation/escalation-flow';
import { escalationRecordSchema } from './escalation/escalation-record';
import { hasRole } from './policy/roles';
import type { AuditSink, Clock, Engine, Logger, ModelClient, Store, ToolDefinition } from './ports';
import { runCommand } from './reports/commands';
import { buildStatusReport } from './reports/status-report';
import { createResilience } from './resilience/policies';
import { parseWith, SealedCollection } from './sessions/sealed-collection';
import type { Sealer } from './sessions/sealer';
import { SessionRunner } from './sessions/session-runner';
import { migrateSession, type SessionState } from './sessions/session-state';
import { ToolRegistry } from './tools/registry';
import { TurnStats } from './turn-stats';

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
  /** Failed tool calls in one run before a human is brought in (default 2). */
  toolFailuresBeforeEscalation?: number;
  /** Resilience delays, shortened by tests. */
  retryInitialDelayMs?: number;
  /** Whether other processes share the store (Redis replicas): then session turns also lock in the store. */
  sharedStore?: boolean;
}

const SESSION_TTL_MS = 30 * 86_400_000;

/** Build the engine: the one door adapters knock on. Platform-free. */
export function createEngine(options: EngineOptions): Engine {
  const { config, store, sealer, model, audit, logger } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  const channels = new ChannelRouter({ logger, audit });
  const registry = new ToolRegistry([...options.tools, escalateTool]);
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
  const productName = options.productName ?? 'the support assistant';
  const loop: LoopDeps = {
    model,
    registry,
    resilience,
    budget,
    audit,
    now,
    maxSteps: config.maxSteps,
    historyTokenBudget: config.historyTokenBudget,
    maxOutputTokens: config.model.maxOutputTokens,
    toolFailuresBeforeEscalation: options.toolFailuresBeforeEscalation ?? 2,
    systemPrompt: (caller) => systemPrompt(caller, productName),
  };
  const ctx: EngineContext = {
    config,
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
    sessions: new SessionRunner({ store, sessions: sessionDocs, logger, now, crossProcessLocks: options.sharedStore ?? true }),
    approvals: new SealedCollection({ store, sealer, prefix: 'approval:', parse: parseWith(approvalRecordSchema), ttlMs: SESSION_TTL_MS }),
    escalations: new SealedCollection({ store, sealer, prefix: 'escalation:', parse: parseWith(escalationRecordSchema), ttlMs: SESSION_TTL_MS }),
    stats: new TurnStats(now),
    loop,
    version: options.version ?? '0.0.0',
    startedAt: now(),
  };

  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const sweep = async (): Promise<void> => {
    if (sweeping) return sweeping;
    sweeping = (async () => {
      try {
        await sweepApprovals(ctx);
        await renotifyUnclaimed(ctx);
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
    handleMessage: (message) => track(handleMessage(ctx, message)),
    isActiveConversation: (conversation) => ctx.sessions.exists(conversation),
    decideApproval: (input) => track(decideApproval(ctx, input)),
    claimEscalation: ({ escalationId, caller }) => track(claimEscalation(ctx, escalationId, caller)),
    handBack: ({ conversation, caller }) => track(handBack(ctx, conversation, caller)),
    command: (input) => track(runCommand(ctx, input)),
    status: () => buildStatusReport(ctx),
    costReport: (caller) =>
      buildCostReport({ store, limits: config.budget, now: now(), userKey: `${caller.platform}:${caller.userId}`, isAdmin: hasRole(caller.role, 'admin') }),
    sweep,
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void sweep(), config.sweepIntervalMs);
      timer.unref();
      void sweep(); // pick up approvals that expired while we were down
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await sweeping;
      await Promise.allSettled([...inFlight]);
      const held = await budget.writeHeld();
      if (held > 0) logger.error({ held }, 'spend still unwritten at stop');
      await audit.flush();
    },
  };
}
