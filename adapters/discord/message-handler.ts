import type { Message } from 'discord.js';
import { describeError } from '../../src/index';
import type { Caller, ConversationRef, Engine, Logger, Sender } from '../../src/index';
import { jumpLink } from './components';
import { truncate } from '../../src/index';
import { dmConversation, threadConversation } from './conversations';
import { toPlatformError, type DiscordChannel } from './discord-channel';
import { discordCaller, type DiscordRoleResolver } from './discord-roles';

export interface MessageHandlerOptions {
  engine: Engine;
  roles: DiscordRoleResolver;
  channel: DiscordChannel;
  /** Channels where a mention opens a support thread. */
  supportChannelIds: ReadonlySet<string>;
  /** Support channels where every question opens a thread, mention or not (`respond: all`). */
  respondsToAll?: (channelId: string) => boolean;
  /**
   * Whether the bot has the Message Content intent (default true). Without it Discord blanks the
   * text of guild messages that do not mention the bot, so those are skipped, not answered empty.
   */
  readsContent?: boolean;
  logger: Logger;
}

/** Discord allows thread names up to 100 characters. */
const THREAD_NAME_LIMIT = 100;

/**
 * Decide whether a Discord message is for the bot, and hand it to the engine:
 * - a mention in a support channel opens a thread from that message, which becomes the session;
 * - messages in a thread the engine is already part of need no mention;
 * - a mention inside a support channel's existing thread starts serving that thread;
 * - in a support channel set to `respond: all`, every question (see {@link isQuestion}) opens a thread too;
 * - DMs are always served, each DM channel its own session.
 * Bots (including ourselves), webhooks and system messages (joins, pins, thread notices) are ignored.
 */
export function createMessageHandler(options: MessageHandlerOptions): (message: Message) => Promise<void> {
  const { engine, roles, supportChannelIds, logger } = options;

  const deliver = async (message: Message, conversation: ConversationRef, caller: Caller | Sender, text: string, followUp = false) => {
    try {
      // The engine de-duplicates on messageId, so gateway replays after a resume are harmless.
      await engine.handleMessage({ conversation, caller, text, messageId: message.id, permalink: jumpLink(conversation), ...(followUp ? { followUp } : {}) });
    } catch (error) {
      logger.error({ messageId: message.id, threadId: conversation.threadId, error: describeError(error) }, 'engine failed on a discord message');
      await options.channel
        .postMessage(conversation, { text: 'Sorry, something went wrong on my side. Please try again in a moment.', kind: 'error' })
        .catch((postError: unknown) => logger.warn({ error: describeError(postError) }, 'could not post the error notice'));
    }
  };

  return async (message) => {
    if (message.author.bot || message.system || message.webhookId !== null) return;
    const botId = message.client.user.id;
    const text = stripBotMention(message.content, botId);

    if (!message.inGuild()) {
      // The role needs a lookup: the engine asks for it in the message's turn, so arrival order holds.
      const sender: Sender = { userId: message.author.id, platform: 'discord', displayName: message.author.globalName ?? message.author.username };
      await deliver(message, dmConversation(message.channelId), sender, text);
      return;
    }

    const mentioned = message.mentions.users.has(botId);
    // Text blanked by Discord (no Message Content intent): nothing to answer.
    if (!mentioned && options.readsContent === false && text === '') return;
    const channel = message.channel;
    let conversation: ConversationRef;
    let followUp = false;
    if (channel.isThread()) {
      if (channel.parentId === null) return;
      conversation = threadConversation(message.guildId, channel.parentId, channel.id);
      // Not called here: the engine decides in arrival order whether the thread is one it serves.
      followUp = !(mentioned && supportChannelIds.has(channel.parentId));
    } else {
      if (!supportChannelIds.has(channel.id)) return;
      if (!mentioned && !(options.respondsToAll?.(channel.id) && isQuestion(message, text, botId))) return;
      try {
        const thread = await message.startThread({ name: threadName(text, message.member?.displayName ?? message.author.username) });
        conversation = threadConversation(message.guildId, channel.id, thread.id);
      } catch (error) {
        // Usually a missing Create Public Threads permission: say so in the logs, where an operator can fix it.
        const failure = toPlatformError('start a thread', error);
        logger.error({ channelId: channel.id, messageId: message.id, code: failure.code, error: failure.message }, 'could not open a discord support thread');
        return;
      }
    }
    const grant = roles.fromGuildMember(message.member);
    await deliver(message, conversation, discordCaller(message.author, grant, message.member), text, followUp);
  };
}

/**
 * A question in a `respond: all` channel: a person's new top-level message with
 * text, not addressed to someone else (starting with their or a role's mention,
 * @here/@everyone) and not a reply to another person's message.
 */
export function isQuestion(message: Message, text: string, botId: string): boolean {
  if (text === '' || /^(<@[!&]?\d+>|@here|@everyone)/.test(text)) return false;
  const repliedTo = message.mentions.repliedUser;
  return message.reference === null || repliedTo === null || repliedTo.id === botId;
}

/** Message text without the bot's mention (`<@id>` or the legacy `<@!id>`). */
export function stripBotMention(content: string, botId: string): string {
  // Only the mention and one following space go: spacing elsewhere (code, lists) matters.
  return content.replace(new RegExp(`<@!?${botId}>[ \\t]?`, 'g'), '').trim();
}

/** A readable thread name from the question, or the asker's name when there is no text. */
export function threadName(text: string, askerName: string): string {
  const firstLine = text
    .split('\n')[0]!
    // Mentions render as raw ids in thread names.
    .replace(/<[@#][!&]?\d+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const name = firstLine === '' ? `Support for ${askerName}` : firstLine;
  return truncate(name, THREAD_NAME_LIMIT);
}
