/**
 * Slack's limits for long mrkdwn: a section's text holds at most 3,000
 * characters and a message at most 50 blocks. The splitting itself is the
 * engine's splitText, shared with Discord.
 */
import { splitText } from '../../src/index';

/** Slack's documented Block Kit limits the adapter relies on. */
export const SLACK_LIMITS = {
  /** `text` of a section block. */
  sectionChars: 3_000,
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** `text` of a header block. */
  headerChars: 150,
  /** One field of a section block. */
  fieldChars: 2_000,
  /** `value` of a button. */
  buttonValueChars: 2_000,
} as const;

/** Slack links (`<url|label>`, `<@U123>`) and entities (`&amp;`) are never cut in the middle. */
const MRKDWN_ATOMS = /<[^<>\n]*>|&(?:[a-z]+|#\d+);/i;

/** Split mrkdwn into pieces of at most `maxChars` (see splitText for the rules). */
export function splitMrkdwn(text: string, maxChars: number = SLACK_LIMITS.sectionChars): string[] {
  return splitText(text, maxChars, { keepWhole: MRKDWN_ATOMS });
}

/** Group items (e.g. blocks) into runs of at most `perGroup`. */
export function groupBy<T>(items: readonly T[], perGroup: number = SLACK_LIMITS.blocksPerMessage): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += perGroup) groups.push(items.slice(i, i + perGroup));
  return groups;
}
