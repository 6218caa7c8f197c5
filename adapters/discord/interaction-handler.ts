import {
  GuildMember,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { describeError } from '../../src/index';
import type { Caller, CommandName, ConversationActionOutcome, ConversationRef, Engine, Logger } from '../../src/index';
import { commandReplyEmbed } from './command-embed';
import { jumpLink } from './components';
import { conversationOfChannel } from './conversations';
import { parseCustomId, type ButtonAction } from './custom-ids';
import { FEEDBACK_REASON_INPUT, feedbackReasonModal } from './feedback-controls';
import { discordCaller, type DiscordRoleResolver } from './discord-roles';
import { argsFromCard, coerceEdited, editApprovalModal, editableFields } from './edit-approval-modal';

export interface InteractionHandlerOptions {
  engine: Engine;
  roles: DiscordRoleResolver;
  logger: Logger;
}

/** The slash command registered from `manifest/discord-commands.json`. */
export const SUPPORT_COMMAND = 'support';
const COMMANDS: readonly CommandName[] = ['status', 'cost', 'help', 'handback', 'stop', 'forget'];
const SOMETHING_WENT_WRONG = 'Sorry, something went wrong on my side. Please try again in a moment.';

/**
 * `/support …` and button clicks. Discord voids an interaction that is not
 * acknowledged within 3 seconds, so every path defers first and only then
 * resolves roles or calls the engine; results follow as edits or follow-ups.
 */
export function createInteractionHandler(options: InteractionHandlerOptions): (interaction: Interaction) => Promise<void> {
  const { logger } = options;
  return async (interaction) => {
    try {
      if (interaction.isChatInputCommand()) await handleCommand(options, interaction);
      else if (interaction.isButton()) await handleButton(options, interaction);
      else if (interaction.isModalSubmit()) {
        if (parseCustomId(interaction.customId)?.kind === 'feedback_reason') await handleFeedbackSubmit(options, interaction);
        else await handleEditSubmit(options, interaction);
      }
    } catch (error) {
      logger.error({ interactionId: interaction.id, error: describeError(error) }, 'discord interaction failed');
      if (interaction.isRepliable()) await tell(interaction, SOMETHING_WENT_WRONG).catch(() => undefined);
    }
  };
}

async function handleCommand(options: InteractionHandlerOptions, interaction: ChatInputCommandInteraction): Promise<void> {
  const name = interaction.commandName === SUPPORT_COMMAND ? interaction.options.getSubcommand(false) : null;
  if (!COMMANDS.includes(name as CommandName)) {
    await interaction.reply({ content: 'I do not know that command. Try `/support help`.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const caller = await callerOf(options, interaction);
  const conversation = await conversationOf(interaction);
  // `forget` is scoped to the server it is typed in (or the DMs), also outside a support thread.
  const workspaceId = interaction.guildId ?? '@me';
  const reply = await options.engine.command({ name: name as CommandName, args: commandArgs(interaction), caller, conversation, workspaceId });
  await interaction.editReply({ embeds: [commandReplyEmbed(reply)], allowedMentions: { parse: [] } });
}

/**
 * `/support cost all:true` (or a string option `all`, as older registrations had) → `["all"]`;
 * `/support forget` → `["me"]`, `/support forget user:@someone` → their id (the engine lets only admins forget others).
 */
function commandArgs(interaction: ChatInputCommandInteraction): string[] {
  if (interaction.options.getSubcommand(false) === 'forget') {
    const user = interaction.options.get('user')?.value;
    return [typeof user === 'string' && user !== interaction.user.id ? user : 'me'];
  }
  const all = interaction.options.get('all')?.value;
  const wantsAll = all === true || (typeof all === 'string' && ['all', 'true', 'yes', '1'].includes(all.trim().toLowerCase()));
  return wantsAll ? ['all'] : [];
}

async function handleButton(options: InteractionHandlerOptions, interaction: ButtonInteraction): Promise<void> {
  const action = parseCustomId(interaction.customId);
  // A modal must be the first response, so this one is answered before anything slow.
  if (action?.kind === 'edit_approval') return showEditModal(options.engine, interaction, action.approvalId);
  if (action?.kind === 'feedback' && action.rating === 'down') return interaction.showModal(feedbackReasonModal(action.threadId));
  // Acknowledge first: the engine may take longer than Discord's 3 seconds.
  await interaction.deferUpdate();
  if (!action) {
    await tell(interaction, 'This button is no longer active.');
    return;
  }
  const caller = await callerOf(options, interaction);
  const { engine } = options;
  if (action.kind === 'approval') {
    // On success the engine re-renders the card itself (updateApproval); refusals change nothing.
    const outcome = await engine.decideApproval({ approvalId: action.approvalId, decision: action.decision, decider: caller });
    if (!outcome.ok) await tell(interaction, outcome.message);
    return;
  }
  if (action.kind === 'claim') {
    const outcome = await engine.claimEscalation({ escalationId: action.escalationId, caller });
    await tell(interaction, outcome.ok ? `It is yours. Jump in: ${jumpLink(outcome.view.conversation)}` : outcome.message);
    return;
  }
  const channel = await interaction.client.channels.fetch(action.threadId).catch(() => null);
  const conversation = conversationOfChannel(channel);
  if (!conversation) {
    await tell(interaction, 'That conversation no longer exists.');
    return;
  }
  if (action.kind === 'stop') {
    // On success the engine finishes the message ("Stopped.") and the button goes with it.
    const outcome = await engine.stopTurn({ conversation, caller });
    if (!outcome.ok) await tell(interaction, outcome.message);
    return;
  }
  if (action.kind === 'feedback' || action.kind === 'conversation') {
    const outcome = await conversationControl(engine, action, conversation, caller, interaction.message.id);
    // "Talk to a human" and "That solved it" answer in the thread themselves; feedback is acknowledged privately.
    if (!outcome.ok || action.kind === 'feedback') await tell(interaction, outcome.message);
    return;
  }
  if (action.kind !== 'handback') return;
  const outcome = await engine.handBack({ conversation, caller });
  await tell(interaction, outcome.message);
}

/** "Edit and approve": a modal pre-filled from the card; who may approve is checked on submit. */
async function showEditModal(engine: Engine, interaction: ButtonInteraction, approvalId: string): Promise<void> {
  const args = await editableArgs(engine, interaction.message, approvalId);
  if (!args) {
    await tell(interaction, 'This request can no longer be edited here: use Approve or Deny, or ask again.');
    return;
  }
  const fields = editableFields(args);
  if (fields.length === 0) {
    await tell(interaction, 'Nothing in this request can be edited here. Approve or deny it as it is.');
    return;
  }
  await interaction.showModal(editApprovalModal(approvalId, fields));
}

async function handleEditSubmit(options: InteractionHandlerOptions, interaction: ModalSubmitInteraction): Promise<void> {
  const action = parseCustomId(interaction.customId);
  if (interaction.isFromMessage()) await interaction.deferUpdate();
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const original = action?.kind === 'edit_approval' ? await editableArgs(options.engine, interaction.message, action.approvalId) : undefined;
  if (action?.kind !== 'edit_approval' || !original) {
    await tell(interaction, 'This form is no longer active. Nothing was changed.');
    return;
  }
  const typed = (key: string) => {
    try {
      return interaction.fields.getTextInputValue(key);
    } catch {
      return undefined; // a field the form did not have
    }
  };
  const args = coerceEdited(editableFields(original), typed, original);
  const caller = await callerOf(options, interaction);
  // On success the engine re-renders the card; invalid or not-allowed edits change nothing.
  const outcome = await options.engine.decideApproval({ approvalId: action.approvalId, decision: 'approve', decider: caller, args });
  if (!outcome.ok) await tell(interaction, outcome.message);
}

/**
 * The arguments an edit form starts from: the card's, or (a card cut short to fit
 * Discord's limits) the stored request's. Undefined once it is no longer pending.
 */
async function editableArgs(engine: Engine, card: Message | null, approvalId: string): Promise<Record<string, unknown> | undefined> {
  const shown = card ? argsFromCard(card.embeds.map((e) => e.toJSON())) : undefined;
  if (shown) return shown;
  const stored = await engine.approval(approvalId);
  return stored?.status === 'pending' ? stored.args : undefined;
}

/** 👍 (👎 goes through the modal), "Talk to a human" or "That solved it" on a final answer. */
function conversationControl(
  engine: Engine,
  action: Extract<ButtonAction, { kind: 'feedback' | 'conversation' }>,
  conversation: ConversationRef,
  caller: Caller,
  messageId: string,
): Promise<ConversationActionOutcome> {
  if (action.kind === 'feedback') {
    return engine.feedback({ conversation, caller, rating: action.rating, messageRef: { platform: 'discord', channelId: action.threadId, messageId } });
  }
  return action.action === 'human' ? engine.talkToHuman({ conversation, caller, permalink: jumpLink(conversation) }) : engine.resolveConversation({ conversation, caller });
}

/** The "What went wrong?" modal: a thumbs-down with the optional reason. */
async function handleFeedbackSubmit(options: InteractionHandlerOptions, interaction: ModalSubmitInteraction): Promise<void> {
  const action = parseCustomId(interaction.customId);
  if (interaction.isFromMessage()) await interaction.deferUpdate();
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  if (action?.kind !== 'feedback_reason') return;
  const channel = await interaction.client.channels.fetch(action.threadId).catch(() => null);
  const conversation = conversationOfChannel(channel);
  if (!conversation) {
    await tell(interaction, 'That conversation no longer exists.');
    return;
  }
  let reason = '';
  try {
    reason = interaction.fields.getTextInputValue(FEEDBACK_REASON_INPUT).trim();
  } catch {
    // Left empty: a thumbs-down without a reason.
  }
  const caller = await callerOf(options, interaction);
  const outcome = await options.engine.feedback({
    conversation,
    caller,
    rating: 'down',
    ...(reason ? { reason } : {}),
    ...(interaction.message ? { messageRef: { platform: 'discord', channelId: action.threadId, messageId: interaction.message.id } } : {}),
  });
  await tell(interaction, outcome.message);
}

async function callerOf(options: InteractionHandlerOptions, interaction: Interaction): Promise<Caller> {
  const grant = await options.roles.fromInteraction(interaction);
  const member = interaction.member;
  const displayName =
    member instanceof GuildMember ? member.displayName : (member?.nick ?? interaction.user.globalName ?? interaction.user.username);
  return discordCaller(interaction.user, grant, { displayName });
}

/** The conversation a command was typed in: its thread or DM; undefined in a plain channel. */
async function conversationOf(interaction: Interaction): Promise<ConversationRef | undefined> {
  if (interaction.channel) return conversationOfChannel(interaction.channel);
  if (interaction.channelId === null) return undefined;
  return conversationOfChannel(await interaction.client.channels.fetch(interaction.channelId).catch(() => null));
}

/** An ephemeral line for the clicker (or the deferred command reply). */
async function tell(interaction: RepliableInteraction, content: string): Promise<void> {
  // A deferred reply (command, or a form sent from outside a message) shows the line in place of "thinking…".
  const deferredReply = interaction.isChatInputCommand() || (interaction.isModalSubmit() && !interaction.isFromMessage());
  if (deferredReply && interaction.deferred) {
    await interaction.editReply({ content, embeds: [] });
  } else if (interaction.deferred || interaction.replied) {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }
}
