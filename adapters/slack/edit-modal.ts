import type { ApprovalView } from '../../src/index';
import { z } from 'zod';
import { truncate } from '../../src/index';

/** `callback_id` of the "Edit and approve" modal. */
export const EDIT_CALLBACK_ID = 'approval_edit_submit';

/** How an edited text field turns back into the argument's type. */
type FieldType = 'string' | 'number' | 'boolean' | 'json';

const metadataSchema = z.object({
  id: z.string(),
  types: z.record(z.string(), z.enum(['string', 'number', 'boolean', 'json'])),
  channel: z.string().optional(),
  thread: z.string().optional(),
});

/** What the modal carries through Slack (`private_metadata`, at most 3,000 characters). */
export type EditMetadata = z.infer<typeof metadataSchema>;

/** The block id of an argument's input. */
export function fieldBlockId(key: string): string {
  return `arg:${key}`.slice(0, 255);
}

/**
 * A modal with one text input per argument, pre-filled with the validated
 * (display) value. Redacted values cannot be edited and are left out; the
 * engine validates the whole edit again. Undefined when nothing is editable.
 */
export function renderEditModal(view: ApprovalView, where: { channel?: string; thread?: string }): object | undefined {
  const types: Record<string, FieldType> = {};
  const blocks: object[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${view.action}*\nChange what you need, then approve. The request is checked again with the new values.`, 3_000) } }];
  for (const [key, value] of Object.entries(view.args)) {
    if (JSON.stringify(value ?? null).includes('[REDACTED') || blocks.length >= 100) continue;
    const type: FieldType = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'json';
    types[key] = type;
    const initial = type === 'json' ? JSON.stringify(value) : String(value);
    blocks.push({
      type: 'input',
      block_id: fieldBlockId(key),
      label: { type: 'plain_text', text: truncate(key, 2_000) },
      element: { type: 'plain_text_input', action_id: 'value', initial_value: truncate(initial, 3_000), multiline: type === 'json' || initial.length > 150 },
    });
  }
  if (Object.keys(types).length === 0) return undefined;
  const metadata = JSON.stringify({ id: view.id, types, ...where });
  if (metadata.length > 3_000) return undefined;
  return {
    type: 'modal',
    callback_id: EDIT_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: 'Edit and approve' },
    submit: { type: 'plain_text', text: 'Approve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** Read the modal's metadata back; undefined when it is not ours. */
export function parseEditMetadata(text: string | undefined): EditMetadata | undefined {
  try {
    return metadataSchema.parse(JSON.parse(text ?? ''));
  } catch {
    return undefined;
  }
}

/**
 * The submitted values with their original types (numbers stay numbers), or
 * per-field errors for values that cannot be that type.
 */
export function editedArgs(
  values: Record<string, Record<string, { value?: string | null }>>,
  types: EditMetadata['types'],
): { ok: true; args: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [key, type] of Object.entries(types)) {
    const raw = values[fieldBlockId(key)]?.value?.value ?? '';
    const text = raw.trim();
    if (type === 'string') args[key] = raw;
    else if (type === 'number') {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) errors[fieldBlockId(key)] = 'Enter a number, e.g. 25 or 25.50.';
      else args[key] = n;
    } else if (type === 'boolean') {
      if (text !== 'true' && text !== 'false') errors[fieldBlockId(key)] = 'Enter true or false.';
      else args[key] = text === 'true';
    } else {
      try {
        args[key] = JSON.parse(text);
      } catch {
        errors[fieldBlockId(key)] = 'Enter valid JSON.';
      }
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, args };
}

/** Put the engine's refusal on the field it names, else on the first field. */
export function errorsFor(message: string, types: EditMetadata['types']): Record<string, string> {
  const keys = Object.keys(types);
  const named = keys.filter((key) => new RegExp(`(^|[\\s:;(])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`).test(message));
  const text = truncate(message, 2_000);
  return Object.fromEntries((named.length > 0 ? named : keys.slice(0, 1)).map((key) => [fieldBlockId(key), text]));
}
