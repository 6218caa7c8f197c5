import type { ToolDefinition } from '../ports';
import type { ExecutionJournal } from './execution-journal';
import { executeTool, type ExecutionResult, type ToolCallScope, type ToolRunnerDeps } from './tool-runner';

/** How a possibly repeated execution was settled. */
export type AtMostOnceResult =
  /** The tool ran now. */
  | { kind: 'ran'; result: ExecutionResult }
  /** An earlier execution under the same key finished; this is its recorded outcome. */
  | { kind: 'recorded'; result: ExecutionResult }
  /** An earlier execution started and never recorded an outcome; the tool may not repeat, so nobody knows. */
  | { kind: 'unknown'; startedAt: number };

/**
 * Execute a call that may already have been executed (a decision applied
 * again after a crash or a failed save). The journal decides: a recorded
 * outcome is reused; an interrupted execution is re-run only when the tool
 * is idempotent (de-duplicates on the key), otherwise its outcome is unknown.
 */
export async function executeAtMostOnce(
  deps: Pick<ToolRunnerDeps, 'resilience' | 'now'> & { journal: ExecutionJournal },
  tool: ToolDefinition,
  args: Record<string, unknown>,
  scope: ToolCallScope & { idempotencyKey: string },
): Promise<AtMostOnceResult> {
  if (!tool.readOnly) {
    const recorded = await deps.journal.read(scope.idempotencyKey);
    if (recorded.state === 'done') return { kind: 'recorded', result: recorded.outcome };
    if (recorded.state === 'executing' && !tool.idempotent) return { kind: 'unknown', startedAt: recorded.at };
  }
  return { kind: 'ran', result: await executeTool(deps, tool, args, scope) };
}
