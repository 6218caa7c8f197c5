import { describe, expect, it } from 'vitest';
import { scrubText } from '../../src/audit/redact';
import { DIGIT_PREFILTER, DIGIT_RULES, KEYWORD_PREFILTER, KEYWORD_RULES } from '../../src/audit/secret-patterns';
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

  it('the pre-filters and needles skip only text no rule would change', () => {
    for (const leak of MUST_REDACT) {
      for (const [prefilter, rules] of [[KEYWORD_PREFILTER, KEYWORD_RULES], [DIGIT_PREFILTER, DIGIT_RULES]] as const) {
        for (const rule of rules) {
          const changes = leak.text.replace(rule.pattern, rule.replacement as string) !== leak.text;
          if (!changes) continue;
          expect(prefilter.test(leak.text), `${rule.name} pre-filter on ${leak.text}`).toBe(true);
          if (rule.needles) expect(rule.needles.some((n) => leak.text.toLowerCase().includes(n)), `${rule.name} needles on ${leak.text}`).toBe(true);
        }
      }
    }
  });
});
