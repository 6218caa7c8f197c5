import { ChannelType, type Channel as DiscordChannelObject } from 'discord.js';
import type { ConversationRef } from '../../src/index';

/** `workspaceId` of conversations held in direct messages, as in Discord's own links. */
export const DM_WORKSPACE = '@me';

/** A Discord thread is one conversation: guild, parent channel, thread. */
export function threadConversation(guildId: string, parentId: string, threadId: string): ConversationRef {
  return { platform: 'discord', workspaceId: guildId, channelId: parentId, threadId };
}

/** A DM channel is one conversation of its own. */
export function dmConversation(channelId: string): ConversationRef {
  return { platform: 'discord', workspaceId: DM_WORKSPACE, channelId, threadId: channelId };
}

/** The conversation a channel stands for: a thread or a DM; undefined for plain channels. */
export function conversationOfChannel(channel: DiscordChannelObject | null | undefined): ConversationRef | undefined {
  if (!channel) return undefined;
  if (channel.type === ChannelType.DM) return dmConversation(channel.id);
  if (channel.isThread() && channel.parentId !== null) return threadConversation(channel.guildId, channel.parentId, channel.id);
  return undefined;
}
