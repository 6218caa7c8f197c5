import { z } from 'zod';
import type { Store } from '../ports';
import type { Sealer } from '../sessions/sealer';

/** Bump when the persisted entry shape changes. */
export const JOURNAL_SCHEMA_VERSION = 1;

/** Entries outlive the approvals they protect (7 days), so a late recovery still finds them. */
export const JOURNAL_RETENTION_MS = 8 * 86_400_000;

/** Key of one execution's entry: plaintext idempotency key only. */
export const journalKey = (idempotencyKey: string) => `tool-exec:${idempotencyKey}`;

// Plaintext: ids, states and times only. The outcome can hold personal data, so it is sealed.
const entrySchema = z.discriminatedUnion('state', [
  z.object({ v: z.literal(JOURNAL_SCHEMA_VERSION), state: z.literal('executing'), tool: z.string(), at: z.number() }),
  z.object({ v: z.literal(JOURNAL_SCHEMA_VERSION), state: z.literal('done'), tool: z.string(), at: z.number(), ok: z.boolean(), sealed: z.string() }),
]);

const outcomeSchema = z.object({ content: z.string(), error: z.string().optional() });

/** What a finished execution produced: exactly the content the model was fed. */
export type RecordedOutcome = { ok: true; content: string } | { ok: false; content: string; error: string };

/** What the journal knows about one idempotency key. */
export type JournalState =
  | { state: 'none' }
  | { state: 'executing'; tool: string; at: number }
  | { state: 'done'; tool: string; at: number; outcome: RecordedOutcome };

/**
 * Write-ahead record of side-effecting tool executions, so an execution is
 * never repeated blindly: `executing` is written before the tool starts and
 * `done` (with its outcome) after. A reader finding `executing` without an
 * outcome knows the process stopped mid-call and the effect is unknown.
 */
export interface ExecutionJournal {
  /** What is recorded under this idempotency key. */
  read(idempotencyKey: string): Promise<JournalState>;
  /** Mark an execution as started (one store write). */
  begin(idempotencyKey: string, tool: string): Promise<void>;
  /** Record the outcome (one store write). */
  finish(idempotencyKey: string, tool: string, outcome: RecordedOutcome): Promise<void>;
}

export interface ExecutionJournalOptions {
  store: Store;
  sealer: Sealer;
  now: () => number;
  ttlMs?: number;
}

/** The journal over the engine's store; outcomes are sealed (AES-256-GCM). */
export function createExecutionJournal(options: ExecutionJournalOptions): ExecutionJournal {
  const ttlMs = options.ttlMs ?? JOURNAL_RETENTION_MS;
  return {
    async read(idempotencyKey) {
      const parsed = entrySchema.safeParse(await options.store.get(journalKey(idempotencyKey)));
      if (!parsed.success) return { state: 'none' };
      const entry = parsed.data;
      if (entry.state === 'executing') return { state: 'executing', tool: entry.tool, at: entry.at };
      const opened = openOutcome(options.sealer, entry.sealed, journalKey(idempotencyKey));
      // An unreadable outcome proves the tool ran but not how it went: unknown, never "not run".
      if (!opened) return { state: 'executing', tool: entry.tool, at: entry.at };
      const { content, error } = opened;
      const outcome: RecordedOutcome = entry.ok ? { ok: true, content } : { ok: false, content, error: error ?? 'unknown' };
      return { state: 'done', tool: entry.tool, at: entry.at, outcome };
    },
    async begin(idempotencyKey, tool) {
      await options.store.set(journalKey(idempotencyKey), { v: JOURNAL_SCHEMA_VERSION, state: 'executing', tool, at: options.now() }, ttlMs);
    },
    async finish(idempotencyKey, tool, outcome) {
      const sealed = options.sealer.seal(outcome.ok ? { content: outcome.content } : { content: outcome.content, error: outcome.error }, journalKey(idempotencyKey));
      await options.store.set(journalKey(idempotencyKey), { v: JOURNAL_SCHEMA_VERSION, state: 'done', tool, at: options.now(), ok: outcome.ok, sealed }, ttlMs);
    },
  };
}

function openOutcome(sealer: Sealer, sealed: string, context: string): z.infer<typeof outcomeSchema> | undefined {
  try {
    const parsed = outcomeSchema.safeParse(sealer.open(sealed, context));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // wrong key or tampered
  }
}
