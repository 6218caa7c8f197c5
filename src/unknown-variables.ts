import type { Env } from './config';

/** Prefixes that only our settings use: an unknown name under one of them is almost surely a typo. */
const WATCHED_PREFIXES = ['SLACK_', 'DISCORD_', 'OPENAI_', 'BUDGET_'] as const;

/** Names the openai SDK reads by itself; set on purpose, not typos. */
const SDK_NAMES = ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_LOG', 'OPENAI_WEBHOOK_SECRET'];

/** One variable the configuration does not know, and the closest name it does. */
export interface UnknownVariable {
  name: string;
  suggestion: string | undefined;
}

/**
 * Variables set in `env` under a watched prefix (SLACK_, DISCORD_, OPENAI_,
 * BUDGET_) that no part of the configuration reads, each with the closest
 * known name. A misspelled `SLACK_ONCALL_CHANEL` would otherwise be ignored
 * without a word.
 */
export function findUnknownVariables(env: Env, known: readonly string[]): UnknownVariable[] {
  const knownSet = new Set([...known, ...SDK_NAMES]);
  return Object.keys(env)
    .filter((name) => WATCHED_PREFIXES.some((prefix) => name.startsWith(prefix)) && !knownSet.has(name))
    .sort()
    .map((name) => ({ name, suggestion: closest(name, known) }));
}

/** One line per unknown variable, for the start-up output. */
export function unknownVariableWarning(unknown: UnknownVariable): string {
  return `${unknown.name} is not a setting this app reads and is ignored${unknown.suggestion ? ` (did you mean ${unknown.suggestion}?)` : ''}.`;
}

/** The known name with the smallest edit distance, if it is close enough to be a plausible typo. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  // Beyond about a third of the name, a "suggestion" is just a different variable.
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** Levenshtein distance (insert, delete, substitute), two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
