/**
 * Scrubs secrets and personal data from anything headed for a log or the audit
 * trail: known secret-bearing keys are masked whole, and free text is scanned
 * for tokens, keys, personal data and card numbers (rules in secret-patterns.ts).
 */
import { LRUCache } from 'lru-cache';
import { DIGIT_PREFILTER, DIGIT_RULES, KEYWORD_PREFILTER, KEYWORD_RULES, type SecretRule } from './secret-patterns';
import { isSealedEnvelope } from './sealed-envelope';

export { luhnValid, ibanValid } from './secret-patterns';

/** Key names whose values are secrets, matched on the last word of the key (`botToken`, `x-api-key`), not substrings (`prompt_tokens`). */
const SECRET_KEY_END = /(?:^|_)(?:pass|password|passwd|passphrase|secret|token|api_key|apikey|authorization|auth|cookie|set_cookie|signature|private_key|credential|credentials|card|card_number|pan|cvv|cvc|ssn|iban)$/;

/** The same few field names recur in every record; bounded, since keys of free-form tool arguments are unbounded. */
const secretKeyCache = new LRUCache<string, boolean>({ max: 10_000 });

/** Whether a field name marks a secret; cached, since the same few names recur in every record. */
export function isSecretKey(key: string): boolean {
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY_END.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/-/g, '_'));
    secretKeyCache.set(key, secret);
  }
  return secret;
}

/** Apply each rule whose needles occur; most strings carry none, so most regexes never run. */
function applyRules(text: string, rules: readonly SecretRule[]): string {
  let out = text;
  let lower = text.toLowerCase();
  for (const rule of rules) {
    if (rule.needles && !rule.needles.some((needle) => lower.includes(needle))) continue;
    const next = typeof rule.replacement === 'string' ? out.replace(rule.pattern, rule.replacement) : out.replace(rule.pattern, rule.replacement);
    if (next !== out) {
      out = next;
      lower = out.toLowerCase();
    }
  }
  return out;
}

/**
 * Redact secrets and personal data in one string. Two cheap pre-filters
 * (keywords, digit runs) let the usual clean string skip most patterns.
 */
export function scrubText(text: string): string {
  let out = text;
  if (KEYWORD_PREFILTER.test(out)) out = applyRules(out, KEYWORD_RULES);
  if (DIGIT_PREFILTER.test(out)) out = applyRules(out, DIGIT_RULES);
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
    // Ciphertext holds no readable data, and rewriting it would make it undecryptable;
    // anything else under a *_sealed key is scrubbed like any other value.
    if (key.endsWith('_sealed') && isSealedEnvelope(item)) {
      out[key] = item;
      continue;
    }
    out[key] = isSecretKey(key) && item !== null && item !== undefined && typeof item !== 'boolean' ? '[REDACTED]' : scrubDeep(item, depth + 1);
  }
  return out;
}
