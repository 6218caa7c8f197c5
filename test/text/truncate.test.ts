import { describe, expect, it } from 'vitest';
import { truncate } from '../../src/text/truncate';

describe('truncate', () => {
  it('leaves text of exactly the limit alone and marks a cut with an ellipsis within the limit', () => {
    expect(truncate('abcde', 5)).toBe('abcde');
    expect(truncate('abcdef', 5)).toBe('abcd…');
    expect(truncate('abcdef', 5)).toHaveLength(5);
  });

  it('never leaves half a surrogate pair before the ellipsis', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('ab😀cd', 5)).toBe('ab😀…');
  });

  it('returns just the ellipsis for a limit of one or less', () => {
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('…');
  });
});
