import { z } from 'zod';

/** Bump when a persisted memory shape changes. */
export const MEMORY_SCHEMA_VERSION = 1;

/** One earlier conversation of a customer, as their history remembers it (no message text). */
export const pastConversationSchema = z.object({
  sessionId: z.string(),
  at: z.number(),
  specialists: z.array(z.string()),
  outcome: z.enum(['open', 'resolved', 'escalated']),
  /** Tickets opened in it (ids from create_ticket), for "open tickets". */
  tickets: z.array(z.string()),
});

/** A customer's history in one workspace; sealed at rest, expires after the retention period. */
export const customerHistorySchema = z.object({
  v: z.literal(MEMORY_SCHEMA_VERSION),
  conversations: z.array(pastConversationSchema),
});

/** A resolved problem, redacted: what was wrong and what fixed it. */
export const solvedCaseSchema = z.object({
  id: z.string(),
  /** Whose conversation it came from, only so `forget` can remove it; never shown to the model. */
  ownerId: z.string(),
  sessionId: z.string(),
  at: z.number(),
  specialists: z.array(z.string()),
  problem: z.string(),
  resolution: z.string(),
});

/** The workspace's solved cases (one sealed document per workspace, bounded). */
export const caseBookSchema = z.object({
  v: z.literal(MEMORY_SCHEMA_VERSION),
  cases: z.array(solvedCaseSchema),
});

export type PastConversation = z.infer<typeof pastConversationSchema>;
export type CustomerHistory = z.infer<typeof customerHistorySchema>;
export type SolvedCase = z.infer<typeof solvedCaseSchema>;
export type CaseBook = z.infer<typeof caseBookSchema>;
