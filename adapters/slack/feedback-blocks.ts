import type { types } from '@slack/bolt';
import type { ConversationRef, ReplyControls } from '../../src/index';
import type { Block, SlackMessage } from './blocks';
import { decodeConversation, encodeConversation } from './conversation';

/** Action ids of a final answer's controls (and the 👎 modal's callback id). */
export const FEEDBACK_IDS = {
  /** `feedback_buttons` in `context_actions`, or the plain 👍/👎 buttons of the fallback. */
  feedback: 'reply_feedback',
  feedbackUp: 'reply_feedback_up',
  feedbackDown: 'reply_feedback_down',
  talkToHuman: 'reply_talk_to_human',
  solved: 'reply_solved',
  /** The "What went wrong?" modal. */
  reasonModal: 'feedback_reason',
  reasonBlock: 'feedback_reason_block',
  reasonInput: 'feedback_reason_input',
} as const;

/**
 * `context_actions` with `feedback_buttons` is Slack's native thumbs up/down;
 * `buttons` renders them as plain buttons for workspaces or clients without it.
 */
export type FeedbackStyle = 'context_actions' | 'buttons';

/** Most blocks Slack takes in one message. */
const MAX_BLOCKS = 50;
/** Longest "what went wrong" the modal accepts (the engine keeps 500 characters). */
const MAX_REASON = 500;

/** A control's value: the rating (or action) and the conversation, so a click needs no lookup. */
export function controlValue(kind: 'up' | 'down' | 'human' | 'solved', conversation: ConversationRef): string {
  return `${kind}|${encodeConversation(conversation)}`;
}

/** Decode {@link controlValue}; undefined for anything else. */
export function parseControlValue(value: string | undefined): { kind: 'up' | 'down' | 'human' | 'solved'; conversation: ConversationRef } | undefined {
  const at = value?.indexOf('|') ?? -1;
  if (value === undefined || at < 0) return undefined;
  const kind = value.slice(0, at);
  const conversation = decodeConversation(value.slice(at + 1));
  if (!conversation || (kind !== 'up' && kind !== 'down' && kind !== 'human' && kind !== 'solved')) return undefined;
  return { kind, conversation };
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** The blocks under a final answer: 👍 👎, then "Talk to a human" and "That solved it". */
export function replyControlBlocks(conversation: ConversationRef, controls: ReplyControls, style: FeedbackStyle = 'context_actions'): Block[] {
  const blocks: Block[] = [];
  const buttons: types.Button[] = [];
  if (controls.feedback && style === 'context_actions') {
    blocks.push({
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: FEEDBACK_IDS.feedback,
          positive_button: { text: plain('👍'), value: controlValue('up', conversation), accessibility_label: 'This answer helped' },
          negative_button: { text: plain('👎'), value: controlValue('down', conversation), accessibility_label: 'This answer did not help' },
        },
      ],
    });
  } else if (controls.feedback) {
    buttons.push(
      { type: 'button', action_id: FEEDBACK_IDS.feedbackUp, text: plain('👍'), value: controlValue('up', conversation), accessibility_label: 'This answer helped' },
      { type: 'button', action_id: FEEDBACK_IDS.feedbackDown, text: plain('👎'), value: controlValue('down', conversation), accessibility_label: 'This answer did not help' },
    );
  }
  if (controls.talkToHuman) buttons.push({ type: 'button', action_id: FEEDBACK_IDS.talkToHuman, text: plain('Talk to a human'), value: controlValue('human', conversation) });
  if (controls.solved) buttons.push({ type: 'button', action_id: FEEDBACK_IDS.solved, text: plain('That solved it'), style: 'primary', value: controlValue('solved', conversation) });
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'reply_controls', elements: buttons });
  return blocks;
}

/** The answer's messages with its controls under the last one (a message of their own if the last is full). */
export function withReplyControls(parts: SlackMessage[], conversation: ConversationRef, controls: ReplyControls | undefined, style: FeedbackStyle = 'context_actions'): SlackMessage[] {
  const last = parts[parts.length - 1];
  if (!controls || !last) return parts;
  const blocks = replyControlBlocks(conversation, controls, style);
  if (blocks.length === 0) return parts;
  if (last.blocks.length + blocks.length <= MAX_BLOCKS) return [...parts.slice(0, -1), { ...last, blocks: [...last.blocks, ...blocks] }];
  return [...parts, { text: 'Was this helpful?', blocks }];
}

/** The modal 👎 opens (`views.open`): one optional short text; the conversation and rated message ride in `private_metadata`. */
export function feedbackReasonView(conversation: ConversationRef, messageTs: string | undefined): types.ModalView {
  return {
    type: 'modal',
    callback_id: FEEDBACK_IDS.reasonModal,
    title: plain('What went wrong?'),
    submit: plain('Send'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ v: controlValue('down', conversation), ts: messageTs ?? '' }),
    blocks: [
      {
        type: 'input',
        block_id: FEEDBACK_IDS.reasonBlock,
        optional: true,
        label: plain('What went wrong? (optional)'),
        element: { type: 'plain_text_input', action_id: FEEDBACK_IDS.reasonInput, max_length: MAX_REASON },
      },
    ],
  };
}
