import { z } from 'zod';
import type { ToolDefinition } from '../ports';
import { defineTool } from '../tools/define-tool';

export const TRANSFER_TOOL_NAME = 'transfer_to_specialist';

/**
 * Lets a specialist hand the conversation to another within the session.
 * Running it only records the request; the loop changes the route after the
 * step, so the next model call already sees the new specialist's tools.
 */
export function createTransferTool(names: readonly string[]): ToolDefinition {
  return defineTool({
    name: TRANSFER_TOOL_NAME,
    description: 'Hand this conversation to another specialist when the problem belongs to them. They take over with their own tools.',
    input: z.object({
      specialist: z.enum(names as [string, ...string[]]).describe('Who takes over'),
      reason: z.string().min(1).max(300).describe('Why, in a few words'),
    }),
    permission: 'guest',
    approval: 'none',
    // Changes nothing by itself (the loop moves the route), so no execution journal.
    readOnly: true,
    execute: async (input) => ({ status: 'transferred', to: input.specialist }),
  });
}
