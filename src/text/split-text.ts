/**
 * Splitting long Markdown-like text into messages a platform accepts. Each
 * platform passes its own limit (adapters keep the numbers); the rules are the
 * same everywhere: a paragraph that fits in one message is never split, long
 * paragraphs break between lines, long lines between words, and only a word
 * longer than a whole message is cut (by code points, so emoji stay whole).
 * A code block that fits is moved whole to the next message; a longer one is
 * cut between its lines and each part is closed and re-opened with the same
 * fence, so every message renders on its own. No text is dropped except
 * whitespace at the breaks.
 */
import { isHighSurrogate } from './truncate';

const FENCE = '```';

/** The smallest limit that still leaves room for a fenced code line. */
export const MIN_SPLIT_LIMIT = 2 * (FENCE.length + 1) + 20;

/** Options for {@link splitText}. */
export interface SplitTextOptions {
  /** Spans never cut in the middle (e.g. Slack's `<url|label>` links and `&amp;` entities) unless one alone exceeds the limit. */
  keepWhole?: RegExp;
}

type Block = { kind: 'text'; lines: string[]; sep: string } | { kind: 'code'; open: string; lines: string[]; sep: string };

/** Split `text` into pieces of at most `limit` UTF-16 code units; blank text gives no pieces. */
export function splitText(text: string, limit: number, options: SplitTextOptions = {}): string[] {
  if (!Number.isInteger(limit) || limit < MIN_SPLIT_LIMIT) throw new RangeError(`limit ${limit} is too small to split Markdown (minimum ${MIN_SPLIT_LIMIT})`);
  const keepWhole = options.keepWhole ? new RegExp(options.keepWhole.source, `${options.keepWhole.flags.replace(/[gy]/g, '')}g`) : undefined;
  const chunks: string[] = [];
  let current = '';
  const add = (unit: string, sep: string) => {
    const candidate = current === '' ? unit : current + sep + unit;
    if (candidate.length <= limit) {
      current = candidate;
      return;
    }
    pushChunk(chunks, current);
    current = unit;
  };
  for (const block of parseBlocks(text.replace(/\r\n/g, '\n'))) {
    const whole = render(block);
    const units = whole.length <= limit ? [whole] : block.kind === 'code' ? codeParts(block, limit, keepWhole) : textParts(block.lines, limit, keepWhole);
    units.forEach((unit, i) => add(unit, i === 0 ? block.sep : '\n'));
  }
  pushChunk(chunks, current);
  return chunks;
}

function pushChunk(chunks: string[], chunk: string): void {
  // Trailing whitespace at a break carries no meaning; whitespace-only messages are rejected by the platforms.
  const trimmed = chunk.trimEnd();
  if (trimmed.trim() !== '') chunks.push(trimmed);
}

function render(block: Block): string {
  return block.kind === 'text' ? block.lines.join('\n') : [block.open, ...block.lines, FENCE].join('\n');
}

/** Paragraphs (runs of non-blank lines) and fenced code blocks, each with the exact gap that preceded it. */
function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let code: { open: string; lines: string[]; sep: string } | undefined;
  let gap: string[] = [];
  const sep = () => ['', ...gap, ''].join('\n');
  const endParagraph = () => {
    if (paragraph.length === 0) return;
    blocks.push({ kind: 'text', lines: paragraph, sep: sep() });
    paragraph = [];
    gap = [];
  };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (code) {
      if (trimmed === FENCE) {
        blocks.push({ kind: 'code', ...code });
        code = undefined;
      } else {
        code.lines.push(line);
      }
    } else if (trimmed.startsWith(FENCE) && !trimmed.slice(FENCE.length).includes(FENCE)) {
      // An opening fence (```lang); a line like ```x``` is inline code and stays text.
      endParagraph();
      code = { open: trimmed, lines: [], sep: sep() };
      gap = [];
    } else if (trimmed === '') {
      endParagraph();
      if (blocks.length > 0) gap.push(line);
    } else {
      paragraph.push(line);
    }
  }
  endParagraph();
  // An unclosed fence would turn every later message into code; close it here.
  if (code) blocks.push({ kind: 'code', ...code });
  return blocks;
}

/** A code block too long for one message, cut between lines; each part carries the same opening fence. */
function codeParts(block: Extract<Block, { kind: 'code' }>, limit: number, keepWhole: RegExp | undefined): string[] {
  const open = limit - block.open.length - FENCE.length - 2 >= 8 ? block.open : FENCE;
  const room = limit - open.length - FENCE.length - 2;
  const parts: string[] = [];
  let lines: string[] = [];
  let size = 0;
  const flush = () => {
    if (lines.length > 0) parts.push([open, ...lines, FENCE].join('\n'));
    lines = [];
    size = 0;
  };
  for (const line of block.lines) {
    for (const piece of line.length <= room ? [line] : hardCut(line, room, keepWhole)) {
      if (lines.length > 0 && size + 1 + piece.length > room) flush();
      size += lines.length === 0 ? piece.length : piece.length + 1;
      lines.push(piece);
    }
  }
  flush();
  return parts;
}

/** A paragraph too long for one message: its lines, with lines too long cut between words. */
function textParts(lines: readonly string[], limit: number, keepWhole: RegExp | undefined): string[] {
  return lines.flatMap((line) => (line.length <= limit ? [line] : splitWords(line, limit, keepWhole)));
}

/** Cut a long line between words; only a word longer than `limit` is cut inside. */
function splitWords(line: string, limit: number, keepWhole: RegExp | undefined): string[] {
  const word = new RegExp(String.raw`\s*(?:${keepWhole ? `${keepWhole.source}|` : ''}\S)+\s*`, keepWhole?.flags ?? 'g');
  const parts: string[] = [];
  let current = '';
  for (const [token] of line.matchAll(word)) {
    if ((current + token).length <= limit) {
      current += token;
      continue;
    }
    if (current.trim() !== '') parts.push(current.trimEnd());
    if (token.length <= limit) {
      current = token;
    } else {
      const pieces = hardCut(token, limit, keepWhole);
      current = pieces.pop() ?? '';
      parts.push(...pieces);
    }
  }
  if (current.trim() !== '') parts.push(current.trimEnd());
  return parts;
}

/** Cut into pieces of at most `size`, never inside a surrogate pair nor inside a `keepWhole` span that fits in a piece. */
function hardCut(text: string, size: number, keepWhole: RegExp | undefined): string[] {
  const spans = keepWhole ? [...text.matchAll(keepWhole)].map((m) => ({ start: m.index, end: m.index + m[0].length })) : [];
  const parts: string[] = [];
  let start = 0;
  while (text.length - start > size) {
    let cut = start + size;
    if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
    const inside = spans.find((s) => s.start > start && s.start < cut && s.end > cut);
    if (inside) cut = inside.start;
    parts.push(text.slice(start, cut));
    start = cut;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}
