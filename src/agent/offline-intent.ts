import type { ToolOutcome, TurnView } from './offline-results';

/** Names of the tools offered to this call (what the caller's role and specialist allow). */
export type Offered = ReadonlySet<string>;

/** A tool the offline model wants to call, before it gets an id. */
export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
}

/** The offline model's next move: call tools (optionally saying something first), or answer. */
export type Step = { kind: 'call'; calls: PlannedCall[]; text?: string } | { kind: 'answer'; text: string };

/** The last user message as intent rules read it. */
export interface OfflineInput {
  /** As typed. */
  text: string;
  /** Lower-case, straight apostrophes, misspelt keywords corrected: what rules match. */
  normalized: string;
  /** `normalized` split into words. */
  words: string[];
  /** The assistant's last text reply before this message, if any. */
  previousReply: string | undefined;
  /** The closing paragraph of that reply: where offers are made. */
  offer: string;
  /** Earlier user messages, most recent first. */
  earlierUserTexts: string[];
  /** The intent another message (read without context) would get, e.g. an earlier topic for "yes, open a ticket". */
  classify(text: string): string;
}

/** What an intent plans its next step from. */
export interface OfflineContext<T> {
  /** What the intent's `match`, `followUp` or `accept` returned. */
  details: T;
  turn: TurnView;
  offered: Offered;
  /** The result of a tool called since the last user message (each tool runs at most once a turn). */
  done(name: string): ToolOutcome | undefined;
}

/**
 * One thing a customer may want, as deterministic rules the offline model
 * runs (no AI call). Plugins give their own; the engine adds the generic ones
 * (foreign language, asking for a person, yes/no, greetings, thanks,
 * help-center questions) and tries them in this order: foreign language, a
 * person, a bare "yes" to an offer (`offers`/`accept`), a bare "no", every
 * intent's `followUp`, every intent's `match` (in the order given), then
 * greetings, thanks and questions.
 */
export interface OfflineIntent<T extends object = object> {
  /** Unique, snake_case. */
  name: string;
  /** Words the rules look for: misspellings of these are corrected before matching. */
  keywords?: readonly string[];
  /** Phrases this intent's replies end their offers with; a bare "yes" after one picks this intent. */
  offers?: readonly string[];
  /** Details for a "yes" to one of `offers` (default: `{}`). */
  accept?(input: OfflineInput): T;
  /** An answer to a question this intent asked (checked for every intent before any `match`). */
  followUp?(input: OfflineInput): T | undefined;
  /** Claim the message with its details, or pass (undefined). */
  match?(input: OfflineInput): T | undefined;
  /** Call what is missing, then answer from the results. A tool that already ran this turn is never called again. */
  plan(context: OfflineContext<T>): Step;
  /**
   * Tools this intent's plan needs. When the model is consulted for one part of a
   * cross-domain message, an intent none of whose tools is offered is another
   * specialist's part, so its rules are skipped. Omitted: never skipped.
   */
  tools?: readonly string[];
  /** Lines for "what can you do", shown when their tool is offered (in the order tools are offered). */
  capabilities?: ReadonlyArray<{ tool: string; text: string }>;
}

/**
 * Declare an offline intent. Keeps `T` checked between `match` and `plan`
 * and returns it in the form plugins list them.
 */
export function defineOfflineIntent<T extends object>(intent: OfflineIntent<T>): OfflineIntent {
  if (!/^[a-z][a-z0-9_]*$/.test(intent.name)) throw new TypeError(`Offline intent name "${intent.name}" must be snake_case`);
  if (typeof intent.plan !== 'function') throw new TypeError(`Offline intent "${intent.name}" needs a plan function`);
  // Sound: the engine only ever hands `plan` what this intent's own match/followUp/accept returned.
  return Object.freeze({ ...intent }) as unknown as OfflineIntent;
}

/** A final answer. */
export const answer = (text: string): Step => ({ kind: 'answer', text });

/** One tool call, optionally with text shown while it runs. */
export const callTool = (name: string, args: Record<string, unknown>, text?: string): Step => ({ kind: 'call', calls: [{ name, args }], ...(text ? { text } : {}) });
