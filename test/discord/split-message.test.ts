import { describe, expect, it } from 'vitest';
import { DISCORD_MESSAGE_LIMIT, splitMessage } from '../../adapters/discord/split-message';

const words = (text: string) => text.split(/\s+/).filter((w) => w !== '' && !w.startsWith('```'));
const fences = (chunk: string) => chunk.split('\n').filter((l) => l.trim().startsWith('```')).length;

describe('splitMessage', () => {
  it('leaves a short message alone', () => {
    expect(splitMessage('Hello **there**')).toEqual(['Hello **there**']);
  });

  it('returns nothing for blank text (Discord rejects empty messages)', () => {
    expect(splitMessage('  \n\n ')).toEqual([]);
  });

  it('keeps every chunk within 2000 characters and never cuts a word', () => {
    const text = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const chunks = splitMessage(text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(chunks.flatMap(words)).toEqual(words(text));
  });

  it('prefers line breaks and keeps lines whole', () => {
    const lines = Array.from({ length: 80 }, (_, i) => `Line ${i}: ${'x'.repeat(40)}`);
    const chunks = splitMessage(lines.join('\n'));
    expect(chunks.flatMap((c) => c.split('\n'))).toEqual(lines);
  });

  it('moves a code block that fits to the next message instead of splitting it', () => {
    const code = ['```ts', ...Array.from({ length: 30 }, (_, i) => `const v${i} = ${i};`), '```'].join('\n');
    const text = `${'Intro sentence here. '.repeat(85)}\n${code}\nAfter the code.`;
    const chunks = splitMessage(text);
    expect(chunks.length).toBe(2);
    expect(chunks[1]).toContain(code);
    for (const chunk of chunks) expect(fences(chunk) % 2).toBe(0);
  });

  it('splits an oversized code block between lines, closing and re-opening the fence with its language', () => {
    const body = Array.from({ length: 200 }, (_, i) => `print("line ${i}")  # ${'.'.repeat(10)}`);
    const text = ['Here is the script:', '```python', ...body, '```', 'Run it with python3.'].join('\n');
    const chunks = splitMessage(text);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
      expect(fences(chunk) % 2).toBe(0);
    }
    const codeParts = chunks.filter((c) => c.includes('```python'));
    expect(codeParts.length).toBeGreaterThan(1);
    const recovered = codeParts.flatMap((c) => c.split('\n').filter((l) => !l.startsWith('```') && l.startsWith('print')));
    expect(recovered).toEqual(body);
  });

  it('closes an unclosed fence so later messages are not swallowed into code', () => {
    const chunks = splitMessage(`start\n\`\`\`\n${'let a = 1;\n'.repeat(300)}`);
    for (const chunk of chunks) expect(fences(chunk) % 2).toBe(0);
  });

  it('treats inline ```code``` on one line as text', () => {
    expect(splitMessage('use ```npm test``` now')).toEqual(['use ```npm test``` now']);
  });

  it('cuts only a single word longer than a whole message, without breaking emoji', () => {
    const url = `https://example.com/${'a'.repeat(2500)}`;
    const chunks = splitMessage(`see ${url} ok`);
    expect(chunks).toEqual(['see', url.slice(0, 2000), `${url.slice(2000)} ok`]);
    const emoji = '😀'.repeat(1500); // 3000 UTF-16 units
    for (const chunk of splitMessage(emoji)) expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
