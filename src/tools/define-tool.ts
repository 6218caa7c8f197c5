import { z } from 'zod';
import type { ToolDefinition, ToolSpec } from '../ports';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Declare a tool. The zod schema validates the model's arguments and becomes
 * the JSON schema the model sees; `permission` and `approval` are enforced by
 * the engine, whatever the conversation says. Declare `readOnly` for lookups
 * and `idempotent` only when the tool de-duplicates on `ctx.idempotencyKey`:
 * anything else runs at most once (never retried, never re-run after a crash).
 */
export function defineTool<S extends z.ZodType, O>(definition: ToolDefinition<S, O>): ToolDefinition<S, O> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new TypeError(`Tool name "${definition.name}" must match ${TOOL_NAME} (OpenAI function-name rules)`);
  }
  if (definition.description.trim() === '') {
    throw new TypeError(`Tool "${definition.name}" needs a description`);
  }
  // TOOLS_DIR modules may be plain JavaScript: a truthy string here would silently allow retries and re-runs.
  for (const flag of ['readOnly', 'idempotent'] as const) {
    if (definition[flag] !== undefined && typeof definition[flag] !== 'boolean') {
      throw new TypeError(`Tool "${definition.name}": ${flag} must be true or false`);
    }
  }
  return Object.freeze({ ...definition });
}

/** Structural check for values exported by tool modules. */
export function isToolDefinition(value: unknown): value is ToolDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    typeof v.description === 'string' &&
    typeof v.execute === 'function' &&
    typeof v.permission === 'string' &&
    v.input instanceof z.ZodType
  );
}

/** The function-calling spec sent to the model, generated from the zod schema. */
export function toolSpec(tool: ToolDefinition): ToolSpec {
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parameters: schema };
}
