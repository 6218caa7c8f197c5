import type { ApprovalView } from '../../src/index';
import { ACTION_IDS, type Block, type SlackMessage, context, fields, header, mention, section, slackDate } from './blocks';
import { escapeMrkdwn } from './mrkdwn';
import { truncate } from '../../src/index';
import { SLACK_LIMITS } from './split-message';

const TITLES: Record<ApprovalView['status'], string> = {
  pending: '🔐 Approval needed',
  approved: '✅ Approved',
  denied: '⛔ Denied',
  expired: '⌛ Expired',
};

/**
 * An approval request as Block Kit: what will happen, the arguments, who asked,
 * who may decide, when it expires, and Approve/Deny buttons while pending.
 * Buttons carry only the approval id; the engine holds the truth.
 */
export function renderApproval(view: ApprovalView): SlackMessage {
  const blocks: Block[] = [
    header(TITLES[view.status]),
    section(`*${escapeMrkdwn(view.action)}*`),
    ...fields([
      ['Requested by', `${mention(view.requester.userId)} (${escapeMrkdwn(view.requester.displayName)})`],
      ['Who may decide', escapeMrkdwn(view.decidersText)],
      ['Tool', `\`${escapeMrkdwn(view.toolName)}\``],
      [view.status === 'pending' ? 'Expires' : 'Was due', slackDate(view.expiresAt)],
    ]),
    section(`*Arguments*\n${argumentsBlock(view.args)}`),
  ];
  if (view.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: truncate(`approval:${view.id}`, 255),
      elements: [
        { type: 'button', action_id: ACTION_IDS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: view.id },
        ...(editable(view) ? [{ type: 'button' as const, action_id: ACTION_IDS.editApproval, text: { type: 'plain_text' as const, text: 'Edit and approve' }, value: view.id }] : []),
        { type: 'button', action_id: ACTION_IDS.deny, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: view.id },
      ],
    });
  } else {
    blocks.push(context(outcomeLine(view)));
  }
  return { text: `${TITLES[view.status]}: ${truncate(view.action, 300)}`, blocks };
}

// Only requests with an argument that is shown in full can be edited.
function editable(view: ApprovalView): boolean {
  return Object.values(view.args).some((v) => !JSON.stringify(v ?? null).includes('[REDACTED'));
}

function outcomeLine(view: ApprovalView): string {
  const when = view.decidedAt === undefined ? '' : ` · ${slackDate(view.decidedAt)}`;
  const by = view.decidedBy ? ` by ${mention(view.decidedBy.userId)}` : '';
  switch (view.status) {
    case 'approved':
      return `Approved${by}${when}`;
    case 'denied':
      return `Denied${by}${when}`;
    case 'expired':
      return `Expired without a decision${when}. Ask again if it is still needed.`;
    default:
      return '';
  }
}

function argumentsBlock(args: Record<string, unknown>): string {
  if (Object.keys(args).length === 0) return '_none_';
  let json: string;
  try {
    json = JSON.stringify(args, null, 2);
  } catch {
    json = String(args);
  }
  // Leave room for the label and fences inside one section.
  return '```\n' + escapeMrkdwn(truncate(json, SLACK_LIMITS.sectionChars - 200)) + '\n```';
}
