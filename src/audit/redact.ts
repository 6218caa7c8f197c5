/**
 * Scrubs secrets and personal data from anything headed for a log or the audit
 * trail: known secret-bearing keys are masked whole, and free text is scanned
 * for tokens, keys, emails and card numbers.
 */

/** Key names whose values are secrets, matched on the last word of the key (`botToken`, `x-api-key`), not substrings (`prompt_tokens`). */
const SECRET_KEY_END = /(?:^|_)(?:pass|password|passwd|passphrase|secret|token|api_key|apikey|authorization|auth|cookie|set_cookie|signature|private_key|credential|credentials|card|card_number|pan|cvv|cvc)$/;

const secretKeyCache = new Map<string, boolean>();

/** Whether a field name marks a secret; cached, since the same few names recur in every record. */
export function isSecretKey(key: string): boolean {
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY_END.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/-/g, '_'));
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret);
  }
  return secret;
}

const PATTERNS: Array<[RegExp, string | ((match: string) => string)]> = [
  // Slack tokens (bot, user, app, config, refresh) and webhook URLs.
  [/\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{6,}/g, '[REDACTED_SLACK_TOKEN]'],
  [/https:\/\/hooks\.slack\.com\/[^\s"']+/g, '[REDACTED_WEBHOOK]'],
  // OpenAI-style and generic "sk-" keys.
  [/\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, '[REDACTED_API_KEY]'],
  // Discord bot tokens: base64 user id . timestamp . hmac.
  [/\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}\b/g, '[REDACTED_DISCORD_TOKEN]'],
  // JSON web tokens.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[REDACTED_JWT]'],
  // Bearer credentials in headers or text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]'],
  // AWS access key ids, GitHub tokens.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[REDACTED_AWS_KEY]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, '[REDACTED_GITHUB_TOKEN]'],
  // Emails.
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[REDACTED_EMAIL]'],
  // Card numbers: 13-19 digits, optionally grouped by spaces or dashes, that pass Luhn
  // (not the digits of a decimal such as 16.990000000000002).
  [/(?<![\d.])(?:\d[ -]?){12,18}\d(?![\d]|\.\d)/g, (m) => (luhnValid(m.replace(/[ -]/g, '')) ? '[REDACTED_CARD]' : m)],
];

/** One pass that says whether any pattern could match, so clean strings (most of them) skip the replaces. */
const ANY_PATTERN = new RegExp(PATTERNS.map(([pattern]) => `(?:${pattern.source})`).join('|'), 'i');

/** Luhn checksum, so order numbers and timestamps are not mistaken for cards. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Redact secrets and personal data in one string. */
export function scrubText(text: string): string {
  if (!ANY_PATTERN.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/** Deep copy of `value` with secret-named keys masked and every string scrubbed. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[TRUNCATED]';
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Ciphertext holds no readable data, and rewriting it would make it undecryptable.
    if (key.endsWith('_sealed') && typeof item === 'string' && item.startsWith('v1.')) {
      out[key] = item;
      continue;
    }
    out[key] = isSecretKey(key) && item !== null && item !== undefined && typeof item !== 'boolean' ? '[REDACTED]' : scrubDeep(item, depth + 1);
  }
  return out;
}

/** Cut long text for summaries, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
