import type { ChatMessage } from '../ports';

/** How a tool call ended, as far as the model can tell from the tool message. */
export type OutcomeStatus = 'ok' | 'error' | 'refused' | 'denied' | 'cancelled' | 'expired' | 'pending';

/** A tool call made since the last user message, with its parsed result. */
export interface ToolOutcome {
  name: string;
  status: OutcomeStatus;
  /** The parsed JSON object (empty when the content was not an object). */
  data: Record<string, unknown>;
  /** The error/refusal/denial text, when there is one. */
  message: string;
}

/** The conversation as the offline model reads it. */
export interface TurnView {
  /** Text of the last user message. */
  text: string;
  /** Last assistant text reply before that message. */
  previousReply: string | undefined;
  /** Earlier user messages, most recent first. */
  earlierUserTexts: string[];
  /** Tool calls made after the last user message, in order, with results. */
  outcomes: ToolOutcome[];
  /** Resolutions of similar past cases that memory put in the system prompt, best first. */
  pastResolutions: string[];
}

// Keys the engine uses for calls that did not produce a normal result.
const STATUS_KEYS: Array<[string, OutcomeStatus]> = [
  ['denied', 'denied'],
  ['refused', 'refused'],
  ['cancelled', 'cancelled'],
  ['expired', 'expired'],
  ['error', 'error'],
  ['pending_approval', 'pending'],
  ['pendingApproval', 'pending'],
];

/** Classify one tool message's content. */
export function parseOutcome(name: string, content: string): ToolOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { name, status: 'error', data: {}, message: content.slice(0, 300) };
  }
  const data = isRecord(parsed) ? parsed : {};
  for (const [key, status] of STATUS_KEYS) {
    if (key in data && !('found' in data)) {
      const value = data[key];
      return { name, status, data, message: typeof value === 'string' ? value : '' };
    }
  }
  if (data.status === 'pending_approval') return { name, status: 'pending', data, message: '' };
  return { name, status: 'ok', data, message: '' };
}

/** Split the message list into the last user message, its context, and the tool results that followed it. */
export function readTurn(messages: readonly ChatMessage[]): TurnView {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const text = lastUser >= 0 ? (messages[lastUser] as { content: string }).content : '';

  let previousReply: string | undefined;
  const earlierUserTexts: string[] = [];
  for (let i = lastUser - 1; i >= 0; i -= 1) {
    const m = messages[i];
    if (m?.role === 'assistant' && previousReply === undefined && m.content && !(m.toolCalls && m.toolCalls.length > 0)) previousReply = m.content;
    if (m?.role === 'user') earlierUserTexts.push(m.content);
  }

  const names = new Map<string, string>();
  const outcomes: ToolOutcome[] = [];
  for (const m of messages.slice(lastUser + 1)) {
    if (m.role === 'assistant') for (const call of m.toolCalls ?? []) names.set(call.id, call.name);
    if (m.role === 'tool') {
      const name = names.get(m.toolCallId);
      if (name) outcomes.push(parseOutcome(name, m.content));
    }
  }
  const system = messages[0]?.role === 'system' ? messages[0].content : '';
  const pastResolutions = [...system.matchAll(/^- Past case: problem: .*? \| resolution: (.+)$/gm)].map((m) => m[1]!.trim());
  return { text, previousReply, earlierUserTexts, outcomes, pastResolutions };
}

// Narrowing helpers: tool results are JSON from tools the model does not own, so nothing is assumed.

/** A plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** A non-empty string, else undefined. */
export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** A finite number, else undefined. */
export const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
/** The objects in an array (anything else dropped). */
export const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
/** An object, or an empty one. */
export const rec = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** `$29.00`. */
export function money(amount: unknown): string {
  const n = num(amount);
  return n === undefined ? 'an unknown amount' : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);
}

/** `June 3` from an ISO date or time (UTC, so every reader sees the same day). */
export function day(iso: unknown): string {
  const s = str(iso);
  if (!s) return 'an unknown date';
  const d = new Date(s.length === 10 ? `${s}T12:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
}

/** `09:14 UTC` from an ISO time. */
export function clock(iso: unknown): string {
  const s = str(iso);
  const d = s ? new Date(s) : undefined;
  if (!d || Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(11, 16)} UTC`;
}
