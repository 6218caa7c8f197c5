import { scrubText } from '../audit/redact';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Ids of records (orders, charges, refunds, tickets, invoices, customers…), whatever their prefix. */
const RECORD_IDS = [/\b[A-Z]{2,6}-\d{2,}\b/g, /\b[a-z]{2,5}_[A-Za-z0-9]{2,}\b/g, /\b[UWCT][A-Z0-9]{6,}\b/g, /\b\d{9,}\b/g];
/** Names people give themselves in a message. */
const SELF_NAMED = /\b(my name is|i am|i'm|this is)\s+([A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)?)/giu;

/**
 * Make a problem or resolution safe to show in another customer's
 * conversation: secrets, emails, phone numbers and cards (the audit
 * scrubber), record ids, the names of the people involved and names people
 * give themselves are replaced. What remains is the shape of the problem.
 */
export function redactCase(text: string, people: readonly string[]): string {
  let out = scrubText(text);
  for (const re of RECORD_IDS) out = out.replace(re, '[id]');
  out = out.replace(SELF_NAMED, (_m, lead: string) => `${lead} [name]`);
  const names = people.flatMap((p) => [p, ...p.split(/[\s()]+/)]).filter((n) => n.length >= 3 && /^\p{Lu}/u.test(n));
  for (const name of [...new Set(names)].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`\\b${escape(name)}\\b`, 'gu'), '[name]');
  }
  // A surname next to a known first name ("Alice Martin"), and titled names ("Ms. Diaz"), go too.
  out = out.replace(/\[name\](?:\s+\p{Lu}[\p{L}'-]+)+/gu, '[name]').replace(/\b(Mr|Mrs|Ms|Dr)\.?\s+\p{Lu}[\p{L}'-]+/gu, '[name]');
  return out.replace(/\s+/g, ' ').trim();
}
