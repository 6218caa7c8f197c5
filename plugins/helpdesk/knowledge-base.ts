import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';

/** One help-center article, parsed from a markdown file with front matter. */
export interface KbArticle {
  /** File name without `.md`. */
  id: string;
  title: string;
  tags: string[];
  /** Markdown body without the front matter. */
  body: string;
}

/** One search hit. */
export interface KbHit {
  id: string;
  title: string;
  /** Plain text around the first match. */
  snippet: string;
  /** MiniSearch relevance (BM25-like, higher is better; not bounded). */
  score: number;
}

/** The searchable help center. */
export interface KnowledgeBase {
  readonly articles: readonly KbArticle[];
  search(query: string, limit: number): KbHit[];
}

/** Where the demo articles live, next to this file. */
export const DEMO_KB_DIR = fileURLToPath(new URL('./kb/', import.meta.url));

// Common words would otherwise make every question match every article.
const STOP_WORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have how i i'm im is it its it's me my
   of on or our so that the their them then there this to too us was we were what when where which who why will
   with would you your please hi hello hey help want need get got just keep keeps still`.split(/\s+/),
);

/** Parse `---\ntitle: …\ntags: a, b\n---\nbody`. Files without a title are rejected so mistakes show early. */
export function parseArticle(id: string, text: string): KbArticle {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  const fields = new Map<string, string>();
  for (const line of (match?.[1] ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const title = fields.get('title');
  if (!title) throw new Error(`Knowledge-base article "${id}" needs a front-matter title`);
  const tags = (fields.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return { id, title, tags, body: (match?.[2] ?? text).trim() };
}

/** Load every `*.md` in `dir` and index it for fuzzy, prefix search. */
export async function loadKnowledgeBase(dir: string = DEMO_KB_DIR): Promise<KnowledgeBase> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const articles = await Promise.all(
    files.map(async (file) => parseArticle(path.basename(file, '.md'), await readFile(path.join(dir, file), 'utf8'))),
  );
  return createKnowledgeBase(articles);
}

/** Index already-parsed articles (teams may build their own list). */
export function createKnowledgeBase(articles: readonly KbArticle[]): KnowledgeBase {
  const index = new MiniSearch<{ id: string; title: string; tags: string; text: string }>({
    fields: ['title', 'tags', 'text'],
    processTerm: (term) => {
      const t = term.toLowerCase();
      return t.length < 2 || STOP_WORDS.has(t) ? null : t;
    },
    searchOptions: {
      boost: { title: 2, tags: 1.5 },
      fuzzy: 0.2,
      prefix: (term) => term.length > 3,
    },
  });
  index.addAll(articles.map((a) => ({ id: a.id, title: a.title, tags: a.tags.join(' '), text: plainText(a.body) })));
  const byId = new Map(articles.map((a) => [a.id, a]));

  return {
    articles,
    search(query, limit) {
      return index
        .search(query)
        .slice(0, limit)
        .flatMap((hit) => {
          const article = byId.get(String(hit.id));
          if (!article) return [];
          return [{ id: article.id, title: article.title, snippet: snippet(plainText(article.body), hit.terms), score: Math.round(hit.score * 100) / 100 }];
        });
    },
  };
}

/** Markdown to readable text: emphasis and list markers removed, headings and lines kept apart by punctuation. */
function plainText(markdown: string): string {
  return markdown
    .split(/\r?\n/)
    .map((line) => {
      const heading = /^#+\s*/.test(line);
      const text = line
        .replace(/^#+\s*/, '')
        .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
        .replace(/\*\*|__|`/g, '')
        .trim();
      if (text === '') return '';
      if (/[.!?:;]$/.test(text)) return text;
      return heading ? `${text}:` : `${text}.`;
    })
    .filter(Boolean)
    .join(' ');
}

/** About 280 characters starting near the first matched term, cut at word boundaries. */
function snippet(text: string, terms: string[]): string {
  const lower = text.toLowerCase();
  const positions = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
  const first = positions.length > 0 ? Math.min(...positions) : 0;
  let start = Math.max(0, first - 60);
  if (start > 0) {
    const sentence = text.lastIndexOf('. ', first);
    start = sentence >= start ? sentence + 2 : text.indexOf(' ', start) + 1;
  }
  let end = Math.min(text.length, start + 280);
  if (end < text.length) end = text.lastIndexOf(' ', end);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}
