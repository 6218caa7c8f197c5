import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import MiniSearch from 'minisearch';
import { ConfigError } from '../errors';
import type { Logger } from '../ports';
import { cosine, reciprocalRankFusion } from './rank-fusion';
import { listKbFiles, readKbChunks, type KbChunk, type SkippedFile } from './kb-documents';

/** Turns texts into vectors (any OpenAI-compatible embeddings endpoint). */
export interface Embedder {
  readonly model: string;
  embed(texts: string[]): Promise<number[][]>;
}

/** One search hit: a section of a document, citable. */
export interface KbSearchHit {
  title: string;
  url?: string;
  heading: string;
  snippet: string;
  score: number;
  /** `file#n`, for audit and tests. */
  chunk: string;
}

export interface KbIndexOptions {
  dir: string;
  /** Where the index (and embeddings) are kept between starts. */
  indexFile: string;
  logger: Logger;
  embedder?: Embedder;
}

const STOP_WORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have how i i'm im is it its it's me my of on or our so that the their them then there this to too us was we were what when where which who why will with would you your please`.split(/\s+/),
);
const miniOptions = {
  fields: ['title', 'heading', 'text'],
  storeFields: [] as string[],
  processTerm: (term: string) => {
    const t = term.toLowerCase();
    return t.length < 2 || STOP_WORDS.has(t) ? null : t;
  },
  searchOptions: { boost: { title: 2, heading: 1.5 }, fuzzy: 0.2, prefix: (term: string) => term.length > 3 },
};

interface Persisted {
  v: 1;
  fingerprint: string;
  chunks: KbChunk[];
  index: unknown;
  embeddings?: { model: string; vectors: Record<string, number[]> };
}

/**
 * A team's own help center from KB_DIR: Markdown, HTML and text files,
 * chunked by heading, indexed with MiniSearch (BM25) and, with an embedder,
 * ranked together with vector similarity by reciprocal rank fusion. The
 * index lives in the data directory and is rebuilt when the files change.
 */
export class KbIndex {
  private constructor(
    private readonly chunks: KbChunk[],
    private readonly search_: MiniSearch,
    private readonly vectors: Map<string, number[]> | undefined,
    private readonly embedder: Embedder | undefined,
    readonly stats: { chunks: number; files: number; skipped: SkippedFile[]; rebuilt: boolean; buildMs: number },
  ) {}

  /** Load the saved index if the files are unchanged, else rebuild (and save) it. An empty folder is an error. */
  static async open(options: KbIndexOptions): Promise<KbIndex> {
    const started = performance.now();
    let files;
    try {
      files = await listKbFiles(options.dir);
    } catch (error) {
      throw new ConfigError(`KB_DIR: cannot read ${options.dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, ['KB_DIR']);
    }
    if (files.length === 0) throw new ConfigError(`KB_DIR: ${options.dir} has no .md, .html or .txt files`, ['KB_DIR']);
    const fingerprint = createHash('sha256').update(JSON.stringify({ files, embedder: options.embedder?.model ?? null })).digest('hex');
    const saved = await readSaved(options.indexFile);
    if (saved?.fingerprint === fingerprint) {
      const search = MiniSearch.loadJS(saved.index as Parameters<typeof MiniSearch.loadJS>[0], miniOptions);
      const vectors = saved.embeddings ? new Map(Object.entries(saved.embeddings.vectors)) : undefined;
      return new KbIndex(saved.chunks, search, vectors, options.embedder, { chunks: saved.chunks.length, files: files.length, skipped: [], rebuilt: false, buildMs: performance.now() - started });
    }
    const { chunks, skipped } = await readKbChunks(options.dir);
    for (const s of skipped) options.logger.warn({ file: s.file, reason: s.reason }, 'KB_DIR: file skipped');
    if (chunks.length === 0) throw new ConfigError(`KB_DIR: no readable article in ${options.dir} (${skipped.length} file(s) skipped)`, ['KB_DIR']);
    const search = new MiniSearch(miniOptions);
    search.addAll(chunks.map((c) => ({ id: c.id, title: c.title, heading: c.heading, text: c.text })));
    let vectors: Map<string, number[]> | undefined;
    if (options.embedder) vectors = await embedAll(options.embedder, chunks, saved?.embeddings);
    const persisted: Persisted = {
      v: 1,
      fingerprint,
      chunks,
      index: search.toJSON(),
      ...(vectors && options.embedder ? { embeddings: { model: options.embedder.model, vectors: Object.fromEntries(vectors) } } : {}),
    };
    await writeAtomically(options.indexFile, JSON.stringify(persisted));
    return new KbIndex(chunks, search, vectors, options.embedder, { chunks: chunks.length, files: files.length, skipped, rebuilt: true, buildMs: performance.now() - started });
  }

  /** Best sections for a question: BM25, fused with vector similarity when embeddings are on. */
  async search(query: string, limit: number): Promise<KbSearchHit[]> {
    const bm25 = this.search_.search(query).slice(0, 20);
    let ranked: Array<{ id: string; score: number; terms: string[] }> = bm25.map((h) => ({ id: String(h.id), score: h.score, terms: h.terms }));
    if (this.vectors && this.embedder) {
      const [q] = await this.embedder.embed([query]);
      const semantic = q
        ? this.chunks
            .map((c) => ({ id: c.id, sim: cosine(q, this.vectors!.get(hashOf(c)) ?? []) }))
            .sort((a, b) => b.sim - a.sim)
            .slice(0, 20)
        : [];
      const terms = new Map(bm25.map((h) => [String(h.id), h.terms]));
      ranked = reciprocalRankFusion([bm25.map((h) => String(h.id)), semantic.map((s) => s.id)]).map((r) => ({ ...r, terms: terms.get(r.id) ?? [] }));
    }
    const byId = new Map(this.chunks.map((c) => [c.id, c]));
    return ranked.slice(0, limit).flatMap((hit) => {
      const chunk = byId.get(hit.id);
      if (!chunk) return [];
      return [{ title: chunk.title, ...(chunk.url ? { url: chunk.url } : {}), heading: chunk.heading, snippet: snippet(chunk.text, hit.terms), score: Math.round(hit.score * 1000) / 1000, chunk: chunk.id }];
    });
  }
}

async function embedAll(embedder: Embedder, chunks: KbChunk[], previous: Persisted['embeddings']): Promise<Map<string, number[]>> {
  const vectors = new Map<string, number[]>();
  const reuse = previous?.model === embedder.model ? previous.vectors : {};
  const missing = chunks.filter((c) => !reuse[hashOf(c)]);
  for (const c of chunks) if (reuse[hashOf(c)]) vectors.set(hashOf(c), reuse[hashOf(c)]!);
  // Embedded once per chunk text, in batches; unchanged chunks keep their vectors across rebuilds.
  for (let i = 0; i < missing.length; i += 64) {
    const batch = missing.slice(i, i + 64);
    const out = await embedder.embed(batch.map((c) => `${c.title}\n${c.heading}\n${c.text}`));
    batch.forEach((c, j) => vectors.set(hashOf(c), out[j] ?? []));
  }
  return vectors;
}

const hashOf = (c: KbChunk) => createHash('sha256').update(`${c.title}\n${c.heading}\n${c.text}`).digest('base64url');

async function readSaved(file: string): Promise<Persisted | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Persisted;
    return parsed.v === 1 ? parsed : undefined;
  } catch {
    return undefined; // missing or damaged: rebuild
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** About 280 characters around the first matched term. */
function snippet(text: string, terms: string[]): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const lower = flat.toLowerCase();
  const positions = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
  const first = positions.length > 0 ? Math.min(...positions) : 0;
  const start = Math.max(0, first - 80);
  const end = Math.min(flat.length, start + 280);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}
