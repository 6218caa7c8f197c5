import { z } from 'zod';
import type { Source, ToolDefinition } from '../ports';
import { defineTool } from '../tools/define-tool';
import type { KbIndex, KbSearchHit } from './kb-index';

const input = z.object({
  query: z.string().trim().min(2).max(300).describe('What the customer wants to know, in their words or as keywords'),
  limit: z.number().int().min(1).max(5).optional().describe('How many sections (default 3)'),
});

/** What the help-center search returns: best section first, each citable. */
export interface HelpCenterResult {
  results: KbSearchHit[];
  /** Present when nothing matched: the model must say so instead of guessing. */
  guidance?: string;
}

export const NO_ARTICLE_GUIDANCE =
  "No article in the help center covers this. Tell the customer you couldn't find it in the help center rather than guessing an answer, and offer to bring in a human.";

/**
 * `search_knowledge_base` over the team's own documents (KB_DIR). It takes
 * the name of the demo helpdesk's search, so it replaces it. Public: guests
 * may call it. Results carry title, URL and heading so answers can cite them.
 */
export function createHelpCenterTool(index: KbIndex): ToolDefinition<typeof input, HelpCenterResult> {
  return defineTool<typeof input, HelpCenterResult>({
    name: 'search_knowledge_base',
    description:
      'Search the help center (the team\'s own articles). Returns sections with title, URL, heading, a snippet and a score. Answer policy questions only from these results and cite them; if nothing matches, say so.',
    input,
    permission: 'guest',
    approval: 'none',
    readOnly: true,
    describe: (args) => `Search the help center for "${args.query}"`,
    sources: (content) => citationsOf(content, 0),
    progress: (args) => `Searching the help center for "${args.query.slice(0, 60)}"`,
    async execute(args) {
      const results = await index.search(args.query, args.limit ?? 3);
      return results.length > 0 ? { results } : { results, guidance: NO_ARTICLE_GUIDANCE };
    },
  });
}

type Citation = Source;

/** Sources from one help-center result: the best hits only, one per document section. */
export function citationsOf(content: string, minScore: number): Citation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  const results = (parsed as { results?: unknown }).results;
  if (!Array.isArray(results)) return [];
  const best = typeof results[0]?.score === 'number' ? (results[0].score as number) : 0;
  return results
    .filter((r): r is KbSearchHit => typeof r === 'object' && r !== null && typeof (r as KbSearchHit).title === 'string')
    // Weak hits next to a strong one were not what the answer used.
    .filter((r, i) => i === 0 || r.score >= Math.max(minScore, best / 2))
    .slice(0, 2)
    .map((r) => ({ title: r.title, ...(r.url ? { url: r.url } : {}), ...(r.heading ? { heading: r.heading } : {}) }));
}

/** `Sources: [Title › Heading](url), …` in Markdown (every adapter renders links its own way). */
export function sourcesLine(citations: readonly Citation[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const c of citations) {
    const label = c.heading && c.heading !== c.title ? `${c.title} › ${c.heading}` : c.title;
    const key = `${label}|${c.url ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(c.url ? `[${label}](${c.url})` : label);
  }
  return parts.length > 0 ? `Sources: ${parts.join(', ')}` : '';
}
