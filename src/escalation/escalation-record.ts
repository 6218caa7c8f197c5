import { z } from 'zod';
import type { EscalationView } from '../ports';
import { callerSchema, conversationSchema } from '../sessions/session-state';

export const ESCALATION_SCHEMA_VERSION = 1;

const refSchema = z.object({ platform: z.string(), channelId: z.string(), messageId: z.string() });
const personSchema = z.object({ userId: z.string(), displayName: z.string() });

export const escalationRecordSchema = z.object({
  v: z.literal(ESCALATION_SCHEMA_VERSION),
  id: z.string(),
  sessionId: z.string(),
  conversation: conversationSchema,
  permalink: z.string().optional(),
  customer: callerSchema,
  trigger: z.string(),
  reason: z.string(),
  urgency: z.enum(['low', 'normal', 'high', 'urgent']),
  summary: z.string(),
  stepsTaken: z.array(z.string()),
  pending: z.array(z.string()),
  status: z.enum(['open', 'claimed', 'closed']),
  claimedBy: personSchema.optional(),
  closedBy: personSchema.optional(),
  createdAt: z.number(),
  lastNotifiedAt: z.number(),
  /** On-call notices delivered; 0 while the first one has not got through. */
  notifications: z.number().int(),
  /** Delivery attempts of the first notice, while it has not got through. */
  deliveryAttempts: z.number().int().optional(),
  oncall: refSchema.optional(),
});

export type EscalationRecord = z.infer<typeof escalationRecordSchema>;

export function escalationView(record: EscalationRecord): EscalationView {
  return {
    id: record.id,
    conversation: record.conversation,
    ...(record.permalink ? { permalink: record.permalink } : {}),
    customer: { userId: record.customer.userId, displayName: record.customer.displayName, role: record.customer.role },
    trigger: record.trigger,
    reason: record.reason,
    urgency: record.urgency,
    summary: record.summary,
    stepsTaken: record.stepsTaken,
    pending: record.pending,
    status: record.status,
    ...(record.claimedBy ? { claimedBy: record.claimedBy } : {}),
    createdAt: record.createdAt,
    // What on-call sees is a notice being delivered: the first is number 1 even before it got through.
    notifications: Math.max(record.notifications, 1),
  };
}
