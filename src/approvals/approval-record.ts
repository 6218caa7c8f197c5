import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ApprovalView } from '../ports';
import { callerSchema, conversationSchema } from '../sessions/session-state';

/** Bump when the persisted shape changes. */
export const APPROVAL_SCHEMA_VERSION = 1;

export const approvalRecordSchema = z.object({
  v: z.literal(APPROVAL_SCHEMA_VERSION),
  id: z.string(),
  sessionId: z.string(),
  runId: z.string(),
  conversation: conversationSchema,
  toolName: z.string(),
  toolCallId: z.string(),
  /** Validated arguments, frozen at request time. */
  args: z.record(z.string(), z.unknown()),
  /** sha256 over tool, call id and canonical arguments: what was approved is what runs. */
  fingerprint: z.string(),
  requester: callerSchema,
  requirement: z.enum(['requester', 'staff', 'admin']),
  action: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  status: z.enum(['pending', 'approved', 'denied', 'expired']),
  decidedBy: callerSchema.optional(),
  decidedAt: z.number().optional(),
  message: z.object({ platform: z.string(), channelId: z.string(), messageId: z.string() }).optional(),
  /** The request as the model made it, when an approver changed the arguments before approving. */
  editedFrom: z
    .object({ args: z.record(z.string(), z.unknown()), fingerprint: z.string(), action: z.string(), requirement: z.enum(['requester', 'staff', 'admin']) })
    .optional(),
});

export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;

/** JSON with sorted keys, so equal arguments always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(toolName: string, toolCallId: string, args: unknown): string {
  return createHash('sha256').update(`${toolName}\n${toolCallId}\n${canonicalJson(args)}`).digest('hex');
}

/** What a channel renders. */
export function approvalView(record: ApprovalRecord, decidersText: string, displayArgs: Record<string, unknown>): ApprovalView {
  return {
    id: record.id,
    conversation: record.conversation,
    toolName: record.toolName,
    action: record.action,
    args: displayArgs,
    requester: { userId: record.requester.userId, displayName: record.requester.displayName },
    requirement: record.requirement,
    decidersText,
    expiresAt: record.expiresAt,
    status: record.status,
    ...(record.decidedBy ? { decidedBy: { userId: record.decidedBy.userId, displayName: record.decidedBy.displayName } } : {}),
    ...(record.decidedAt !== undefined ? { decidedAt: record.decidedAt } : {}),
  };
}
