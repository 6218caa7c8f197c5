import MiniSearch from 'minisearch';
import type { Embedder } from '../knowledge/kb-index';
import { cosine, reciprocalRankFusion } from '../knowledge/rank-fusion';
import type { Store } from '../ports';
import { parseWith, SealedCollection } from '../sessions/sealed-collection';
import type { Sealer } from '../sessions/sealer';
import { caseBookSchema, customerHistorySchema, MEMORY_SCHEMA_VERSION, type CustomerHistory, type PastConversation, type SolvedCase } from './memory-records';

/** Conversations a history keeps, and solved cases a workspace keeps (newest win). */
const MAX_CONVERSATIONS = 50;
const MAX_CASES = 500;
/** MiniSearch scores below this are chance overlaps (one common word), not similar problems. */
const MIN_CASE_SCORE = 4;
/** Cosine similarity below which a case is not similar, however it ranks (a conservative value for OpenAI-style embeddings). */
const MIN_CASE_SIMILARITY = 0.5;
/** Case vectors kept in memory (oldest dropped first). */
const MAX_CASE_VECTORS = 5_000;

/** Where a customer's memory lives: one workspace of one platform, and the person. */
export interface MemoryOwner {
  /** `platform:workspaceId`; memory never crosses workspaces. */
  workspace: string;
  userId: string;
}

export interface CustomerMemoryOptions {
  store: Store;
  sealer: Sealer;
  now: () => number;
  /** Entries older than this are dropped on read and write; stored records expire after it too. */
  retentionMs: number;
  /** With EMBEDDINGS_MODEL: solved cases are ranked by BM25 and vector similarity together (reciprocal rank fusion). */
  embedder?: Embedder;
  /** Told when embedding fails; that recall falls back to BM25 alone. */
  onEmbeddingFailed?: (error: unknown) => void;
}

/**
 * Customer history and solved cases, sealed at rest like sessions, scoped
 * per workspace, forgotten after the retention period or on request.
 */
export class CustomerMemory {
  private readonly histories: SealedCollection<CustomerHistory>;
  private readonly books: SealedCollection<{ v: 1; cases: SolvedCase[] }>;
  /** Vectors of solved cases by case id (a case's text never changes), embedded on first recall. */
  private readonly vectors = new Map<string, { model: string; vector: number[] }>();

  constructor(private readonly options: CustomerMemoryOptions) {
    this.histories = new SealedCollection({ store: options.store, sealer: options.sealer, prefix: 'memory:history:', parse: parseWith(customerHistorySchema), ttlMs: options.retentionMs });
    this.books = new SealedCollection({ store: options.store, sealer: options.sealer, prefix: 'memory:cases:', parse: parseWith(caseBookSchema), ttlMs: options.retentionMs });
  }

  private fresh<T extends { at: number }>(items: readonly T[]): T[] {
    const cutoff = this.options.now() - this.options.retentionMs;
    return items.filter((i) => i.at >= cutoff);
  }

  /** Earlier conversations of this customer within the retention period, oldest first. */
  async history(owner: MemoryOwner): Promise<PastConversation[]> {
    return this.fresh((await this.histories.get(`${owner.workspace}:${owner.userId}`))?.conversations ?? []);
  }

  /** Add or change the entry of one conversation. */
  async recordConversation(owner: MemoryOwner, sessionId: string, change: (entry: PastConversation) => PastConversation): Promise<void> {
    await this.histories.update(`${owner.workspace}:${owner.userId}`, (current) => {
      const conversations = this.fresh(current?.conversations ?? []);
      const index = conversations.findIndex((c) => c.sessionId === sessionId);
      const base: PastConversation = index >= 0 ? conversations[index]! : { sessionId, at: this.options.now(), specialists: [], outcome: 'open', tickets: [] };
      const next = change(structuredClone(base));
      if (index >= 0) conversations[index] = next;
      else conversations.push(next);
      return { v: MEMORY_SCHEMA_VERSION, conversations: conversations.slice(-MAX_CONVERSATIONS) };
    });
  }

  /** Store a (redacted) solved case; a conversation keeps one case, the latest resolution. */
  async addSolvedCase(workspace: string, solved: SolvedCase): Promise<void> {
    await this.books.update(workspace, (current) => {
      const cases = this.fresh(current?.cases ?? []).filter((c) => c.sessionId !== solved.sessionId);
      cases.push(solved);
      return { v: MEMORY_SCHEMA_VERSION, cases: cases.slice(-MAX_CASES) };
    });
  }

  /**
   * The solved cases of this workspace most similar to `text`, best first:
   * MiniSearch (BM25), fused with vector similarity when an embedder is set.
   */
  async similarCases(workspace: string, text: string, limit = 2, excludeSessionId?: string): Promise<SolvedCase[]> {
    const cases = this.fresh((await this.books.get(workspace))?.cases ?? []).filter((c) => c.sessionId !== excludeSessionId);
    if (cases.length === 0) return [];
    const index = new MiniSearch<SolvedCase>({ fields: ['problem', 'resolution'], storeFields: ['id'], idField: 'id', searchOptions: { boost: { problem: 2 }, fuzzy: 0.2, prefix: true } });
    index.addAll(cases);
    const lexical = index
      .search(text)
      .filter((hit) => hit.score >= MIN_CASE_SCORE)
      .map((hit) => String(hit.id));
    let ranked = lexical;
    if (this.options.embedder) {
      try {
        ranked = reciprocalRankFusion([lexical, await this.semanticRanking(cases, text, this.options.embedder)]).map((r) => r.id);
      } catch (error) {
        this.options.onEmbeddingFailed?.(error);
      }
    }
    const byId = new Map(cases.map((c) => [c.id, c]));
    return ranked.slice(0, limit).flatMap((id) => byId.get(id) ?? []);
  }

  /** Case ids by similarity to `text`, only those similar enough; one embeddings request (the query and new cases). */
  private async semanticRanking(cases: readonly SolvedCase[], text: string, embedder: Embedder): Promise<string[]> {
    const missing = cases.filter((c) => this.vectors.get(c.id)?.model !== embedder.model);
    const [query, ...embedded] = await embedder.embed([text, ...missing.map((c) => `${c.problem}\n${c.resolution}`)]);
    if (!query || embedded.length !== missing.length) throw new Error(`embeddings: expected ${missing.length + 1} vectors, got ${embedded.length + (query ? 1 : 0)}`);
    missing.forEach((c, i) => this.vectors.set(c.id, { model: embedder.model, vector: embedded[i]! }));
    for (const id of this.vectors.keys()) {
      if (this.vectors.size <= MAX_CASE_VECTORS) break;
      this.vectors.delete(id);
    }
    return cases
      .map((c) => ({ id: c.id, similarity: cosine(query, this.vectors.get(c.id)?.vector ?? []) }))
      .filter((c) => c.similarity >= MIN_CASE_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity)
      .map((c) => c.id);
  }

  /** Delete a person's history and every solved case that came from their conversations. */
  async forget(owner: MemoryOwner): Promise<{ conversations: number; cases: number }> {
    const history = await this.histories.get(`${owner.workspace}:${owner.userId}`);
    await this.options.store.delete(this.histories.key(`${owner.workspace}:${owner.userId}`));
    let removed = 0;
    await this.books.update(owner.workspace, (current) => {
      if (!current) return undefined;
      const cases = current.cases.filter((c) => c.ownerId !== owner.userId);
      removed = current.cases.length - cases.length;
      // Their vectors go too.
      for (const c of current.cases) if (c.ownerId === owner.userId) this.vectors.delete(c.id);
      return removed > 0 ? { v: MEMORY_SCHEMA_VERSION, cases } : undefined;
    });
    return { conversations: history?.conversations.length ?? 0, cases: removed };
  }
}
