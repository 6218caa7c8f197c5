import { closingIntents, declineIntent, escalateIntent, foreignLanguageIntent } from './offline-basics';
import { createTypoCorrector, type TypoCorrector } from './offline-fuzzy';
import type { Offered, OfflineInput, OfflineIntent, Step } from './offline-intent';
import { GENERIC_CAPABILITIES } from './offline-replies';
import type { ToolOutcome, TurnView } from './offline-results';

/** An intent chosen for a message, with what its rule found. */
export interface Classified {
  intent: OfflineIntent;
  details: object;
}

// A bare answer to an offer is made of these words only, so "please reset my password" is not a "yes".
// Checked word by word rather than with a nested regex, which could backtrack badly on long input.
const THANK_WORDS = ['thanks', 'thank', 'you'];
const YES_WORDS = new Set(['yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'please', 'do', 'it', 'that', 'go', 'ahead', 'sounds', 'good', 'y', 'would', 'be', 'great', ...THANK_WORDS]);
const NO_WORDS = new Set(['no', 'nope', 'nah', 'not', 'now', 'never', 'mind', 'nevermind', ...THANK_WORDS]);
const madeOf = (words: string[], allowed: ReadonlySet<string>) =>
  words.length > 0 && words.every((w) => allowed.has(w)) && !words.every((w) => THANK_WORDS.includes(w));

/** The final paragraph of a reply: where offers are made. */
function closingOf(reply: string | undefined): string {
  const paragraphs = (reply ?? '').trim().split(/\n\s*\n/);
  return paragraphs[paragraphs.length - 1] ?? '';
}

/**
 * The offline model's rules: the generic intents around the plugins' ones,
 * tried in the order `OfflineIntent` documents. Built once per model.
 */
export class OfflinePlanner {
  private readonly typos: TypoCorrector;
  private readonly offerers: OfflineIntent[];
  private readonly closing: ReturnType<typeof closingIntents>;

  constructor(private readonly intents: readonly OfflineIntent[]) {
    const names = new Set<string>();
    for (const intent of intents) {
      if (names.has(intent.name)) throw new TypeError(`Offline intent "${intent.name}" is declared twice`);
      names.add(intent.name);
    }
    this.typos = createTypoCorrector([...escalateIntent.keywords!, ...intents.flatMap((i) => i.keywords ?? [])]);
    this.offerers = [...intents, escalateIntent];
    const lines = new Map<string, string>();
    for (const { tool, text } of [...intents.flatMap((i) => i.capabilities ?? []), ...GENERIC_CAPABILITIES]) if (!lines.has(tool)) lines.set(tool, text);
    this.closing = closingIntents(lines);
  }

  /**
   * The intent of a message given what came before it. `onlyOffered`: consulted
   * for one part of a cross-domain message, intents whose tools are not offered are skipped.
   */
  classify(view: Pick<TurnView, 'text' | 'previousReply' | 'earlierUserTexts'>, onlyOffered?: Offered): Classified {
    const input = this.input(view);
    const intents = onlyOffered ? this.intents.filter((i) => !i.tools || i.tools.some((name) => onlyOffered.has(name))) : this.intents;
    const pick = (intent: OfflineIntent, details: object | undefined): Classified | undefined => (details ? { intent, details } : undefined);
    const first = (list: readonly OfflineIntent[], rule: 'match' | 'followUp'): Classified | undefined => {
      for (const intent of list) {
        const found = pick(intent, intent[rule]?.(input));
        if (found) return found;
      }
      return undefined;
    };
    const early = first([foreignLanguageIntent, escalateIntent], 'match');
    if (early) return early;
    if (madeOf(input.words, YES_WORDS)) {
      const accepted = this.offerers.find((i) => i.offers?.some((o) => input.offer.includes(o)));
      return accepted ? { intent: accepted, details: accepted.accept?.(input) ?? {} } : { intent: this.closing.capabilities, details: {} };
    }
    if (madeOf(input.words, NO_WORDS)) return { intent: declineIntent, details: {} };
    return first(intents, 'followUp') ?? first(intents, 'match') ?? first(this.closing.after, 'match') ?? { intent: this.closing.unknown, details: {} };
  }

  /**
   * The next step from the last user message and the tool results that
   * followed it. Each intent is a tiny state machine: call what is missing,
   * then answer from the results.
   */
  planStep(turn: TurnView, offered: Offered, consulted = false): Step {
    const { intent, details } = this.classify(turn, consulted ? offered : undefined);
    const done = (name: string): ToolOutcome | undefined => turn.outcomes.find((o) => o.name === name);
    return intent.plan({ details, turn, offered, done });
  }

  private input(view: Pick<TurnView, 'text' | 'previousReply' | 'earlierUserTexts'>): OfflineInput {
    // Rules match keywords, so misspelt keywords are corrected first ("chraged twise").
    const normalized = this.typos.text(view.text.trim().toLowerCase().replace(/[’‘]/g, "'"));
    return {
      text: view.text,
      normalized,
      words: normalized.split(/[\s,.!?]+/).filter(Boolean),
      previousReply: view.previousReply,
      offer: closingOf(view.previousReply),
      earlierUserTexts: view.earlierUserTexts,
      classify: (text) => this.classify({ text, previousReply: undefined, earlierUserTexts: [] }).intent.name,
    };
  }
}
