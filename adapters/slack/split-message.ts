/**
 * Splitting long mrkdwn within Slack's limits: a section's text holds at most
 * 3,000 characters and a message at most 50 blocks. Breaks prefer paragraph
 * boundaries, then lines, then spaces; a code block is only split when it is
 * longer than a whole section, and each piece is re-fenced so it still renders
 * as code.
 */

/** Slack's documented Block Kit limits the adapter relies on. */
export const SLACK_LIMITS = {
  /** `text` of a section block. */
  sectionChars: 3_000,
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** `text` of a header block. */
  headerChars: 150,
  /** One field of a section block. */
  fieldChars: 2_000,
  /** `value` of a button. */
  buttonValueChars: 2_000,
} as const;

interface Unit {
  text: string;
  code: boolean;
  /** What separated this unit from the previous one in the source. */
  sep: string;
}

const FENCE = '```';

/** Split mrkdwn into pieces of at most `maxChars`, never inside a code block when avoidable. */
export function splitMrkdwn(text: string, maxChars: number = SLACK_LIMITS.sectionChars): string[] {
  if (maxChars < 16) throw new RangeError('maxChars too small to split sensibly');
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim() !== '') chunks.push(current);
    current = '';
  };
  for (const unit of toUnits(text)) {
    const joined = current === '' ? unit.text : current + unit.sep + unit.text;
    if (joined.length <= maxChars) {
      current = joined;
      continue;
    }
    flush();
    if (unit.text.length <= maxChars) {
      current = unit.text;
      continue;
    }
    const pieces = unit.code ? splitCode(unit.text, maxChars) : splitLines(unit.text, maxChars);
    for (const piece of pieces.slice(0, -1)) chunks.push(piece);
    current = pieces.at(-1) ?? '';
  }
  flush();
  return chunks;
}

/** Group items (e.g. blocks) into runs of at most `perGroup`. */
export function groupBy<T>(items: readonly T[], perGroup: number = SLACK_LIMITS.blocksPerMessage): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += perGroup) groups.push(items.slice(i, i + perGroup));
  return groups;
}

/** Cut text to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function toUnits(text: string): Unit[] {
  const spans: Array<{ start: number; end: number; code: boolean }> = [];
  const addText = (from: number, to: number) => {
    // Paragraphs: runs of text without a blank line.
    for (const m of text.slice(from, to).matchAll(/(?:[^\n]|\n(?!\n))+/g)) {
      const lead = m[0].length - m[0].replace(/^\n+/, '').length;
      const body = m[0].replace(/^\n+|\n+$/g, '');
      if (body.trim() === '') continue;
      const start = from + m.index + lead;
      spans.push({ start, end: start + body.length, code: false });
    }
  };
  let last = 0;
  for (const m of text.matchAll(/```[\s\S]*?(?:```|$)/g)) {
    addText(last, m.index);
    spans.push({ start: m.index, end: m.index + m[0].length, code: true });
    last = m.index + m[0].length;
  }
  addText(last, text.length);
  return spans.map((span, i) => {
    const gap = i === 0 ? '' : text.slice(spans[i - 1]!.end, span.start);
    let body = text.slice(span.start, span.end);
    // An unclosed fence still renders as code once closed.
    if (span.code && !(body.length >= FENCE.length * 2 && body.endsWith(FENCE))) body += `\n${FENCE}`;
    return { text: body, code: span.code, sep: /\n[ \t]*\n/.test(gap) ? '\n\n' : '\n' };
  });
}

function splitCode(block: string, maxChars: number): string[] {
  const body = block.slice(FENCE.length, block.length - FENCE.length).replace(/^\n/, '').replace(/\n$/, '');
  const budget = maxChars - (FENCE.length * 2 + 2);
  const lines = body.split('\n').flatMap((line) => (line.length <= budget ? [line] : hardSplit(line, budget)));
  const pieces: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    let next = current.length === 0 ? line.length : size + 1 + line.length;
    if (next > budget && current.length > 0) {
      pieces.push(`${FENCE}\n${current.join('\n')}\n${FENCE}`);
      current = [];
      next = line.length;
    }
    current.push(line);
    size = next;
  }
  if (current.length > 0) pieces.push(`${FENCE}\n${current.join('\n')}\n${FENCE}`);
  return pieces;
}

function splitLines(paragraph: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of paragraph.split('\n').flatMap((l) => (l.length <= maxChars ? [l] : hardSplit(l, maxChars)))) {
    if (current === '') current = line;
    else if (current.length + 1 + line.length <= maxChars) current += `\n${line}`;
    else {
      pieces.push(current);
      current = line;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

// Break one over-long line at a space, and never inside `<…>` links or `&…;` entities.
function hardSplit(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const open = rest.lastIndexOf('<', cut - 1);
    if (open > 0 && rest.indexOf('>', open) >= cut) cut = open;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp > 0 && cut - amp < 6 && !rest.slice(amp, cut).includes(';')) cut = amp;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') out.push(rest);
  return out;
}
