/**
 * Typo tolerance for deterministic rules (the offline model's intents, the
 * offline router): words a customer misspells ("chraged twise") are mapped to
 * the keyword they were meant to be before the rules run; the keywords come
 * from whoever declares the rules (plugins' intents, specialists). Only words that are not themselves known are touched,
 * so "change" never turns into "charge".
 */

/** Real words one edit away from common support keywords, which must stay as typed ("changed" is not "charged"). */
const COMMON_WORDS = ['change', 'changed', 'changes', 'changing', 'looked', 'cash', 'ordered', 'other', 'older', 'there', 'amount', 'items', 'times', 'chance'];

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

/** Corrects misspelt keywords in lower-case text. */
export interface TypoCorrector {
  /** The keyword a misspelt word most likely meant, or the word itself. */
  word(word: string): string;
  /** Lower-case text with misspelt keywords replaced; punctuation and spacing kept. */
  text(text: string): string;
}

/**
 * A corrector for `keywords` (the words some rules look for). Words that are
 * known (keywords, `keep`, a few common English words) are never touched.
 */
export function createTypoCorrector(keywords: Iterable<string>, keep: Iterable<string> = []): TypoCorrector {
  const list = [...new Set([...keywords].map((k) => k.toLowerCase()).filter((k) => /^[a-z]+$/.test(k)))];
  const known = new Set([...list, ...COMMON_WORDS, ...keep]);
  // Short words are left alone: too many collide.
  const word = (w: string): string => {
    if (w.length < 4 || known.has(w) || !/^[a-z]+$/.test(w)) return w;
    const allowed = w.length >= 7 ? 2 : 1;
    let best: string | undefined;
    let bestDistance = allowed + 1;
    let tie = false;
    for (const candidate of list) {
      if (Math.abs(candidate.length - w.length) > allowed) continue;
      const distance = editDistance(w, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
        tie = false;
      } else if (distance === bestDistance) tie = tie || candidate !== best;
    }
    return best && !tie ? best : w;
  };
  return {
    word,
    text(text) {
      // A long message repeats its words: each distinct word is corrected once.
      const seen = new Map<string, string>();
      return text.replace(/[a-z]+/g, (w) => {
        let fixed = seen.get(w);
        if (fixed === undefined) seen.set(w, (fixed = word(w)));
        return fixed;
      });
    },
  };
}
