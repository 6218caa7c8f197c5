import { z } from 'zod';
import type { ToolDefinition, ToolSpec } from '../ports';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Declare a tool. The zod schema validates the model's arguments and becomes
 * the JSON schema the model sees; `permission` and `approval` are enforced by
 * the engine, whatever the conversation says.
 */
export function defineTool<S extends z.ZodType, O>(definition: ToolDefinition<S, O>): ToolDefinition<S, O> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new TypeError(`Tool name "${definition.name}" must match ${TOOL_NAME} (OpenAI function-name rules)`);
  }
  if (definition.description.trim() === '') {
    throw new TypeError(`Tool "${definition.name}" needs a description`);
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
