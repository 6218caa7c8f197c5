import { PlatformError } from '../../src/index';
import type { Decision } from '../../src/index';

/** Discord's limit on a component's `custom_id`. */
export const CUSTOM_ID_LIMIT = 100;

/** What a button click asks for. Buttons carry only ids; everything else is looked up on click. */
export type ButtonAction =
  | { kind: 'approval'; decision: Decision; approvalId: string }
  | { kind: 'claim'; escalationId: string }
  | { kind: 'handback'; threadId: string }
  /** "Edit and approve": opens a modal; its submission carries the same id. */
  | { kind: 'edit_approval'; approvalId: string }
  /** Stop the turn running in a thread or DM. */
  | { kind: 'stop'; threadId: string }
  /** 👍 / 👎 on a final answer; 👎 opens the "What went wrong?" modal. */
  | { kind: 'feedback'; rating: 'up' | 'down'; threadId: string }
  /** The "What went wrong?" modal's submission. */
  | { kind: 'feedback_reason'; threadId: string }
  /** "Talk to a human" / "That solved it" on a final answer. */
  | { kind: 'conversation'; action: 'human' | 'solved'; threadId: string };

/** The `custom_id` for an action; throws if the id would not fit Discord's 100 characters. */
export function customIdFor(action: ButtonAction): string {
  const id = idText(action);
  if (id.length > CUSTOM_ID_LIMIT) {
    throw new PlatformError('discord_custom_id_too_long', `Button id is ${id.length} characters; Discord allows ${CUSTOM_ID_LIMIT}`);
  }
  return id;
}

function idText(action: ButtonAction): string {
  switch (action.kind) {
    case 'approval':
      return `approval:${action.decision}:${action.approvalId}`;
    case 'edit_approval':
      return `approval:edit:${action.approvalId}`;
    case 'claim':
      return `escalation:claim:${action.escalationId}`;
    case 'handback':
      return `handback:${action.threadId}`;
    case 'stop':
      return `turn:stop:${action.threadId}`;
    case 'feedback':
      return `feedback:${action.rating}:${action.threadId}`;
    case 'feedback_reason':
      return `feedback:reason:${action.threadId}`;
    case 'conversation':
      return `conversation:${action.action}:${action.threadId}`;
  }
}

/** Parse a `custom_id` written by `customIdFor`; undefined for anything else. */
export function parseCustomId(customId: string): ButtonAction | undefined {
  const [kind, first, ...rest] = customId.split(':');
  const tail = rest.join(':'); // engine ids may themselves contain ':'
  if (kind === 'approval' && (first === 'approve' || first === 'deny') && tail !== '') {
    return { kind: 'approval', decision: first, approvalId: tail };
  }
  if (kind === 'approval' && first === 'edit' && tail !== '') return { kind: 'edit_approval', approvalId: tail };
  if (kind === 'turn' && first === 'stop' && /^\d+$/.test(tail)) return { kind: 'stop', threadId: tail };
  if (kind === 'escalation' && first === 'claim' && tail !== '') return { kind: 'claim', escalationId: tail };
  if (kind === 'feedback' && (first === 'up' || first === 'down') && /^\d+$/.test(tail)) return { kind: 'feedback', rating: first, threadId: tail };
  if (kind === 'feedback' && first === 'reason' && /^\d+$/.test(tail)) return { kind: 'feedback_reason', threadId: tail };
  if (kind === 'conversation' && (first === 'human' || first === 'solved') && /^\d+$/.test(tail)) return { kind: 'conversation', action: first, threadId: tail };
  if (kind === 'handback' && first !== undefined && /^\d+$/.test(first) && rest.length === 0) {
    return { kind: 'handback', threadId: first };
  }
  return undefined;
}
