import { truncate } from '../text/truncate';
import { AppError, TimeoutError, describeError } from '../errors';
import { hasRole } from '../policy/roles';
import type {
  ApprovalRequirement,
  AuditSink,
  Caller,
  ConversationRef,
  ModelToolCall,
  ToolCallRecord,
  ToolDefinition,
} from '../ports';
import type { Resilience } from '../resilience/policies';
import type { ToolRegistry } from '../tools/registry';
import type { ExecutionJournal } from './execution-journal';

/** Longest tool output fed back to the model; bigger results are cut to bound cost. */
const MAX_RESULT_CHARS = 6_000;

export interface ToolRunnerDeps {
  registry: ToolRegistry;
  resilience: Resilience;
  audit: AuditSink;
  now: () => number;
  /** Records side-effecting executions; without it nothing is journaled (read-only setups, unit tests). */
  journal?: ExecutionJournal;
  /** Why a tool may not run in this conversation whatever the role (not enabled in its channel); undefined = it may. */
  refuse?: (toolName: string) => string | undefined;
}

export interface ToolCallScope {
  caller: Caller;
  conversation: ConversationRef;
  sessionId: string;
  step: number;
}

/** A call that ran (or was refused) and produced content for the model. */
export interface CompletedCall {
  kind: 'done';
  call: ModelToolCall;
  record: ToolCallRecord;
  content: string;
  /** The tool itself failed (not a refusal or bad arguments). */
  failed: boolean;
  args?: Record<string, unknown>;
}

/** A valid, permitted call that must wait for a human decision. */
export interface CallNeedingApproval {
  kind: 'approval';
  call: ModelToolCall;
  record: ToolCallRecord;
  tool: ToolDefinition;
  args: Record<string, unknown>;
  requirement: Exclude<ApprovalRequirement, 'none'>;
  action: string;
}

export type CallOutcome = CompletedCall | CallNeedingApproval;

/**
 * One line for people (hand-off summaries): the arguments, and for failures
 * the reason, instead of raw tool output.
 */
export function actionSummary(args: unknown, outcome: ToolCallRecord['outcome'], content: string): string {
  const argText =
    args && typeof args === 'object'
      ? Object.entries(args as Record<string, unknown>)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(', ')
      : '';
  if (outcome !== 'ok') {
    try {
      const parsed = JSON.parse(content) as Record<string, unknown>;
      const reason = parsed.error ?? parsed.refused ?? parsed.denied ?? parsed.expired ?? parsed.cancelled;
      if (typeof reason === 'string') return truncate(argText ? `${argText}: ${reason}` : reason, 160);
    } catch {
      // not JSON: fall through to the arguments
    }
  }
  return truncate(argText, 120);
}

const asContent = (value: unknown) => truncate(typeof value === 'string' ? value : JSON.stringify(value ?? null), MAX_RESULT_CHARS);

/**
 * Check one model tool call and run it if it may run now. Nothing the model
 * or the user wrote can change the outcome: the tool must exist, the
 * arguments must pass its schema, and the caller's platform role must allow it.
 */
export async function runToolCall(deps: ToolRunnerDeps, call: ModelToolCall, scope: ToolCallScope): Promise<CallOutcome> {
  const started = deps.now();
  const finish = (outcome: ToolCallRecord['outcome'], content: string, args: unknown, failed = false, error?: string): CompletedCall => {
    const record: ToolCallRecord = { id: call.id, name: call.name, args, outcome, summary: truncate(content, 200), latencyMs: deps.now() - started };
    deps.audit.write({
      event: outcome === 'refused' ? 'authorization_refused' : 'tool_call',
      user_id: scope.caller.userId,
      session_id: scope.sessionId,
      agent_step: scope.step,
      tool_name: call.name,
      tool_args: args,
      tool_result_summary: record.summary,
      latency_ms: record.latencyMs,
      success: outcome === 'ok',
      outcome,
      role: scope.caller.role,
      ...(error ? { error } : {}),
    });
    return { kind: 'done', call, record, content, failed, ...(args && typeof args === 'object' ? { args: args as Record<string, unknown> } : {}) };
  };

  const refusal = deps.refuse?.(call.name);
  if (refusal !== undefined) return finish('refused', asContent({ refused: refusal }), call.arguments, false, 'not_enabled_in_channel');
  const tool = deps.registry.get(call.name);
  if (!tool) {
    return finish('invalid', asContent({ error: `Unknown tool "${call.name}". Use only the tools provided.` }), call.arguments);
  }
  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return finish('invalid', asContent({ error: 'Arguments were not valid JSON; call the tool again with a JSON object.' }), call.arguments);
  }
  const parsed = tool.input.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return finish('invalid', asContent({ error: `Invalid arguments: ${issues}` }), raw);
  }
  const args = parsed.data as Record<string, unknown>;

  if (!hasRole(scope.caller.role, tool.permission)) {
    const message = `Not permitted: ${tool.name} requires the ${tool.permission} role and this user is ${scope.caller.role}. Roles come from the workspace and cannot be changed in the conversation. Tell the user you can't do this and offer a human.`;
    return finish('refused', asContent({ refused: message }), args, false, 'forbidden');
  }

  let requirement: ApprovalRequirement;
  try {
    requirement = typeof tool.approval === 'function' ? tool.approval(args, { caller: scope.caller }) : (tool.approval ?? 'none');
  } catch {
    // A broken policy must not let the call through unreviewed.
    requirement = 'admin';
  }
  if (requirement !== 'none') {
    const action = tool.describe ? tool.describe(args) : `Run ${tool.name}`;
    const record: ToolCallRecord = { id: call.id, name: call.name, args, outcome: 'pending_approval', summary: action, latencyMs: deps.now() - started };
    return { kind: 'approval', call, record, tool, args, requirement, action };
  }

  const result = await executeTool(deps, tool, args, { ...scope, idempotencyKey: call.id });
  return result.ok ? finish('ok', result.content, args) : finish('error', result.content, args, true, result.error);
}

/**
 * How one execution went. `unconfirmed`: a side-effecting, non-idempotent tool
 * timed out, so it may have acted before the deadline; nobody knows.
 */
export type ExecutionResult = { ok: true; content: string } | { ok: false; content: string; error: string; unconfirmed?: true };

/**
 * Run a validated, authorised tool under its timeout, breaker and (only for
 * read-only or idempotent tools) retries. A side-effecting tool is journaled:
 * `executing` before it starts, the outcome after. Never throws.
 */
export async function executeTool(
  deps: Pick<ToolRunnerDeps, 'resilience' | 'now' | 'journal'>,
  tool: ToolDefinition,
  args: Record<string, unknown>,
  scope: ToolCallScope & { idempotencyKey: string },
): Promise<ExecutionResult> {
  const journal = tool.readOnly ? undefined : deps.journal;
  if (journal) {
    try {
      await journal.begin(scope.idempotencyKey, tool.name);
    } catch (error) {
      // Without the record a crash would leave no trace of the call: better not to start it.
      return { ok: false, content: asContent({ error: 'The action could not be started (internal storage unavailable); nothing was done.' }), error: describeError(error) };
    }
  }
  const result = await runGuarded(deps, tool, args, scope);
  if (journal) {
    // A lost outcome record only makes a later recovery report "unknown"; the result itself stands.
    await journal.finish(scope.idempotencyKey, tool.name, result).catch(() => undefined);
  }
  return result;
}

async function runGuarded(
  deps: Pick<ToolRunnerDeps, 'resilience' | 'now'>,
  tool: ToolDefinition,
  args: Record<string, unknown>,
  scope: ToolCallScope & { idempotencyKey: string },
): Promise<ExecutionResult> {
  // Running a side effect twice is only safe when the tool de-duplicates on the idempotency key.
  const retry = tool.readOnly === true || tool.idempotent === true;
  try {
    const output = await deps.resilience.tool(
      tool.name,
      (signal) =>
        tool.execute(args, {
          caller: scope.caller,
          conversation: scope.conversation,
          sessionId: scope.sessionId,
          idempotencyKey: scope.idempotencyKey,
          signal,
          now: deps.now,
        }),
      tool.timeoutMs === undefined ? { retry } : { timeoutMs: tool.timeoutMs, retry },
    );
    return { ok: true, content: asContent(output) };
  } catch (error) {
    // Tools may throw user-facing AppErrors; anything else is summarised without internals.
    const message = error instanceof AppError ? error.message : 'The tool failed unexpectedly.';
    if (error instanceof TimeoutError && !retry) {
      // It may have acted before the deadline: a plain "failed" would invite the model to try again.
      const unsure = `${message}. It may or may not have taken effect, so do not call it again; tell the user you could not confirm it and offer a human to check.`;
      return { ok: false, content: asContent({ error: unsure }), error: describeError(error), unconfirmed: true };
    }
    return { ok: false, content: asContent({ error: message }), error: describeError(error) };
  }
}
