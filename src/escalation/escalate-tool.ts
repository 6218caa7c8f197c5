import { z } from 'zod';
import { defineTool } from '../tools/define-tool';

export const ESCALATE_TOOL_NAME = 'escalate_to_human';

/**
 * Lets the model hand the conversation to a human. Running it only records
 * the request; the engine performs the escalation after the step, so the
 * hand-off goes through the same path as every other trigger.
 */
export const escalateTool = defineTool({
  name: ESCALATE_TOOL_NAME,
  description:
    'Hand this conversation to a human support agent. Use when the customer asks for a person, is upset, or you cannot solve the problem with your tools.',
  input: z.object({
    reason: z.string().min(1).max(500).describe('Why a human is needed, in one sentence'),
    urgency: z.enum(['low', 'normal', 'high', 'urgent']).default('normal').describe('How urgent it is'),
  }),
  permission: 'guest',
  approval: 'none',
  // Running it changes nothing (the engine escalates afterwards), so it needs no execution journal.
  readOnly: true,
  execute: async () => ({ status: 'escalation requested' }),
});
