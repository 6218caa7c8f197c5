/** Discord rejects message content longer than this (error 50035). */
export const DISCORD_MESSAGE_LIMIT = 2000;

const FENCE = '```';

type Block = { kind: 'text'; line: string } | { kind: 'code'; open: string; lines: string[] };

/**
 * Split Markdown into messages of at most `limit` characters.
 *
 * Breaks fall between lines, then between words. A code block that fits in
 * one message is never split; a longer one is cut between its lines and each
 * part is closed and re-opened with the same fence, so every message renders
 * on its own. Only a single word longer than a whole message is cut.
 */
export function splitMessage(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string[] {
  if (limit < 2 * (FENCE.length + 1) + 20) throw new RangeError(`limit ${limit} is too small to split Markdown`);
  const units = parseBlocks(text.replace(/\r\n/g, '\n')).flatMap((block) => blockUnits(block, limit));
  const chunks: string[] = [];
  let current = '';
  for (const unit of units) {
    const candidate = current === '' ? unit : `${current}\n${unit}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    pushChunk(chunks, current);
    current = unit;
  }
  pushChunk(chunks, current);
  return chunks;
}

function pushChunk(chunks: string[], chunk: string): void {
  // Blank lines at a break carry no meaning; whitespace-only messages are rejected by Discord.
  const trimmed = chunk.replace(/^\n+/, '').trimEnd();
  if (trimmed.trim() !== '') chunks.push(trimmed);
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let code: { open: string; lines: string[] } | undefined;
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
      // An opening fence (```lang); a line like ```x``` is inline and stays text.
      code = { open: trimmed, lines: [] };
    } else {
      blocks.push({ kind: 'text', line });
    }
  }
  // An unclosed fence would turn every later message into code; close it here.
  if (code) blocks.push({ kind: 'code', ...code });
  return blocks;
}

/** Pieces that may be joined with newlines and never need cutting (each at most `limit`). */
function blockUnits(block: Block, limit: number): string[] {
  if (block.kind === 'text') return block.line.length <= limit ? [block.line] : splitWords(block.line, limit);
  const whole = [block.open, ...block.lines, FENCE].join('\n');
  if (whole.length <= limit) return [whole];
  // Room for the code lines once the fences are counted.
  const room = limit - block.open.length - FENCE.length - 2;
  const parts: string[] = [];
  let lines: string[] = [];
  let size = 0;
  const flush = () => {
    if (lines.length > 0) parts.push([block.open, ...lines, FENCE].join('\n'));
    lines = [];
    size = 0;
  };
  for (const line of block.lines) {
    const pieces = line.length <= room ? [line] : hardCut(line, room);
    for (const piece of pieces) {
      const added = lines.length === 0 ? piece.length : piece.length + 1;
      if (size + added > room) flush();
      size += lines.length === 0 ? piece.length : piece.length + 1;
      lines.push(piece);
    }
  }
  flush();
  return parts;
}

/** Cut a long line between words; only a word longer than `limit` is cut inside. */
function splitWords(line: string, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const word of line.split(/(?<=\s)(?=\S)/)) {
    if ((current + word).length <= limit) {
      current += word;
      continue;
    }
    if (current.trim() !== '') parts.push(current.trimEnd());
    if (word.length <= limit) {
      current = word;
    } else {
      const pieces = hardCut(word, limit);
      current = pieces.pop() ?? '';
      parts.push(...pieces);
    }
  }
  if (current.trim() !== '') parts.push(current.trimEnd());
  return parts;
}

/** Cut by code points so a surrogate pair (emoji) is never broken. */
function hardCut(text: string, size: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const ch of text) {
    if (current.length + ch.length > size) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  if (current !== '') parts.push(current);
  return parts;
}
