import MiniSearch from 'minisearch';
import type { Store } from '../ports';
import { parseWith, SealedCollection } from '../sessions/sealed-collection';
import type { Sealer } from '../sessions/sealer';
import { caseBookSchema, customerHistorySchema, MEMORY_SCHEMA_VERSION, type CustomerHistory, type PastConversation, type SolvedCase } from './memory-records';

/** Conversations a history keeps, and solved cases a workspace keeps (newest win). */
const MAX_CONVERSATIONS = 50;
const MAX_CASES = 500;
/** MiniSearch scores below this are chance overlaps (one common word), not similar problems. */
const MIN_CASE_SCORE = 4;

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
}

/**
 * Customer history and solved cases, sealed at rest like sessions, scoped
 * per workspace, forgotten after the retention period or on request.
 */
export class CustomerMemory {
  private readonly histories: SealedCollection<CustomerHistory>;
  private readonly books: SealedCollection<{ v: 1; cases: SolvedCase[] }>;

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

  /** The solved cases of this workspace most similar to `text` (MiniSearch), best first. */
  async similarCases(workspace: string, text: string, limit = 2, excludeSessionId?: string): Promise<SolvedCase[]> {
    const cases = this.fresh((await this.books.get(workspace))?.cases ?? []).filter((c) => c.sessionId !== excludeSessionId);
    if (cases.length === 0) return [];
    const index = new MiniSearch<SolvedCase>({ fields: ['problem', 'resolution'], storeFields: ['id'], idField: 'id', searchOptions: { boost: { problem: 2 }, fuzzy: 0.2, prefix: true } });
    index.addAll(cases);
    const byId = new Map(cases.map((c) => [c.id, c]));
    return index
      .search(text)
      .filter((hit) => hit.score >= MIN_CASE_SCORE)
      .slice(0, limit)
      .map((hit) => byId.get(String(hit.id))!)
      .filter(Boolean);
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
      return removed > 0 ? { v: MEMORY_SCHEMA_VERSION, cases } : undefined;
    });
    return { conversations: history?.conversations.length ?? 0, cases: removed };
  }
}
