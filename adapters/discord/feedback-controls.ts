import { ButtonStyle, ComponentType, TextInputStyle, type APIActionRowComponent, type APIButtonComponent, type APIModalInteractionResponseCallbackData } from 'discord.js';
import type { ReplyControls } from '../../src/index';
import { customIdFor } from './custom-ids';

/** Longest "what went wrong" the modal accepts (the engine keeps 500 characters). */
const MAX_REASON = 500;
/** The modal's text input id. */
export const FEEDBACK_REASON_INPUT = 'reason';

/** 👍 👎 "Talk to a human" "That solved it" under a final answer; undefined when it offers none. */
export function replyControlsRow(threadId: string, controls: ReplyControls | undefined): APIActionRowComponent<APIButtonComponent> | undefined {
  if (!controls) return undefined;
  const buttons: APIButtonComponent[] = [];
  if (controls.feedback) {
    buttons.push(
      { type: ComponentType.Button, custom_id: customIdFor({ kind: 'feedback', rating: 'up', threadId }), emoji: { name: '👍' }, style: ButtonStyle.Secondary },
      { type: ComponentType.Button, custom_id: customIdFor({ kind: 'feedback', rating: 'down', threadId }), emoji: { name: '👎' }, style: ButtonStyle.Secondary },
    );
  }
  if (controls.talkToHuman) {
    buttons.push({ type: ComponentType.Button, custom_id: customIdFor({ kind: 'conversation', action: 'human', threadId }), label: 'Talk to a human', style: ButtonStyle.Secondary });
  }
  if (controls.solved) {
    buttons.push({ type: ComponentType.Button, custom_id: customIdFor({ kind: 'conversation', action: 'solved', threadId }), label: 'That solved it', style: ButtonStyle.Success });
  }
  return buttons.length > 0 ? { type: ComponentType.ActionRow, components: buttons } : undefined;
}

/** The modal 👎 opens: one optional short text, so a thumbs-down costs a click and nothing more. */
export function feedbackReasonModal(threadId: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customIdFor({ kind: 'feedback_reason', threadId }),
    title: 'What went wrong?',
    components: [
      {
        type: ComponentType.Label,
        label: 'What went wrong? (optional)',
        component: { type: ComponentType.TextInput, custom_id: FEEDBACK_REASON_INPUT, style: TextInputStyle.Short, required: false, max_length: MAX_REASON },
      },
    ],
  };
}
