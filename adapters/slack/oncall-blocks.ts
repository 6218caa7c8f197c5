import type { EscalationView, Urgency } from '../../src/index';
import { ACTION_IDS, type Block, type SlackMessage, bullets, context, fields, header, mention, section, slackDate } from './blocks';
import { encodeConversation } from './conversation';
import { escapeMrkdwn, markdownToMrkdwn } from './mrkdwn';
import { truncate } from '../../src/index';
import { SLACK_LIMITS } from './split-message';

const URGENCY_ICON: Record<Urgency, string> = { low: '🟢', normal: '🟡', high: '🟠', urgent: '🔴' };

/**
 * An escalation for the on-call channel: summary, customer, urgency, a link to
 * the thread, and Claim / Hand back buttons while it is open or claimed.
 */
export function renderOncall(view: EscalationView, permalink: string | undefined): SlackMessage {
  const blocks: Block[] = [
    header(`${URGENCY_ICON[view.urgency]} Escalation (${view.urgency})${view.notifications > 1 ? ` · reminder ${view.notifications - 1}` : ''}`),
    section(truncate(markdownToMrkdwn(view.summary) || '_no summary_', SLACK_LIMITS.sectionChars)),
    ...fields([
      ['Customer', `${mention(view.customer.userId)} (${escapeMrkdwn(view.customer.displayName)}, ${view.customer.role})`],
      ['Urgency', view.urgency],
      ['Reason', escapeMrkdwn(`${view.reason} (${view.trigger})`)],
      ['Thread', permalink ? `<${permalink}|Open the conversation>` : '_link unavailable_'],
      ['Opened', slackDate(view.createdAt)],
      ['Status', statusText(view)],
    ]),
  ];
  if (view.stepsTaken.length > 0) blocks.push(section(truncate(`*What the bot did*\n${bullets(view.stepsTaken)}`, SLACK_LIMITS.sectionChars)));
  if (view.pending.length > 0) blocks.push(section(truncate(`*Still pending*\n${bullets(view.pending)}`, SLACK_LIMITS.sectionChars)));

  const handback = {
    type: 'button' as const,
    action_id: ACTION_IDS.handback,
    text: { type: 'plain_text' as const, text: 'Hand back to bot' },
    value: encodeConversation(view.conversation),
  };
  if (view.status === 'open') {
    blocks.push({
      type: 'actions',
      block_id: truncate(`escalation:${view.id}`, 255),
      elements: [
        { type: 'button', action_id: ACTION_IDS.claim, style: 'primary', text: { type: 'plain_text', text: 'Claim' }, value: view.id },
        handback,
      ],
    });
  } else if (view.status === 'claimed') {
    blocks.push(context(statusText(view)));
    blocks.push({ type: 'actions', block_id: truncate(`escalation:${view.id}`, 255), elements: [handback] });
  } else {
    blocks.push(context(statusText(view)));
  }
  const customer = view.customer.displayName;
  // The fallback text shows in notifications; it is mrkdwn too, so convert the summary's Markdown.
  return { text: truncate(`Escalation (${view.urgency}) from ${customer}: ${markdownToMrkdwn(view.summary)}`, 4_000), blocks };
}

function statusText(view: EscalationView): string {
  if (view.status === 'claimed') return view.claimedBy ? `Claimed by ${mention(view.claimedBy.userId)}` : 'Claimed';
  if (view.status === 'closed') return view.claimedBy ? `Closed · was claimed by ${mention(view.claimedBy.userId)}` : 'Closed';
  return 'Waiting for someone to claim it';
}
