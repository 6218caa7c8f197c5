import { z } from 'zod';
import type { ChatMessage, ConversationRef } from '../ports';

/** Bump when the persisted shape changes; `migrateSession` upgrades older records. */
export const SESSION_SCHEMA_VERSION = 1;

const roleSchema = z.enum(['guest', 'member', 'staff', 'admin']);

export const conversationSchema = z.object({
  platform: z.string(),
  workspaceId: z.string(),
  channelId: z.string(),
  threadId: z.string(),
});

export const callerSchema = z.object({
  userId: z.string(),
  platform: z.string(),
  displayName: z.string(),
  role: roleSchema,
  roleSource: z.string().optional(),
});

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({ role: z.literal('assistant'), content: z.string().nullable(), toolCalls: z.array(toolCallSchema).optional() }),
  z.object({ role: z.literal('tool'), toolCallId: z.string(), content: z.string() }),
]);

export const toolCallRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  args: z.unknown(),
  outcome: z.enum(['ok', 'error', 'refused', 'invalid', 'pending_approval', 'denied']),
  summary: z.string(),
  latencyMs: z.number(),
});

/** A run stopped at a tool call that needs a human decision. */
export const pausedRunSchema = z.object({
  runId: z.string(),
  requester: callerSchema,
  /** Model steps already used by this run. */
  steps: z.number().int(),
  costUsd: z.number(),
  startedAt: z.number(),
  pending: z.array(z.object({ toolCallId: z.string(), approvalId: z.string(), toolName: z.string(), fingerprint: z.string() })),
  toolCalls: z.array(toolCallRecordSchema),
  /** Messages the user sent while the run waited; fed to the model on resume. */
  queued: z.array(z.string()),
});

/** A thumbs up/down stored with the conversation (the session is sealed, so the reason is too). */
export const feedbackEntrySchema = z.object({
  rating: z.enum(['up', 'down']),
  at: z.number(),
  userId: z.string(),
  reason: z.string().optional(),
  messageId: z.string().optional(),
});

/** How the current episode of the conversation is going, for outcome reports. Optional: older sessions have none. */
export const outcomeStateSchema = z.object({
  status: z.enum(['open', 'resolved', 'escalated', 'abandoned']),
  /** Who or what decided a final status: the user, the quiet-time rule, or a human's hand-back. */
  resolution: z.enum(['user', 'timeout', 'human']).optional(),
  decidedAt: z.number().optional(),
  /** User messages in this episode (1 = first-contact). */
  userMessages: z.number().int(),
  lastActivityAt: z.number(),
  /** The bot's last answer ended in a question: silence then means abandoned, not resolved. */
  askedQuestion: z.boolean().optional(),
  answered: z.boolean().optional(),
  escalated: z.boolean().optional(),
  costUsd: z.number(),
});

export const sessionSchema = z.object({
  v: z.literal(SESSION_SCHEMA_VERSION),
  id: z.string(),
  conversation: conversationSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Everything said, bounded; the model sees a token-trimmed tail of it. */
  history: z.array(chatMessageSchema),
  /** What the bot did here, newest last, for hand-off summaries. */
  actions: z.array(z.object({ at: z.number(), tool: z.string(), outcome: z.string(), summary: z.string() })),
  /** Who the conversation is with (the first person who spoke). */
  customer: callerSchema.optional(),
  paused: pausedRunSchema.optional(),
  handoff: z.object({ escalationId: z.string(), since: z.number() }).optional(),
  turns: z.number().int(),
  /** Bumped on every save; replicas save by compare-and-set on it. */
  rev: z.number().int().optional(),
  /** Ids of the latest messages answered here, saved with the answer: a recovered turn that already ran is not run twice. */
  recentMessageIds: z.array(z.string()).optional(),
  /** The specialists handling this conversation (routed on its first message, changed by transfers). Optional: older records load. */
  route: z
    .object({
      specialists: z.array(z.string()).min(1),
      by: z.enum(['rules', 'model', 'offline', 'fallback', 'transfer']),
      at: z.number(),
      transfers: z.number().int(),
      /** Set when the message that chose this route spans domains: its run consults each specialist in parallel, then it is cleared. */
      consult: z.boolean().optional(),
    })
    .optional(),
  /** A parallel consultation paused for an approval in one specialist (the others' parts were shown); it resumes alone after the decision. */
  consultation: z
    .object({
      /** The specialist whose consultation paused; it resumes alone with its own tools after the decision. */
      specialist: z.string(),
      /** Model steps it has used, and its share of MAX_STEPS. */
      steps: z.number().int(),
      maxSteps: z.number().int(),
    })
    .optional(),
  /** What memory recalled on the first message: the customer's history and anonymised past cases, for the system prompt. */
  memory: z.object({ history: z.string().optional(), pastCases: z.string().optional() }).optional(),
  /** Outcome of the current episode (a message after a decided outcome opens a new one). */
  outcome: outcomeStateSchema.optional(),
  /** Thumbs up/down given here, newest last, bounded. */
  feedback: z.array(feedbackEntrySchema).optional(),
});

export type SessionState = z.infer<typeof sessionSchema>;
export type PausedRun = z.infer<typeof pausedRunSchema>;
export type OutcomeState = z.infer<typeof outcomeStateSchema>;

/** Stable session id for a conversation (platform thread). */
export function sessionIdOf(conversation: ConversationRef): string {
  return [conversation.platform, conversation.workspaceId, conversation.channelId, conversation.threadId].join(':');
}

export function newSession(conversation: ConversationRef, now: number): SessionState {
  return {
    v: SESSION_SCHEMA_VERSION,
    id: sessionIdOf(conversation),
    conversation,
    createdAt: now,
    updatedAt: now,
    history: [],
    actions: [],
    turns: 0,
  };
}

/** Upgrade a stored record to the current shape; undefined when it cannot be read. */
export function migrateSession(raw: unknown): SessionState | undefined {
  const parsed = sessionSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export type { ChatMessage };
