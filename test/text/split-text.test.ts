import { describe, expect, it } from 'vitest';
import { MIN_SPLIT_LIMIT, splitText } from '../../src/text/split-text';

/** Non-blank characters outside fence lines, in order: what a reader must still find after splitting. */
const content = (chunks: readonly string[]) => chunks.join('\n').split('\n').filter((l) => !l.trim().startsWith('```')).join('').replace(/\s+/g, '');
const fenceLines = (chunk: string) => chunk.split('\n').filter((l) => l.trim().startsWith('```')).length;

describe('splitText', () => {
  it('keeps text of exactly the limit in one piece, and splits one character more', () => {
    const exact = `${'a'.repeat(49)} ${'b'.repeat(50)}`;
    expect(splitText(exact, 100)).toEqual([exact]);
    expect(splitText(`${exact}c`, 100)).toEqual(['a'.repeat(49), `${'b'.repeat(50)}c`]);
  });

  it('cuts a word one character longer than the limit at the limit, losing nothing', () => {
    const word = 'w'.repeat(101);
    expect(splitText(`before ${word} after`, 100)).toEqual(['before', 'w'.repeat(100), 'w after']);
  });

  it('never cuts a surrogate pair, even where the limit falls between its halves', () => {
    const text = `x${'😀'.repeat(60)}`; // 121 UTF-16 units; unit 100 is the second half of an emoji
    const chunks = splitText(text, 100);
    expect(chunks).toEqual([`x${'😀'.repeat(49)}`, '😀'.repeat(11)]);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      expect(chunk).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    }
  });

  it('prefers paragraph boundaries: a paragraph that fits moves whole to the next piece', () => {
    const p1 = 'one '.repeat(15).trim();
    const p2 = 'two '.repeat(10).trim();
    expect(splitText(`${p1}\n\n${p2}`, 80)).toEqual([p1, p2]);
    expect(splitText(`${p1}\n\n${p2}`, 200)).toEqual([`${p1}\n\n${p2}`]);
  });

  it('keeps the exact gap between paragraphs inside a piece, and drops blank lines at a break', () => {
    expect(splitText('\n\nfirst\n\n\n\nsecond\n\n', 100)).toEqual(['first\n\n\n\nsecond']);
    expect(splitText('a\r\nb', 100)).toEqual(['a\nb']);
  });

  it('returns nothing for blank text', () => {
    expect(splitText(' \n\t\n ', 100)).toEqual([]);
    expect(splitText('', 100)).toEqual([]);
  });

  it('splits a code block longer than the limit between lines, re-opening each part with the same fence', () => {
    const body = Array.from({ length: 40 }, (_, i) => `  step(${i});`);
    const chunks = splitText(['```js', ...body, '```'].join('\n'), 120);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(120);
      expect(chunk.startsWith('```js\n') && chunk.endsWith('\n```')).toBe(true);
    }
    // Indentation inside code survives the cut.
    expect(chunks.flatMap((c) => c.split('\n').slice(1, -1))).toEqual(body);
  });

  it('cuts a code line longer than the limit without dropping any of its characters', () => {
    const line = 'x'.repeat(250);
    const chunks = splitText(`\`\`\`\n${line}\n\`\`\``, 60);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(60);
    expect(chunks.map((c) => c.split('\n').slice(1, -1).join('')).join('')).toBe(line);
  });

  it('closes an unclosed fence in every piece', () => {
    const chunks = splitText(`intro\n\`\`\`\n${'let a = 1;\n'.repeat(40)}`, 100);
    for (const chunk of chunks) expect(fenceLines(chunk) % 2).toBe(0);
    expect(chunks.at(-1)?.endsWith('```')).toBe(true);
  });

  it('never cuts inside a keepWhole span that fits, e.g. a Slack link with spaces in its label', () => {
    const link = '<https://example.com/a|a label with spaces>';
    const line = `${'word '.repeat(12)}${link} tail`;
    const chunks = splitText(line, 70, { keepWhole: /<[^<>\n]*>/ });
    expect(chunks.some((c) => c.includes(link))).toBe(true);
    const glued = `${'w'.repeat(40)}&amp;${'v'.repeat(40)}`;
    for (const chunk of splitText(glued, 42, { keepWhole: /&[a-z]+;/ })) expect(chunk).not.toMatch(/&[a-z]*$/);
  });

  it('loses no text over a long mixed document', () => {
    const doc = Array.from({ length: 30 }, (_, i) =>
      i % 5 === 0 ? ['```py', ...Array.from({ length: 12 }, (_, j) => `print(${i}, ${j}) # ${'.'.repeat(j * 3)}`), '```'].join('\n') : `Paragraph ${i}: ${'lorem ipsum '.repeat(i)}😀`,
    ).join('\n\n');
    for (const limit of [MIN_SPLIT_LIMIT, 64, 500, 2000]) {
      const chunks = splitText(doc, limit);
      for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(limit);
      expect(content(chunks)).toBe(content([doc]));
    }
  });

  it('rejects a limit too small to hold a fenced line, or not a whole number', () => {
    expect(() => splitText('text', MIN_SPLIT_LIMIT - 1)).toThrow(RangeError);
    expect(() => splitText('text', 100.5)).toThrow(/too small|limit/);
    expect(() => splitText('text', Number.NaN)).toThrow(RangeError);
  });
});
