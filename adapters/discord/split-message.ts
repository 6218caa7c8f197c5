import { splitText } from '../../src/index';

/** Discord rejects message content longer than this (error 50035). */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** Split Markdown into messages of at most `limit` characters (see splitText for the rules). */
export function splitMessage(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string[] {
  return splitText(text, limit);
}
