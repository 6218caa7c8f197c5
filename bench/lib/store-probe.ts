/**
 * Counts and times every SQL statement the engine sends to a `SqliteStore`,
 * by wrapping the keyv SQLite adapter's `query` on that one instance (no
 * source change), and attributes them to the turn in progress.
 */
import { performance } from 'node:perf_hooks';
import type { Store } from '../../src/ports';

/** One statement as the engine's store issued it. */
export interface StatementSample {
  label: string;
  start: number;
  ms: number;
}

type Query = (sql: string, ...params: unknown[]) => Promise<unknown>;
type Transaction = (steps: ReadonlyArray<{ sql: string; params?: Record<string, string | number> }>, check: (rows: unknown[][]) => void) => Promise<unknown[][]>;

/** Operation name from the statement text (the store's own SQL and keyv's). */
function opOf(sql: string): string {
  if (sql.includes('counterNanos') && sql.startsWith('INSERT')) return 'increment';
  if (sql.includes('RETURNING 1 AS stored')) return 'insertIfAbsent';
  if (sql.startsWith('INSERT')) return 'set';
  if (sql.startsWith('SELECT * FROM keyv WHERE key = ?')) return 'get';
  if (sql.includes("json_extract(value, '$.value') = $token") && sql.startsWith('DELETE')) return 'releaseLock';
  if (sql.startsWith('UPDATE')) return 'renewLock';
  if (sql.includes('LIMIT $limit') && sql.startsWith('DELETE')) return 'purge';
  if (sql.startsWith('DELETE')) return 'delete';
  if (sql.includes('ORDER BY key LIMIT')) return 'scan';
  if (sql.includes('counterNanos')) return 'counter';
  return sql.slice(0, 24);
}

/** `spend:user-day:2026-03-01:bench:U1` -> `spend:user-day`; `session:bench:…` -> `session`. */
function keyClassOf(params: unknown[]): string {
  const first = params[0];
  const raw = typeof first === 'string' ? first : typeof first === 'object' && first !== null ? (first as Record<string, unknown>).$key ?? (first as Record<string, unknown>).$from : undefined;
  if (typeof raw !== 'string') return '';
  const parts = raw.split(':').slice(1); // drop the namespace
  if (parts[0] === 'lock') return `lock:${parts[1] ?? ''}`;
  if (parts[0] === 'spend' || parts[0] === 'tokens') return `${parts[0]}:${parts[1] ?? ''}`;
  return parts[0] ?? '';
}

export class StoreProbe {
  /** Statements of the turn in progress (set by the driver), else of background work. */
  current: StatementSample[] | undefined;
  readonly background: StatementSample[] = [];
  private readonly adapter: { query: Query; transaction?: Transaction };
  private readonly original: Query;
  private readonly originalTransaction: Transaction | undefined;

  constructor(store: Store) {
    const adapter = (store as unknown as { adapter?: { query?: Query } }).adapter;
    if (!adapter?.query) throw new Error('StoreProbe needs a SqliteStore');
    this.adapter = adapter as { query: Query };
    this.original = adapter.query;
    this.adapter.query = async (sql: string, ...params: unknown[]) => {
      const target = this.current ?? this.background;
      const start = performance.now();
      try {
        return await this.original.call(adapter, sql, ...params);
      } finally {
        const op = opOf(sql.trim());
        const cls = keyClassOf(params);
        target.push({ label: cls ? `${op} ${cls}` : op, start, ms: performance.now() - start });
      }
    };
    // Store.commit: one transaction, recorded as one sample named after its statements.
    const transaction = (adapter as { transaction?: Transaction }).transaction;
    this.originalTransaction = transaction;
    if (transaction) {
      this.adapter.transaction = async (steps, check) => {
        const target = this.current ?? this.background;
        const start = performance.now();
        try {
          return await transaction.call(adapter, steps, check);
        } finally {
          const parts = steps.map((step) => {
            const cls = keyClassOf([step.params]);
            return cls ? `${opOf(step.sql.trim())} ${cls}` : opOf(step.sql.trim());
          });
          target.push({ label: `tx(${parts.join(' + ')})`, start, ms: performance.now() - start });
        }
      };
    }
  }

  /** Run a statement on the engine's own connection, unrecorded (pragmas and what-if statements). */
  raw<Row = unknown>(sql: string, params?: Record<string, string | number>): Promise<Row[]> {
    return (params === undefined ? this.original.call(this.adapter, sql) : this.original.call(this.adapter, sql, params)) as Promise<Row[]>;
  }

  detach(): void {
    this.adapter.query = this.original;
    if (this.originalTransaction) this.adapter.transaction = this.originalTransaction;
  }
}

/** Wall time covered by at least one statement: how long the turn waited on SQLite. */
export function coveredMs(samples: readonly StatementSample[]): number {
  const spans = samples.map((s) => [s.start, s.start + s.ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let openStart = -Infinity;
  let openEnd = -Infinity;
  for (const [start, end] of spans) {
    if (start > openEnd) {
      if (openEnd > openStart) total += openEnd - openStart;
      openStart = start;
      openEnd = end;
    } else if (end > openEnd) openEnd = end;
  }
  if (openEnd > openStart) total += openEnd - openStart;
  return total;
}
