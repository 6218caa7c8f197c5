import { createTypoCorrector, type TypoCorrector } from '../agent/offline-fuzzy';
import { RuleRouter } from './rule-router';
import { GENERAL_SPECIALIST, type Specialist } from './specialist';

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'you', 'your', 'that', 'this', 'are', 'not', 'can', 'about', 'anything', 'other', 'questions']);
const words = (text: string) => text.toLowerCase().match(/\p{L}[\p{L}\p{N}]+/gu) ?? [];
/** A crude stem, so "charges", "charged" and "charging" meet. */
const stem = (word: string) => word.replace(/(ing|ed|es|s)$/u, '').slice(0, 7);

/**
 * How the offline model routes (deterministically, no AI call): the
 * specialists' keyword rules on the text with misspelt keywords corrected
 * (against the specialists' own keywords), then word overlap
 * with each specialist's keywords and description; no overlap is `general`.
 */
export class OfflineRouter {
  private readonly rules: RuleRouter;
  private readonly vocabulary: Array<{ name: string; stems: Set<string> }>;
  private readonly typos: TypoCorrector;

  constructor(specialists: readonly Specialist[]) {
    this.rules = new RuleRouter(specialists);
    // `charge*` and `log in` give `charge`, `log`, `in`: the words a customer may misspell.
    this.typos = createTypoCorrector(specialists.flatMap((s) => (s.keywords ?? []).flatMap((k) => k.toLowerCase().replace(/\*/g, '').split(/\s+/))));
    this.vocabulary = specialists
      .filter((s) => s.name !== GENERAL_SPECIALIST)
      .map((s) => ({
        name: s.name,
        stems: new Set([...(s.keywords ?? []).flatMap(words), ...words(s.description)].filter((w) => w.length > 2 && !STOP_WORDS.has(w)).map(stem)),
      }));
  }

  /** The text as the rules read it: lower case, misspelt keywords corrected. */
  correct(text: string): string {
    return this.typos.text(text.toLowerCase());
  }

  /** The specialists for a first message: one, several when it spans domains, or `general`. */
  route(text: string): string[] {
    const corrected = this.correct(text);
    const matched = this.rules.match(corrected).filter((n) => n !== GENERAL_SPECIALIST);
    if (matched.length > 0) return matched;
    const stems = new Set(words(corrected).filter((w) => !STOP_WORDS.has(w)).map(stem));
    let best: { name: string; score: number } | undefined;
    for (const entry of this.vocabulary) {
      let score = 0;
      for (const s of stems) if (entry.stems.has(s)) score += 1;
      if (score > 0 && (!best || score > best.score)) best = { name: entry.name, score };
    }
    return [best?.name ?? GENERAL_SPECIALIST];
  }
}
