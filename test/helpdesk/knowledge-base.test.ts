import { describe, expect, it } from 'vitest';
import { createKnowledgeBase, loadKnowledgeBase, parseArticle } from '../../plugins/helpdesk/knowledge-base';
import { alice, openFixture } from './helpdesk-fixture';

describe('knowledge base', () => {
  it('loads the shipped articles with their front-matter titles', async () => {
    const kb = await loadKnowledgeBase();
    expect(kb.articles.length).toBeGreaterThanOrEqual(5);
    for (const a of kb.articles) expect(a.title.length).toBeGreaterThan(5);
  });

  it.each([
    ["I can't access my account", 'account-access'],
    ['reset my password', 'account-access'],
    ['Why was I charged twice?', 'double-charges'],
    ['My application keeps crashing', 'desktop-app-crashes'],
    ['Where is my order?', 'shipping-and-tracking'],
    ['What is your refund policy?', 'refund-policy'],
    ['pasword reset', 'account-access'],
    ['crashng app', 'desktop-app-crashes'],
  ])('"%s" finds %s first', async (query, id) => {
    const kb = await loadKnowledgeBase();
    expect(kb.search(query, 3)[0]?.id).toBe(id);
  });

  it('returns title, a snippet around the match, and a score', async () => {
    const kb = await loadKnowledgeBase();
    const [hit] = kb.search('hardware acceleration', 3);
    expect(hit?.title).toBe("The desktop app keeps crashing or won't open");
    expect(hit?.snippet.toLowerCase()).toContain('hardware acceleration');
    expect(hit?.snippet).not.toMatch(/\*\*|^#/);
    expect(hit?.score).toBeGreaterThan(0);
  });

  it('finds nothing for unrelated text', async () => {
    const kb = await loadKnowledgeBase();
    expect(kb.search('Do you sell gift cards?', 3)).toEqual([]);
  });

  it('rejects an article without a title', () => {
    expect(() => parseArticle('broken', 'just text')).toThrow('needs a front-matter title');
    const kb = createKnowledgeBase([parseArticle('x', '---\ntitle: Custom\ntags: a, b\n---\nBody about widgets.')]);
    expect(kb.search('widgets', 1)).toMatchObject([{ id: 'x', title: 'Custom' }]);
  });

  it('is exposed to guests as search_knowledge_base', async () => {
    const f = await openFixture();
    try {
      const result = (await f.run('search_knowledge_base', { query: 'charged twice', limit: 1 }, { ...alice, role: 'guest' })) as { results: Array<{ title: string }> };
      expect(result.results).toEqual([expect.objectContaining({ title: 'Why was I charged twice?' })]);
    } finally {
      await f.cleanup();
    }
  });
});
