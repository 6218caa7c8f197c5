import type { APIEmbed } from 'discord.js';
import { ApiError } from './http-router';

/** What the bot may send when creating or editing a message. */
export interface MessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: { type: number; components?: { type: number; custom_id?: string; label?: string; style?: number }[] }[];
  flags?: number;
  allowed_mentions?: unknown;
}

/**
 * Enforce Discord's message limits the way Discord does: the whole request is
 * refused with 50035 "Invalid Form Body" naming the field, or 50006 when
 * there is nothing to send. A bot that breaks a limit fails here as in production.
 */
export function validateMessageBody(raw: unknown, options: { creating: boolean }): MessageBody {
  if (typeof raw !== 'object' || raw === null) throw formError('body', 'BASE_TYPE_REQUIRED', 'This field is required');
  const body = raw as MessageBody;
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') throw formError('content', 'BASE_TYPE_STRING', 'Must be a string.');
    if (body.content.length > 2000) throw formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = body.embeds ?? [];
  if (embeds.length > 10) throw formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((embed, i) => {
    const check = (field: string, value: string | undefined, max: number) => {
      if (value !== undefined && value.length > max) throw formError(`embeds.${i}.${field}`, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
      if (value !== undefined && field.endsWith('value') && value.trim() === '') throw formError(`embeds.${i}.${field}`, 'BASE_TYPE_REQUIRED', 'This field is required');
      total += value?.length ?? 0;
    };
    check('title', embed.title, 256);
    check('description', embed.description, 4096);
    check('footer.text', embed.footer?.text, 2048);
    const fields = embed.fields ?? [];
    if (fields.length > 25) throw formError(`embeds.${i}.fields`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    fields.forEach((f, j) => {
      check(`fields.${j}.name`, f.name, 256);
      check(`fields.${j}.value`, f.value, 1024);
    });
  });
  if (total > 6000) throw formError('embeds', 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  const rows = body.components ?? [];
  if (rows.length > 5) throw formError('components', 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  rows.forEach((row, i) => {
    if (row.type !== 1) throw formError(`components.${i}.type`, 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    const buttons = row.components ?? [];
    if (buttons.length === 0 || buttons.length > 5) throw formError(`components.${i}.components`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    buttons.forEach((b, j) => {
      const at = `components.${i}.components.${j}`;
      if (b.type !== 2) throw formError(`${at}.type`, 'UNION_TYPE_CHOICES', 'Only buttons are expected from this bot.');
      if (b.custom_id === undefined || b.custom_id.length === 0 || b.custom_id.length > 100) {
        throw formError(`${at}.custom_id`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      }
      if ((b.label ?? '').length > 80) throw formError(`${at}.label`, 'BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.');
    });
  });
  if (options.creating && !(body.content ?? '').trim() && embeds.length === 0 && rows.length === 0) {
    throw new ApiError(400, 50006, 'Cannot send an empty message');
  }
  return body;
}

function formError(path: string, code: string, message: string): ApiError {
  // Discord nests errors by path; one level of nesting per segment.
  const errors = path
    .split('.')
    .reverse()
    .reduce<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { _errors: [{ code, message }] });
  return new ApiError(400, 50035, 'Invalid Form Body', { errors });
}
