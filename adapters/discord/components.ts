import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import type { ApprovalStatus, ApprovalView, ConversationRef, EscalationView, Urgency } from '../../src/index';
import { customIdFor } from './custom-ids';
import { truncate } from '../../src/index';
import { field, fieldValue, fitEmbed } from './embed-limits';

/** A message body in Discord's REST shape (create or edit). */
export interface DiscordMessageBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
  /** Bots should not ping people by accident: model output may contain `@everyone`. */
  allowed_mentions: { parse: [] };
}

const NO_PINGS = { parse: [] } as { parse: [] };

const COLORS = { pending: 0xf0b232, approved: 0x23a55a, denied: 0xda373c, expired: 0x80848e, info: 0x5865f2 } as const;
const URGENCY_COLORS: Record<Urgency, number> = { low: 0x80848e, normal: 0x5865f2, high: 0xf0b232, urgent: 0xda373c };
const APPROVAL_TITLES: Record<ApprovalStatus, string> = {
  pending: 'Approval needed',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired: nothing was done',
};

/** Link that opens the conversation in Discord (`@me` for DMs). */
export function jumpLink(conversation: ConversationRef): string {
  return `https://discord.com/channels/${conversation.workspaceId}/${conversation.threadId}`;
}

/** Discord's relative timestamp markup (`in 15 minutes`), rendered in each reader's locale. */
export function relativeTime(epochMs: number): string {
  return `<t:${Math.floor(epochMs / 1000)}:R>`;
}

function mention(user: { userId: string; displayName: string }): string {
  return `<@${user.userId}> (${user.displayName})`;
}

/** Approval card: what will happen, arguments, requester, who decides, expiry; buttons while pending. */
export function approvalMessage(view: ApprovalView): DiscordMessageBody {
  const fields: APIEmbedField[] = [
    field('Tool', `\`${view.toolName}\``, true),
    field('Requested by', mention(view.requester), true),
    field('Who can decide', view.decidersText, true),
    field('Arguments', codeBlock(JSON.stringify(view.args, null, 2))),
  ];
  if (view.status === 'pending') fields.push(field('Expires', relativeTime(view.expiresAt), true));
  if (view.decidedBy) {
    const when = view.decidedAt === undefined ? '' : ` ${relativeTime(view.decidedAt)}`;
    fields.push(field(view.status === 'denied' ? 'Denied by' : 'Decided by', `${mention(view.decidedBy)}${when}`, true));
  }
  const embed = fitEmbed({
    title: APPROVAL_TITLES[view.status],
    description: view.action,
    color: COLORS[view.status],
    fields,
    footer: { text: `Approval ${view.id}` },
  });
  return {
    embeds: [embed],
    components: view.status === 'pending' ? [approvalButtons(view.id)] : [],
    allowed_mentions: NO_PINGS,
  };
}

/** Approve / Edit and approve / Deny buttons; their ids carry only the approval id. */
function approvalButtons(approvalId: string): APIActionRowComponent<APIButtonComponent> {
  return row(
    button(customIdFor({ kind: 'approval', decision: 'approve', approvalId }), 'Approve', ButtonStyle.Success),
    button(customIdFor({ kind: 'edit_approval', approvalId }), 'Edit and approve', ButtonStyle.Primary),
    button(customIdFor({ kind: 'approval', decision: 'deny', approvalId }), 'Deny', ButtonStyle.Danger),
  );
}

/** The Stop button shown on a reply while it is being written. */
export function stopButtonRow(threadId: string): APIActionRowComponent<APIButtonComponent> {
  return row(button(customIdFor({ kind: 'stop', threadId }), 'Stop', ButtonStyle.Secondary));
}

/** On-call notice: summary, customer, urgency, jump link; Claim while open, Hand back until closed. */
export function oncallMessage(view: EscalationView): DiscordMessageBody {
  const link = jumpLink(view.conversation);
  const place = view.conversation.workspaceId === '@me' ? 'Direct message with the bot' : 'Jump to the thread';
  const fields: APIEmbedField[] = [
    field('Customer', `${mention(view.customer)} · ${view.customer.role}`, true),
    field('Urgency', view.urgency, true),
    field('Trigger', `\`${view.trigger}\``, true),
    field('Conversation', `[${place}](${link})`),
  ];
  if (view.reason.trim() !== '') fields.push(field('Reason', view.reason));
  if (view.stepsTaken.length > 0) fields.push(field('Steps taken', fieldValue(view.stepsTaken.map((s) => `• ${s}`))));
  if (view.pending.length > 0) fields.push(field('Waiting', fieldValue(view.pending.map((s) => `• ${s}`))));
  fields.push(field('Status', statusLine(view)));
  const reminder = view.notifications > 1 ? ` (reminder ${view.notifications - 1})` : '';
  const embed = fitEmbed({
    title: `Escalation · ${view.urgency}${reminder}`,
    url: link,
    description: view.summary,
    color: view.status === 'open' ? URGENCY_COLORS[view.urgency] : COLORS.expired,
    fields,
    footer: { text: `Escalation ${view.id}` },
    timestamp: new Date(view.createdAt).toISOString(),
  });
  // Hand back is offered before a claim too: staff may decide the bot can carry on without a human.
  const handBack = button(customIdFor({ kind: 'handback', threadId: view.conversation.threadId }), 'Hand back to the bot', ButtonStyle.Secondary);
  const components =
    view.status === 'open'
      ? [row(button(customIdFor({ kind: 'claim', escalationId: view.id }), 'Claim', ButtonStyle.Primary), handBack)]
      : view.status === 'claimed'
        ? [row(handBack)]
        : [];
  return {
    // Plain text too, so push notifications say more than "sent an embed".
    content: truncate(`${headline(view)}: ${firstLine(view.summary)}`, 2000),
    embeds: [embed],
    components,
    allowed_mentions: NO_PINGS,
  };
}

function statusLine(view: EscalationView): string {
  if (view.status === 'claimed') return view.claimedBy ? `Claimed by ${mention(view.claimedBy)}` : 'Claimed';
  if (view.status === 'closed') return 'Closed: handed back to the bot';
  return 'Open: waiting for someone to claim it';
}

function headline(view: EscalationView): string {
  if (view.status === 'claimed') return `Escalation claimed by ${view.claimedBy?.displayName ?? 'staff'}`;
  if (view.status === 'closed') return 'Escalation closed';
  return `Escalation (${view.urgency})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

function codeBlock(text: string): string {
  // Leave room for the fences; a cut argument list is still readable JSON-ish.
  return `\`\`\`json\n${truncate(text.replace(/```/g, '`\u200b``'), 1024 - 12)}\n\`\`\``;
}

function row(...components: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent> {
  return { type: ComponentType.ActionRow, components };
}

function button(customId: string, label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger): APIButtonComponent {
  return { type: ComponentType.Button, custom_id: customId, label, style };
}

/** A plain text message body (no pings). */
export function textMessage(content: string): DiscordMessageBody {
  return { content, allowed_mentions: NO_PINGS };
}
