import type { APIEmbed, APIEmbedField } from 'discord.js';
import { truncate } from '../../src/index';

/** Discord's embed limits; a message breaking any of them is rejected whole (error 50035). */
export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

/** Lines joined for a field value, cut at a line boundary when too long. Empty values are not allowed. */
export function fieldValue(lines: readonly string[], max: number = EMBED_LIMITS.fieldValue): string {
  const text = lines.join('\n').trim();
  if (text === '') return '—';
  if (text.length <= max) return text;
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    const next = size + line.length + (kept.length > 0 ? 1 : 0);
    if (next > max - 2) break;
    kept.push(line);
    size = next;
  }
  return kept.length > 0 ? `${kept.join('\n')}\n…` : truncate(text, max);
}

/** A field with name and value cut to Discord's limits. */
export function field(name: string, value: string, inline = false): APIEmbedField {
  return {
    name: truncate(name.trim() === '' ? '—' : name, EMBED_LIMITS.fieldName),
    value: truncate(value.trim() === '' ? '—' : value, EMBED_LIMITS.fieldValue),
    inline,
  };
}

/** Characters Discord counts toward the 6000 total. */
export function embedSize(embed: APIEmbed): number {
  let size = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  size += embed.author?.name.length ?? 0;
  for (const f of embed.fields ?? []) size += f.name.length + f.value.length;
  return size;
}

/**
 * Keep an embed inside every limit: title, description, footer and fields are
 * cut, and fields that would overflow 25 or the 6000 total are dropped with a
 * note in the footer so the reader knows something is missing.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  if (fitted.title !== undefined) fitted.title = truncate(fitted.title, EMBED_LIMITS.title);
  if (fitted.description !== undefined) fitted.description = truncate(fitted.description, EMBED_LIMITS.description);
  if (fitted.footer) fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, EMBED_LIMITS.footer) };
  const fields = (embed.fields ?? []).map((f) => field(f.name, f.value, f.inline ?? false));
  const note = (dropped: number) => `${dropped} more section${dropped === 1 ? '' : 's'} not shown`;
  // Reserve room for the footer note in case something has to go.
  const reserve = note(fields.length).length + 3;
  const kept: APIEmbedField[] = [];
  let size = embedSize({ ...fitted, fields: [] });
  if (size + reserve > EMBED_LIMITS.total && fitted.description !== undefined) {
    fitted.description = truncate(fitted.description, Math.max(1, fitted.description.length - (size + reserve - EMBED_LIMITS.total)));
    size = embedSize({ ...fitted, fields: [] });
  }
  for (const f of fields) {
    const extra = f.name.length + f.value.length;
    if (kept.length >= EMBED_LIMITS.fields || size + extra + reserve > EMBED_LIMITS.total) break;
    kept.push(f);
    size += extra;
  }
  fitted.fields = kept;
  const dropped = fields.length - kept.length;
  if (dropped > 0) {
    const text = fitted.footer ? `${fitted.footer.text} · ${note(dropped)}` : note(dropped);
    fitted.footer = { ...fitted.footer, text: truncate(text, EMBED_LIMITS.footer) };
  }
  return fitted;
}
