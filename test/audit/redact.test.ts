import { describe, expect, it } from 'vitest';
import { isSecretKey, luhnValid, scrubDeep, scrubText } from '../../src/audit/redact';
import { isSealedEnvelope } from '../../src/audit/sealed-envelope';
import { createSealer } from '../../src/sessions/sealer';

describe('redaction', () => {
  it.each([
    ['xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', '[REDACTED_SLACK_TOKEN]'],
    ['xapp-1-A0123-4567-abcdef0123', '[REDACTED_SLACK_TOKEN]'],
    ['sk-proj-AbCdEfGhIjKlMnOpQrStUv12', '[REDACTED_API_KEY]'],
    ['MTA1MjM0NTY3ODkwMTIzNDU2Nzg5.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456', '[REDACTED_DISCORD_TOKEN]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED_JWT]'],
    ['Authorization: Bearer abcdef0123456789', 'Authorization: Bearer [REDACTED]'],
    ['mail me at first.last+tag@sub.example.co.uk please', 'mail me at [REDACTED_EMAIL] please'],
    ['card 4242 4242 4242 4242 exp', 'card [REDACTED_CARD] exp'],
    ['card 4000-0566-5566-5556', 'card [REDACTED_CARD]'],
  ])('scrubs %s', (input, expected) => {
    expect(scrubText(input)).toContain(expected);
  });

  it('leaves order numbers, timestamps and amounts alone', () => {
    const text = 'Order ORD-1001 shipped at 1795315515864 for $141.00, tracking 1Z999AA10123456784';
    expect(scrubText(text)).toBe(text);
    expect(scrubText('phone 555 123 4567')).toBe('phone [REDACTED_PHONE]');
    expect(luhnValid('1795315515864')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
  });

  it('masks secret-named keys but not look-alikes', () => {
    expect(isSecretKey('botToken')).toBe(true);
    expect(isSecretKey('x-api-key')).toBe(true);
    expect(isSecretKey('client_secret')).toBe(true);
    expect(isSecretKey('password')).toBe(true);
    expect(isSecretKey('prompt_tokens')).toBe(false);
    expect(isSecretKey('passed')).toBe(false);
    expect(isSecretKey('cardinality')).toBe(false);
    expect(scrubDeep({ nested: { apiKey: 'abc', count: 3, ok: true, note: 'x@y.io' }, list: ['a@b.com'] })).toEqual({
      nested: { apiKey: '[REDACTED]', count: 3, ok: true, note: '[REDACTED_EMAIL]' },
      list: ['[REDACTED_EMAIL]'],
    });
  });
});

describe('application logger', () => {
  it('masks secrets and personal data in every log line', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { createLogger } = await import('../../src/logger');
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'log-')), 'app.log');
    const logger = createLogger({ level: 'info', destination: file });
    logger.info({ token: 'xoxb-123456789012-secretsecret', user: { email: 'a@b.co' }, detail: 'card 4111 1111 1111 1111' }, 'signing in bob@example.com with sk-proj-abcdefghijklmnopqrstuv');
    let text = '';
    for (let i = 0; i < 100 && !text.includes('\n'); i++) {
      await new Promise((r) => setTimeout(r, 10));
      text = await readFile(file, 'utf8').catch(() => '');
    }
    expect(text).toContain('signing in');
    for (const secret of ['xoxb-123456789012', 'a@b.co', '4111 1111', 'bob@example.com', 'sk-proj-abc']) expect(text).not.toContain(secret);
  });
});

describe('sealed fields', () => {
  const sealer = createSealer(Buffer.alloc(32, 7));

  it('passes a real envelope through untouched so it stays decryptable', () => {
    const sealed = sealer.seal('card 4111111111111111, mail bob@example.com', 'audit:text_sealed:s1');
    const scrubbed = scrubDeep({ text_sealed: sealed }) as { text_sealed: string };
    expect(scrubbed.text_sealed).toBe(sealed);
    expect(sealer.open(scrubbed.text_sealed, 'audit:text_sealed:s1')).toBe('card 4111111111111111, mail bob@example.com');
  });

  it('accepts a later envelope version of the same shape', () => {
    const v2 = sealer.seal({ a: 1 }, 'ctx').replace(/^v2\./, 'v3.');
    expect(isSealedEnvelope(v2)).toBe(true);
    expect(scrubDeep({ text_sealed: v2 })).toEqual({ text_sealed: v2 });
  });

  it.each([
    ['plain text', 'card 4111111111111111 for bob@example.com'],
    ['a v1 prefix on plain text', 'v1.AAAA.BBBB.4111111111111111xoxb-123456789012-abcdef@x.io'],
    ['an envelope with a secret appended', `${'v1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB==.Q0ND'} sk_live_51HqLyjWDarjtT1zdp7dcXsK9v`],
    ['an envelope shape with non-base64 parts', 'v1.bob@example.com.x.y'],
  ])('scrubs %s under a *_sealed key', (_label, value) => {
    expect(isSealedEnvelope(value)).toBe(false);
    const scrubbed = scrubDeep({ text_sealed: value }) as { text_sealed: string };
    expect(scrubbed.text_sealed).toContain('[REDACTED');
    for (const secret of ['4111111111111111', 'bob@example.com', 'sk_live_51Hq', 'xoxb-1234']) expect(scrubbed.text_sealed).not.toContain(secret);
  });
});

describe('card numbers inside other numbers', () => {
  it('does not mistake float artefacts for cards but still catches real ones', () => {
    expect(scrubText('total 16.990000000000002 USD')).toBe('total 16.990000000000002 USD');
    expect(luhnValid('990000000000002')).toBe(true); // why the old pattern fired
    expect(scrubText('card:4111111111111111.')).toBe('card:[REDACTED_CARD].');
  });
});
