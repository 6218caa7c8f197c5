import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets for turns and model calls (OTel GenAI's advice for operation duration, trimmed). */
const SLOW_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Seconds buckets for store operations and tools that usually answer in milliseconds. */
const FAST_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds buckets for how long approvers take: a minute to a day. */
const DECISION_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 86_400];

/**
 * Every instrument `/metrics` exposes, on a registry of its own (no global
 * state: tests and benchmarks build as many as they like). Names follow the
 * OpenTelemetry GenAI conventions translated to Prometheus where one exists,
 * `support_` otherwise. Labels only ever hold values from bounded sets.
 */
export class SupportMetrics {
  readonly registry = new Registry();

  readonly modelDuration = new Histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Duration of GenAI client operations (model calls), by operation, model and error type (empty when it succeeded).',
    labelNames: ['operation', 'model', 'error_type'] as const,
    buckets: SLOW_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'gen_ai_client_token_usage_total',
    help: 'Tokens used by model calls, by model and token type (input, output).',
    labelNames: ['model', 'token_type'] as const,
    registers: [this.registry],
  });
  readonly turns = new Counter({
    name: 'support_turns_total',
    help: 'Conversation turns by platform and outcome (answered, escalated, refused, failed, over_budget, awaiting_approval, handed_off).',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly routes = new Counter({
    name: 'support_routes_total',
    help: 'Conversations routed to a specialist, and hand-overs, by specialist and how (rules, model, offline, fallback, transfer).',
    labelNames: ['specialist', 'by'] as const,
    registers: [this.registry],
  });
  readonly turnDuration = new Histogram({
    name: 'support_turn_duration_seconds',
    help: 'Time from a message joining its conversation queue until its turn ended.',
    labelNames: ['platform'] as const,
    buckets: SLOW_BUCKETS,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: 'support_tool_calls_total',
    help: 'Tool calls by tool and outcome (ok, error, refused, timeout, awaiting_approval).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly toolDuration = new Histogram({
    name: 'support_tool_duration_seconds',
    help: 'Tool call duration (checks included), by tool.',
    labelNames: ['tool'] as const,
    buckets: FAST_BUCKETS,
    registers: [this.registry],
  });
  readonly approvals = new Counter({
    name: 'support_approvals_total',
    help: 'Approval requests by tool and decision (requested, approved, denied, expired).',
    labelNames: ['tool', 'decision'] as const,
    registers: [this.registry],
  });
  readonly approvalWait = new Histogram({
    name: 'support_approval_decision_seconds',
    help: 'Time from an approval request to its decision or expiry, by tool.',
    labelNames: ['tool'] as const,
    buckets: DECISION_BUCKETS,
    registers: [this.registry],
  });
  readonly escalations = new Counter({
    name: 'support_escalations_total',
    help: 'Hand-offs to humans by trigger.',
    labelNames: ['trigger'] as const,
    registers: [this.registry],
  });
  readonly feedback = new Counter({
    name: 'support_feedback_total',
    help: 'Thumbs up and down from the people helped, by rating (up, down).',
    labelNames: ['rating'] as const,
    registers: [this.registry],
  });
  readonly outcomes = new Counter({
    name: 'support_conversation_outcomes_total',
    help: 'Conversations ended, by outcome (resolved, escalated, abandoned) and resolution (user, timeout, human, none).',
    labelNames: ['outcome', 'resolution'] as const,
    registers: [this.registry],
  });
  readonly outcomeRate = new Gauge({
    name: 'support_outcome_rate',
    help: "Today's outcome rates (automation, first_contact_resolution, escalation, csat) as ratios; absent until there is data.",
    labelNames: ['rate'] as const,
    registers: [this.registry],
  });
  readonly escalationsOpen = new Gauge({ name: 'support_escalations_open', help: 'Escalations not yet closed.', registers: [this.registry] });
  readonly cost = new Counter({ name: 'support_cost_usd_total', help: 'Model spend in US dollars, by model.', labelNames: ['model'] as const, registers: [this.registry] });
  readonly budgetUsed = new Gauge({
    name: 'support_budget_used_ratio',
    help: 'Share of the monthly budget spent this month (1 = limit reached).',
    labelNames: ['period'] as const,
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'support_circuit_state',
    help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open, 3 isolated.',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });
  readonly activeSessions = new Gauge({ name: 'support_active_sessions', help: 'Conversations with a turn in the last hour.', registers: [this.registry] });
  readonly queuedMessages = new Gauge({ name: 'support_queued_messages', help: 'Messages accepted by this process whose turn has not ended (waiting or running).', registers: [this.registry] });
  readonly pendingApprovals = new Gauge({ name: 'support_approvals_pending', help: 'Approval requests waiting for a decision.', registers: [this.registry] });
  readonly storeDuration = new Histogram({
    name: 'support_store_operation_seconds',
    help: 'Session store operation latency, by operation.',
    labelNames: ['op'] as const,
    buckets: FAST_BUCKETS,
    registers: [this.registry],
  });

  private readonly collectors: Array<() => Promise<void>> = [];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Refresh gauges from live state at each scrape (engine status, store counters). */
  addCollector(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  /** The Prometheus text exposition of every metric, gauges refreshed first. A failing collector leaves its gauges as they were. */
  async render(): Promise<string> {
    await Promise.all(this.collectors.map((collect) => collect().catch(() => undefined)));
    return this.registry.metrics();
  }

  /** Content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
