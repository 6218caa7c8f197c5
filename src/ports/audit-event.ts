/** The audit record. */

/** One audit record. Extra fields are allowed; all string content is redacted before writing. */
export interface AuditEvent {
  /** What happened, e.g. `tool_call`, `model_call`, `approval_decided`. */
  event: string;
  /** The platform user the event concerns. */
  user_id?: string;
  /** The conversation's session id. */
  session_id?: string;
  /** Step of the agent loop within the turn. */
  agent_step?: number;
  /** The tool called, for tool events. */
  tool_name?: string;
  /** The tool's validated arguments (redacted on write). */
  tool_args?: unknown;
  /** Short summary of the tool's result. */
  tool_result_summary?: string;
  /** Model spend of this step. */
  cost_usd?: number;
  /** How long it took. */
  latency_ms?: number;
  /** Whether it succeeded. */
  success?: boolean;
  /** Error code or message when it failed (redacted on write). */
  error?: string;
  [extra: string]: unknown;
}
