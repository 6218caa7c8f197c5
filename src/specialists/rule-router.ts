import type { Specialist } from './specialist';

/** Where a message divides into separate requests: sentences, and clauses joined by "and", "also", "plus", "but". */
const PART_BREAKS = /[.!?;\n]+|,?\s+(?:and also|and|also|plus|but|as well as)\s+/iu;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiled keyword and pattern rules of the specialists, built once. */
export class RuleRouter {
  private readonly rules: Array<{ name: string; regexes: RegExp[] }>;

  constructor(specialists: readonly Specialist[]) {
    this.rules = specialists.map((s) => ({
      name: s.name,
      regexes: [
        // Word boundaries, so "order" does not fire inside "border"; a trailing * is a prefix.
        ...(s.keywords ?? []).map((k) => new RegExp(`\\b${escape(k).replace(/\\\*$/, '\\w*')}${k.endsWith('*') ? '' : '\\b'}`, 'iu')),
        ...(s.patterns ?? []).map((p) => new RegExp(p, 'iu')),
      ],
    }));
  }

  /** Names of the specialists whose rules match, in declaration order (empty: rules do not decide). */
  match(text: string): string[] {
    return this.rules.filter((r) => r.regexes.some((re) => re.test(text))).map((r) => r.name);
  }

  /**
   * Whether a message asks separate things of separate specialists: at
   * least two of `names` each own a part (a sentence or clause) that only
   * their rules match. "I was charged twice and ORD-1001 is late" does;
   * "refund ORD-1001" (one request both rules match) does not.
   */
  spansParts(text: string, names: readonly string[]): boolean {
    const owners = new Set<string>();
    for (const part of text.split(PART_BREAKS)) {
      const matched = this.match(part).filter((n) => names.includes(n));
      if (matched.length === 1) owners.add(matched[0]!);
    }
    return owners.size > 1;
  }
}
