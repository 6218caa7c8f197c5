import type { APIEmbed } from 'discord.js';
import type { CommandReply } from '../../src/index';
import { truncate } from '../../src/index';
import { EMBED_LIMITS, field, fieldValue, fitEmbed } from './embed-limits';

const OK_COLOR = 0x5865f2;
const REFUSED_COLOR = 0xda373c;

/**
 * A `/support` reply as one embed: a field per report section, inside
 * Discord's limits (25 fields, 1024 characters per value, 6000 in total).
 * A reply with no sections shows its plain text instead.
 */
export function commandReplyEmbed(reply: CommandReply): APIEmbed {
  const fields = reply.sections.map((section) => field(section.title, fieldValue(section.lines)));
  return fitEmbed({
    title: reply.title.trim() === '' ? undefined : reply.title,
    color: reply.ok ? OK_COLOR : REFUSED_COLOR,
    description: reply.sections.length === 0 ? truncate(reply.text, EMBED_LIMITS.description) : undefined,
    fields,
  });
}
