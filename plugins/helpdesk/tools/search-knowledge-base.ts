import { z } from 'zod';
import { defineTool } from '../../../src/index';
import type { KbHit } from '../knowledge-base';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({
  query: z.string().trim().min(2).max(300).describe('What the customer wants to know, in their words or as keywords'),
  limit: z.number().int().min(1).max(5).optional().describe('How many articles (default 3)'),
});

/** What `search_knowledge_base` returns: best match first. */
export interface KnowledgeBaseResult {
  results: KbHit[];
}

/** `search_knowledge_base`: help-center articles, public, so guests may call it. */
export function createSearchKnowledgeBaseTool({ kb }: HelpdeskToolDeps) {
  return defineTool<typeof input, KnowledgeBaseResult>({
    name: 'search_knowledge_base',
    description: 'Search the help center (accounts and passwords, billing and double charges, app crashes, shipping, refunds, plans). Returns article titles, a snippet around the match and a relevance score.',
    input,
    permission: 'guest',
    approval: 'none',
    readOnly: true,
    describe: (args) => `Search the help center for "${args.query}"`,
    async execute(args) {
      return { results: kb.search(args.query, args.limit ?? 3) };
    },
  });
}
