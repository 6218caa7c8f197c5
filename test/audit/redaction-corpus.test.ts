import { describe, expect, it } from 'vitest';
import { scrubText } from '../../src/audit/redact';
import { MUST_KEEP, MUST_REDACT } from './fixtures/redaction-corpus';

describe('redaction corpus', () => {
  it('holds enough cases to mean something', () => {
    expect(MUST_REDACT.length).toBeGreaterThanOrEqual(50);
    expect(MUST_KEEP.length).toBeGreaterThanOrEqual(50);
  });

  it.each(MUST_REDACT.map((leak) => [leak.kind, leak.text, leak.secret] as const))('redacts %s: %s', (_kind, text, secret) => {
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('[REDACTED');
  });

  it.each(MUST_KEEP)('keeps %s', (text) => {
    expect(scrubText(text)).toBe(text);
  });
});
