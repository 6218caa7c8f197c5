/** The result of one turn: status, tool calls, errors, cost. */

/** One tool call of a turn, as recorded in its result. */
export interface ToolCallRecord {
  /** The model's call id. */
  id: string;
  /** The tool called. */
  name: string;
  /** Arguments after validation (redacted for audit elsewhere). */
  args: unknown;
  /** `refused`: role too low; `invalid`: arguments failed the schema; `pending_approval`: waits for a decision. */
  outcome: 'ok' | 'error' | 'refused' | 'invalid' | 'pending_approval' | 'denied';
  /** Short summary of the result. */
  summary: string;
  /** How long the call took. */
  latencyMs: number;
}

/** An error met during a turn, by stable code. */
export interface TurnError {
  /** Stable code (see `errors.ts`), e.g. `model_unavailable`. */
  code: string;
  /** What happened, safe to show. */
  message: string;
}

/** How a turn ended. */
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
  /** How it ended. */
  status: TurnStatus;
  /** Whether it ended without an error. */
  success: boolean;
  /** The conversation's session id. */
  sessionId: string;
  /** What was posted to the user, if anything. */
  reply?: string;
  /** Model spend of the turn. */
  costUsd: number;
  /** Model calls made. */
  steps: number;
  /** Tool calls made, in order. */
  toolCalls: ToolCallRecord[];
  /** Errors met, in order. */
  errors: TurnError[];
  /** Approvals this turn is waiting for. */
  pendingApprovals: string[];
  /** The hand-off raised by this turn, if any. */
  escalationId?: string;
  /** Time from arrival to the end of the turn. */
  latencyMs: number;
}

/** What a Stop did, or why it was refused. */
export type StopOutcome =
  | { ok: true; message: string }
  | { ok: false; reason: 'not_allowed' | 'not_running'; message: string };
