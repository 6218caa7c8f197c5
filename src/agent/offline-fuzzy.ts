/**
 * Typo tolerance for the offline model's intent rules: words a customer
 * misspells ("chraged twise") are mapped to the keyword they were meant to be
 * before the rules run. Only words that are not themselves known are touched,
 * so "change" never turns into "charge".
 */

/** Words the rules look for. */
const KEYWORDS = [
  'charged', 'charge', 'charges', 'twice', 'double', 'duplicate', 'refund', 'refunded', 'billed', 'billing', 'invoice', 'invoices',
  'payment', 'subscription', 'cancel', 'cancelled', 'canceled', 'order', 'orders', 'package', 'delivery', 'delivered', 'shipping',
  'shipped', 'tracking', 'password', 'reset', 'account', 'access', 'locked', 'login', 'forgot', 'crashing', 'crashes', 'crash',
  'freezing', 'manager', 'supervisor', 'person', 'ticket', 'status', 'outage', 'email', 'address', 'application', 'unable', 'cannot',
];
/** Real words one edit away from a keyword, which must stay as typed ("changed" is not "charged"). */
const NEIGHBOURS = ['change', 'changed', 'changes', 'changing', 'looked', 'cash', 'ordered', 'other', 'older', 'there', 'amount', 'items', 'times', 'chance'];
const KNOWN = new Set([...KEYWORDS, ...NEIGHBOURS]);

/**
 * Optimal string alignment distance (Damerau-Levenshtein without repeated
 * edits of one substring): insertions, deletions, substitutions and swaps of
 * two neighbouring letters each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The keyword a misspelt word most likely meant, or the word itself. Short words are left alone: too many collide. */
export function correctWord(word: string): string {
  if (word.length < 4 || KNOWN.has(word) || !/^[a-z]+$/.test(word)) return word;
  const allowed = word.length >= 7 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  let tie = false;
  for (const candidate of KEYWORDS) {
    if (Math.abs(candidate.length - word.length) > allowed) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) tie = tie || candidate !== best;
  }
  return best && !tie ? best : word;
}

/** Lower-case text with misspelt keywords replaced; punctuation and spacing kept. */
export function correctTypos(text: string): string {
  return text.replace(/[a-z]+/g, (word) => correctWord(word));
}
