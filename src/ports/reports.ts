/** Status and cost reports (`/support status`, `/support cost`). */

/** One circuit breaker as `/support status` shows it. */
export interface BreakerState {
  /** What it guards, e.g. `model` or an MCP server. */
  name: string;
  /** `open`: calls fail fast until it half-opens to try again. */
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

/** Health and load of this process (`/support status`). */
export interface StatusReport {
  /** Package version. */
  version: string;
  /** Time since start. */
  uptimeMs: number;
  /** Model name in use. */
  model: string;
  /** Real model or the built-in offline policy. */
  mode: 'openai' | 'offline';
  /** Whether the model answers and accepts the key. */
  modelHealth: ModelHealth;
  /** Every circuit breaker. */
  breakers: BreakerState[];
  /** Conversations with work queued or running here. */
  activeSessions: number;
  /** Approvals waiting for a decision. */
  pendingApprovals: number;
  /** Hand-offs not yet handed back. */
  openEscalations: number;
  /** Turns finished in the last hour. */
  turnsLastHour: number;
  /** Of those, turns that failed. */
  errorsLastHour: number;
  /** Median turn time over recent turns. */
  p50TurnMs: number;
  /** 95th percentile turn time over recent turns. */
  p95TurnMs: number;
  /** Messages this process accepted whose turn has not ended (waiting or running). */
  queuedMessages?: number;
}

/** One line of a spend breakdown. */
export interface SpendLine {
  /** User, model or day. */
  label: string;
  /** Spend in US dollars. */
  usd: number;
}

/** Model spend (`/support cost`): the caller's own, and totals for admins. */
export interface CostReport {
  /** The caller's spend today against their daily limit. */
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
