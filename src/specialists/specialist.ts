import { z } from 'zod';

/** Name of the specialist that takes whatever no other one claims. */
export const GENERAL_SPECIALIST = 'general';

/**
 * A specialist as configuration or a plugin declares it. `tools` are tool
 * names or globs (`list_*`, `*`); `keywords` are words or phrases matched on
 * word boundaries, `patterns` regular expressions (case-insensitive).
 */
export const specialistSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  description: z.string().min(1),
  instructions: z.string().min(1),
  tools: z.array(z.string().min(1)),
  model: z.string().optional(),
  keywords: z.array(z.string().min(1)).optional(),
  patterns: z.array(z.string().min(1)).optional(),
});

/** A declared specialist. */
export type Specialist = z.infer<typeof specialistSchema>;

/** How a conversation came to its specialists. */
export type RouteSource = 'rules' | 'model' | 'offline' | 'fallback' | 'transfer';

/**
 * Parse declarations and add `general` (every tool) when none is declared;
 * throws on a bad one. A later declaration with the same name replaces the
 * earlier one (a plugin overrides the demo's `billing`, as tools do).
 */
export function parseSpecialists(raw: readonly unknown[]): Specialist[] {
  const byName = new Map<string, Specialist>();
  for (const entry of raw) {
    const s = specialistSchema.parse(entry);
    byName.delete(s.name);
    byName.set(s.name, s);
  }
  const specialists = [...byName.values()];
  if (!byName.has(GENERAL_SPECIALIST)) {
    specialists.push({
      name: GENERAL_SPECIALIST,
      description: 'Anything the other specialists do not cover.',
      instructions: 'You handle general questions. If the problem clearly belongs to a specialist, transfer the conversation to them.',
      tools: ['*'],
    });
  }
  return specialists;
}
