/** Port: a tool as written with `defineTool`, and what it receives when called. */
import type { z } from 'zod';
import type { ApprovalRequirement } from './approvals';
import type { ConversationRef } from './conversations';
import type { Caller, Role } from './identity';
import type { Source } from './messages';

/** What a tool receives besides its validated input. */
export interface ToolContext {
  /** Who asked, with the role the platform granted. Use it to scope data. */
  caller: Caller;
  /** The conversation the call belongs to. */
  conversation: ConversationRef;
  /** That conversation's session id. */
  sessionId: string;
  /**
   * Stable per tool call: the same on retries and, for approved calls, when a
   * recovery re-applies the decision. Make writes de-duplicate on it, then
   * declare the tool `idempotent`.
   */
  idempotencyKey: string;
  /** Aborted when the call times out: check it before each write and pass it to I/O. */
  signal: AbortSignal;
  /** The engine's clock (epoch ms). */
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
  /**
   * A successful call opens a ticket: ids in its result (`ABC-123`) are listed
   * as the customer's open tickets in their history and in hand-off summaries.
   */
  opensTicket?: boolean;
  /** Do the work; the result (JSON) goes to the model as data. */
  execute(input: z.infer<S>, ctx: ToolContext): Promise<O>;
}
