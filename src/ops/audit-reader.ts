import { open, stat } from 'node:fs/promises';

/** One parsed audit line: the fields the bot wrote, plus the time as epoch ms. */
export interface AuditLine {
  event: string;
  timestamp: string;
  /** `timestamp` as epoch milliseconds. */
  at: number;
  user_id?: string;
  session_id?: string;
  tool_name?: string;
  [field: string]: unknown;
}

/** Filters for audit search; all optional, combined with AND. */
export interface AuditQuery {
  event?: string;
  /** Matches `user_id` exactly. */
  userId?: string;
  /** Matches `tool_name` exactly. */
  tool?: string;
  sessionId?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** Most lines returned, newest first. Default 200. */
  limit?: number;
}

/** Parse one JSON line; undefined for anything that is not an audit record (partial writes, noise). */
export function parseAuditLine(text: string): AuditLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (typeof raw.event !== 'string' || typeof raw.timestamp !== 'string') return undefined;
    const at = Date.parse(raw.timestamp);
    if (Number.isNaN(at)) return undefined;
    return { ...raw, event: raw.event, timestamp: raw.timestamp, at } as AuditLine;
  } catch {
    return undefined;
  }
}

/** Sealed fields (`text_sealed`) are ciphertext: useless to a reader, so they are replaced by a marker. */
export function withoutSealed(line: AuditLine): AuditLine {
  const out: AuditLine = { ...line };
  for (const key of Object.keys(out)) if (key.endsWith('_sealed')) out[key] = '[sealed]';
  return out;
}

/** Newest-first lines matching the query. */
export function searchAudit(lines: readonly AuditLine[], query: AuditQuery): AuditLine[] {
  const limit = query.limit ?? 200;
  const out: AuditLine[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    const line = lines[i] as AuditLine;
    if (query.event && line.event !== query.event) continue;
    if (query.userId && line.user_id !== query.userId) continue;
    if (query.tool && line.tool_name !== query.tool) continue;
    if (query.sessionId && line.session_id !== query.sessionId) continue;
    if (query.since !== undefined && line.at < query.since) continue;
    if (query.until !== undefined && line.at >= query.until) continue;
    out.push(withoutSealed(line));
  }
  return out;
}

/**
 * Follows the audit file the bot appends to. Each `lines()` call reads only
 * what was appended since the last one, so a dashboard polling every few
 * seconds does not re-read the whole log; a file that shrank (rotated) is read
 * again from the start. Lines older than `retentionMs` are dropped from memory.
 */
export class AuditLogReader {
  private offset = 0;
  private cache: AuditLine[] = [];
  private reading: Promise<AuditLine[]> | undefined;

  constructor(private readonly options: { path: string; now: () => number; retentionMs?: number }) {}

  /** Lines so far. Concurrent callers (a page and its chart requests) share one read, so nothing is counted twice. */
  lines(): Promise<AuditLine[]> {
    this.reading ??= this.readNew().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readNew(): Promise<AuditLine[]> {
    const size = await stat(this.options.path).then((s) => s.size, () => 0);
    if (size < this.offset) {
      this.offset = 0;
      this.cache = [];
    }
    if (size > this.offset) {
      const handle = await open(this.options.path, 'r');
      try {
        const buffer = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        // Stop at the last complete line: the rest may still be being written (and may end mid-character).
        const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
        this.offset += end;
        for (const part of buffer.subarray(0, end).toString('utf8').split('\n')) {
          const line = parseAuditLine(part);
          if (line) this.cache.push(line);
        }
      } finally {
        await handle.close();
      }
    }
    const cutoff = this.options.now() - (this.options.retentionMs ?? 31 * 86_400_000);
    if (this.cache.length > 0 && (this.cache[0] as AuditLine).at < cutoff) this.cache = this.cache.filter((l) => l.at >= cutoff);
    return this.cache;
  }
}
