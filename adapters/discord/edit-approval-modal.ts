import { ComponentType, TextInputStyle, type APIEmbed, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { customIdFor } from './custom-ids';

/** Discord's limits for a modal: 5 top-level components, 4,000 characters per text input, 45 per label. */
const MAX_INPUTS = 5;
const MAX_VALUE = 4_000;
const MAX_LABEL = 45;
const MAX_CUSTOM_ID = 100;

/** One argument offered for editing, with how to turn the typed text back into its original type. */
export interface EditableField {
  key: string;
  value: string;
  kind: 'string' | 'number' | 'boolean' | 'json';
}

/**
 * The arguments an approver may edit: at most five, none too long for a
 * text input, never a redacted one (see `hasRedacted`).
 */
export function editableFields(args: Record<string, unknown>): EditableField[] {
  const fields: EditableField[] = [];
  for (const [key, raw] of Object.entries(args)) {
    if (fields.length === MAX_INPUTS) break;
    if (key.length > MAX_CUSTOM_ID || raw === undefined) continue;
    const field: EditableField =
      typeof raw === 'string'
        ? { key, value: raw, kind: 'string' }
        : typeof raw === 'number'
          ? { key, value: String(raw), kind: 'number' }
          : typeof raw === 'boolean'
            ? { key, value: String(raw), kind: 'boolean' }
            : { key, value: JSON.stringify(raw), kind: 'json' };
    if (field.value.includes('[REDACTED') || field.value.length > MAX_VALUE) continue;
    fields.push(field);
  }
  return fields;
}

/**
 * Whether the card hides a value. The engine takes the whole argument set
 * back, and the card only has the placeholder, so such a request cannot be
 * edited here without overwriting the real value: it is approved or denied as is.
 */
export function hasRedacted(args: Record<string, unknown>): boolean {
  return JSON.stringify(args).includes('[REDACTED');
}

/** The modal (interaction response type 9): one labelled, pre-filled text input per editable argument. */
export function editApprovalModal(approvalId: string, fields: EditableField[]): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customIdFor({ kind: 'edit_approval', approvalId }),
    title: 'Edit and approve',
    components: fields.map((field) => ({
      type: ComponentType.Label,
      label: field.key.length > MAX_LABEL ? `${field.key.slice(0, MAX_LABEL - 1)}…` : field.key,
      ...(field.kind === 'string' ? {} : { description: `A ${field.kind === 'json' ? 'JSON value' : field.kind}` }),
      component: {
        type: ComponentType.TextInput,
        custom_id: field.key,
        style: field.value.length > 80 || field.value.includes('\n') ? TextInputStyle.Paragraph : TextInputStyle.Short,
        value: field.value,
        required: field.kind !== 'string',
        max_length: MAX_VALUE,
      },
    })),
  };
}

/**
 * Typed text back to the argument's original type, so `"25"` stays the
 * number 25. Text that does not parse is passed on as typed: the tool's
 * schema then refuses it with a message the approver can act on.
 */
export function coerceEdited(fields: EditableField[], typed: (key: string) => string | undefined, original: Record<string, unknown>): Record<string, unknown> {
  // Only what the form showed: the engine keeps every other argument (hidden, redacted ones too) as requested.
  const args: Record<string, unknown> = Object.fromEntries(fields.filter((f) => f.key in original).map((f) => [f.key, original[f.key]]));
  for (const field of fields) {
    const text = typed(field.key);
    if (text === undefined) continue;
    args[field.key] = coerce(field.kind, text);
  }
  return args;
}

function coerce(kind: EditableField['kind'], text: string): unknown {
  const trimmed = text.trim();
  if (kind === 'string') return text;
  if (kind === 'number') return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
  if (kind === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : text;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

/**
 * The arguments shown on an approval card (`approvalMessage` puts them in the
 * "Arguments" field as JSON). Read back from the clicked card so the modal
 * opens within Discord's 3 seconds and survives restarts; undefined when the
 * JSON was cut to fit the embed.
 */
export function argsFromCard(embeds: readonly APIEmbed[]): Record<string, unknown> | undefined {
  const value = embeds[0]?.fields?.find((f) => f.name === 'Arguments')?.value;
  const json = value?.match(/^```json\n([\s\S]*)\n```$/)?.[1];
  if (json === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(json.replace(/`\u200b``/g, '```'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
