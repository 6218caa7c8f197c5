/**
 * The patterns the scrubber redacts. Vendor token formats are adapted from
 * gitleaks' maintained rule set (github.com/gitleaks/gitleaks, config/gitleaks.toml
 * at b58d3f1, rules stripe-access-token, gcp-api-key, github-pat,
 * github-fine-grained-pat, private-key, aws-access-token, slack-*, jwt,
 * openai-api-key, generic-api-key, curl-auth-header), loosened where a log line
 * may hold a truncated token and tightened where gitleaks relies on its
 * entropy filter, which a per-line scrubber cannot afford.
 */

/** One redaction: a global regex and what a match becomes. */
export interface SecretRule {
  name: string;
  pattern: RegExp;
  replacement: string | ((match: string, ...groups: string[]) => string);
  /** Lower-case literals of which one must occur for the rule to match; lets most rules skip their regex. */
  needles?: readonly string[];
}

/** Luhn checksum, so order numbers and timestamps are not mistaken for cards. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
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

/** ISO 13616 mod-97 check, so product codes shaped like an IBAN stay readable. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** Words that follow "password is" in talk about passwords, not in a disclosed one. */
const NOT_A_PASSWORD = '(?:too|not|incorrect|wrong|invalid|expired|required|correct|missing|weak|strong|the|a|an|being|still|now|reset|changed|set|empty|case|at|in|of|for|to|and|or)\\b';

const digitCount = (text: string) => text.replace(/\D/g, '').length;

/**
 * Keyword rules: each needs a literal that the keyword pre-filter looks for.
 * Order matters: whole blocks and URLs go first, so a token inside them is
 * redacted as part of the block rather than leaving the rest of it behind.
 */
export const KEYWORD_RULES: readonly SecretRule[] = [
  // gitleaks private-key; an unterminated block (a truncated line) is redacted to the end.
  { name: 'private_key', needles: ['-----begin'], pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g, replacement: '[REDACTED_PRIVATE_KEY]' },
  // gitleaks slack-webhook-url; Discord webhooks carry their secret in the path too.
  { name: 'slack_webhook', needles: ['hooks.slack.com'], pattern: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[^\s"'<>`]+/g, replacement: '[REDACTED_WEBHOOK]' },
  { name: 'discord_webhook', needles: ['/webhooks/'], pattern: /(?:https?:\/\/)?(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/\d+\/[A-Za-z0-9_-]+/g, replacement: '[REDACTED_WEBHOOK]' },
  // user:password@ in any URL (https, postgres, redis, amqp...).
  { name: 'url_credentials', needles: ['://'], pattern: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s/:@"'<>]+:[^\s/@"'<>]+@/gi, replacement: '$1[REDACTED]@' },
  // Secrets in query strings (OAuth callbacks, signed links).
  { name: 'query_secret', needles: ['='], pattern: /([?&](?:access_token|refresh_token|id_token|auth_token|token|api_key|apikey|key|secret|client_secret|password|sig|signature|code)=)[^&\s#"'<>]+/gi, replacement: '$1[REDACTED]' },
  // gitleaks slack-bot/user/app/legacy/config tokens, kept loose for truncated ones.
  { name: 'slack_token', needles: ['xox', 'xapp-'], pattern: /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{6,}/g, replacement: '[REDACTED_SLACK_TOKEN]' },
  // gitleaks stripe-access-token (secret and restricted keys; publishable pk_ keys are public).
  { name: 'stripe_key', needles: ['sk_', 'rk_'], pattern: /\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}\b/g, replacement: '[REDACTED_API_KEY]' },
  { name: 'stripe_webhook_secret', needles: ['whsec_'], pattern: /\bwhsec_[A-Za-z0-9]{20,}\b/g, replacement: '[REDACTED_API_KEY]' },
  // gitleaks gcp-api-key.
  { name: 'google_api_key', needles: ['aiza'], pattern: /\bAIza[\w-]{35}(?![\w-])/g, replacement: '[REDACTED_API_KEY]' },
  // gitleaks github-pat / github-fine-grained-pat (and oauth, user, server, refresh tokens).
  { name: 'github_token', needles: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{22,})\b/g, replacement: '[REDACTED_GITHUB_TOKEN]' },
  // gitleaks openai-api-key, without its T3BlbkFJ marker, which newer keys lack.
  { name: 'openai_key', needles: ['sk-'], pattern: /\bsk-(?:proj-|svcacct-|admin-|live-|test-)?[A-Za-z0-9_-]{16,}/g, replacement: '[REDACTED_API_KEY]' },
  // gitleaks aws-access-token.
  { name: 'aws_access_key', needles: ['a3t', 'akia', 'asia', 'abia', 'acca'], pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, replacement: '[REDACTED_AWS_KEY]' },
  // Discord bot tokens: base64 user id . timestamp . hmac.
  { name: 'discord_token', needles: ['.'], pattern: /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}\b/g, replacement: '[REDACTED_DISCORD_TOKEN]' },
  // gitleaks jwt (signature optional: unsigned tokens still carry claims).
  { name: 'jwt', needles: ['ey'], pattern: /\bey[A-Za-z0-9_-]{15,}\.ey[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]*/g, replacement: '[REDACTED_JWT]' },
  // gitleaks curl-auth-header: the whole Authorization value, whatever its scheme.
  {
    name: 'authorization_header', needles: ['authorization'],
    pattern: /\b(authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|bot)\s+)?[^\s"',;]{6,}/gi,
    replacement: (_m, lead: string, scheme: string | undefined) => `${lead}${scheme ? `${scheme} ` : ''}[REDACTED]`,
  },
  // A bearer token in prose; the digit keeps "bearer of bad news" readable.
  { name: 'bearer', needles: ['bearer'], pattern: /\b(bearer)\s+(?=[\w.~+/-]*\d)[\w.~+/=-]{8,}/gi, replacement: '$1 [REDACTED]' },
  // gitleaks generic-api-key, as key = value / key: value; AWS secret access keys land here by name.
  {
    name: 'secret_assignment', needles: ['pass', 'pwd', 'secret', 'key', 'token'],
    pattern: /((?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|token)["']?\s*(?:=|:|=>)\s*["']?)(?!\[REDACTED)([^\s"',;&]{4,})/gi,
    replacement: '$1[REDACTED]',
  },
  // "my password is hunter2".
  { name: 'password_phrase', needles: ['pass', 'pwd'], pattern: new RegExp(`\\b((?:pass(?:word|wd|phrase|code)|pwd)\\s+(?:is|was)\\s*:?\\s*["']?)(?!${NOT_A_PASSWORD})(?!\\[REDACTED)([^\\s"',;]{3,})`, 'gi'), replacement: '$1[REDACTED]' },
  { name: 'email', needles: ['@'], pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, replacement: '[REDACTED_EMAIL]' },
];

/**
 * One pass over the text that says whether any keyword rule could match.
 * Literals only, so V8 scans it fast; it must stay a superset of KEYWORD_RULES.
 */
export const KEYWORD_PREFILTER = /-----BEGIN|:\/\/|hooks\.slack|\/webhooks\/|private[_-]?key|[?&][a-z_]*(?:token|key|secret|password|sig|signature|code)=|\bx(?:ox|app)|_test_|_live_|_prod_|whsec_|AIza|gh[pousr]_|github_pat_|sk-|A3T|AKIA|ASIA|ABIA|ACCA|\.[A-Za-z\d_-]{6,7}\.|eyJ|eyI|ey[A-Za-z0-9_-]{15}|authori[sz]ation|bearer|pass|pwd|secret|api[_-]?key|access[_-]?key|token|@/i;

/** Digit rules: personal data made of numbers, checked only when a digit run is present. */
export const DIGIT_RULES: readonly SecretRule[] = [
  // IBAN, validated by mod 97 (ISO 13616).
  { name: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, replacement: (m) => (ibanValid(m) ? '[REDACTED_IBAN]' : m) },
  // Card numbers: 12-19 digits, optionally grouped, starting as a card network does (2-6),
  // passing Luhn, and not the digits of a decimal such as 16.990000000000002.
  // Discord snowflakes and epoch millis start with 1, so they are never cards.
  { name: 'card', pattern: /(?<![\d.])[2-6](?:[ -]?\d){11,18}(?!\d|\.\d)/g, replacement: (m) => (luhnValid(m.replace(/[ -]/g, '')) ? '[REDACTED_CARD]' : m) },
  // US social security numbers (never 000, 666 or 9xx areas), and UK national insurance numbers.
  { name: 'ssn', needles: ['-'], pattern: /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g, replacement: '[REDACTED_NATIONAL_ID]' },
  { name: 'nino', pattern: /\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g, replacement: '[REDACTED_NATIONAL_ID]' },
  // International numbers: +country code and 8-15 digits.
  { name: 'phone_international', needles: ['+'], pattern: /(?<![\w+])\+[1-9](?:[ .-]?\(?\d\)?){7,14}(?![\d])/g, replacement: (m) => (digitCount(m) >= 8 ? '[REDACTED_PHONE]' : m) },
  // North American (555) 123-4567 / 555-123-4567 / 555.123.4567, and UK 020 7946 0958 / 07700 900123.
  // Not after "#", "-" or a word: ORD-555-123-4567 and #555-123-4567 are order numbers.
  { name: 'phone_nanp', pattern: /(?<![\w#/-])(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|\.\d)/g, replacement: '[REDACTED_PHONE]' },
  { name: 'phone_uk', pattern: /(?<![\w#/-])0\d{2,4} \d{3,4} ?\d{3,4}(?![\w-]|\.\d)/g, replacement: '[REDACTED_PHONE]' },
  // A national id or phone named as such, whatever its layout (last, so the specific rules above label what they know).
  {
    name: 'named_id', needles: ['ssn', 'social', 'national', 'passport', 'tax id', 'phone', 'mobile', 'cell', 'tel', 'call me', 'text me', 'whatsapp'],
    pattern: /\b((?:ssn|social security(?: number)?|national id(?: number)?|passport(?: number| no\.?)?|tax id|phone(?: number)?|mobile|cell|tel|call me at|text me at|whatsapp)\b[^\w\n+]{0,3}(?:is\s+|number\s+|no\.?\s*|#\s*)?:?\s*)(\+?\d[\d ().-]{5,18}\d)/gi,
    replacement: '$1[REDACTED_PHONE_OR_ID]',
  },
];

/** Whether the text has a run of digits long enough for any digit rule. */
export const DIGIT_PREFILTER = /\d(?:[ ().-]{0,2}\d){5}/;
