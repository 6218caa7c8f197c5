import type { types } from '@slack/bolt';
import type { Alert, CommandReply, OutboundMessage } from '../../src/index';
import { escapeMrkdwn, markdownToMrkdwn } from './mrkdwn';
import { truncate } from '../../src/index';
import { SLACK_LIMITS, groupBy, splitMrkdwn } from './split-message';

/** A Block Kit block. */
export type Block = types.KnownBlock;

/** One Slack message: fallback `text` (notifications, screen readers) plus blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** `action_id`s of the buttons the adapter renders and listens for. */
export const ACTION_IDS = {
  approve: 'approval_approve',
  deny: 'approval_deny',
  claim: 'escalation_claim',
  handback: 'escalation_handback',
  editApproval: 'approval_edit',
  stop: 'turn_stop',
} as const;

// Slack recommends keeping the top-level text of a message under 4,000 characters.
const FALLBACK_CHARS = 4_000;

/** A mrkdwn section, cut to Slack's limit (callers split long text first). */
export function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionChars) } };
}

/** A context line in small grey type. */
export function context(mrkdwn: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionChars) }] };
}

/** A header; plain text only, at most 150 characters. */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerChars), emoji: true } };
}

/** Sections for a field list (at most 10 fields per section, 2,000 characters each). */
export function fields(entries: Array<[label: string, mrkdwn: string]>): Block[] {
  const texts = entries.map(([label, value]) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.fieldChars) }));
  return groupBy(texts, 10).map((group) => ({ type: 'section', fields: group }));
}

/** Slack renders `<!date^…>` in each reader's own time zone; the fallback is UTC. */
export function slackDate(epochMs: number, format = '{date_short_pretty} at {time}'): string {
  const fallback = new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!date^${Math.floor(epochMs / 1000)}^${format}|${fallback}>`;
}

/** A user mention. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** Bulleted mrkdwn list of plain strings. */
export function bullets(items: readonly string[]): string {
  return items.map((item) => `• ${escapeMrkdwn(item)}`).join('\n');
}

/**
 * A bot message as Slack messages: Markdown converted to mrkdwn and split into
 * sections of at most 3,000 characters, at most 50 blocks per message.
 */
export function renderText(message: OutboundMessage): SlackMessage[] {
  const body = markdownToMrkdwn(message.text);
  if (body === '') return [];
  const text = message.kind === 'error' ? `:warning: ${body}` : body;
  const chunks = splitMrkdwn(text, SLACK_LIMITS.sectionChars);
  // Notices (hand-off, expiry) are status lines, so they read as context, not as an answer.
  const toBlock = message.kind === 'notice' ? context : section;
  return groupBy(chunks, SLACK_LIMITS.blocksPerMessage).map((group) => ({
    text: truncate(group.join('\n'), FALLBACK_CHARS),
    blocks: group.map(toBlock),
  }));
}

/** A `/support` reply as ephemeral Block Kit. */
export function renderCommandReply(reply: CommandReply): SlackMessage {
  const blocks: Block[] = [header(`${reply.ok ? '' : '⚠️ '}${reply.title}`)];
  for (const s of reply.sections) {
    const body = markdownToMrkdwn(s.lines.join('\n'));
    const chunks = splitMrkdwn(`*${escapeMrkdwn(s.title)}*\n${body === '' ? '_none_' : body}`, SLACK_LIMITS.sectionChars);
    blocks.push(...chunks.map(section));
  }
  if (reply.sections.length === 0 && reply.text.trim() !== '') {
    blocks.push(...splitMrkdwn(markdownToMrkdwn(reply.text), SLACK_LIMITS.sectionChars).map(section));
  }
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    blocks.length = SLACK_LIMITS.blocksPerMessage - 1;
    blocks.push(context('_Reply shortened to fit in Slack._'));
  }
  return { text: truncate(reply.text || reply.title, FALLBACK_CHARS), blocks };
}

/** An operational alert for the on-call channel. */
export function renderAlert(alert: Alert): SlackMessage {
  const title = alert.kind === 'budget' ? 'Budget alert' : alert.kind === 'feedback' ? 'Feedback' : 'Health alert';
  const chunks = splitMrkdwn(markdownToMrkdwn(alert.text), SLACK_LIMITS.sectionChars).slice(0, SLACK_LIMITS.blocksPerMessage - 1);
  return { text: truncate(`${title}: ${alert.text}`, FALLBACK_CHARS), blocks: [header(`:warning: ${title}`), ...chunks.map(section)] };
}

/** A short ephemeral note, e.g. why a click was refused. */
export function renderNote(markdown: string): SlackMessage {
  const text = markdownToMrkdwn(markdown);
  return { text: truncate(text, FALLBACK_CHARS), blocks: splitMrkdwn(text || ' ', SLACK_LIMITS.sectionChars).slice(0, 5).map(section) };
}
