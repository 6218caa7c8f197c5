import type { ConversationRef } from '../ports';

/**
 * A link that opens the conversation's thread in its platform, when one can
 * be built from ids alone: Discord threads and DMs always; Slack threads via
 * the web client. Console and test conversations have none.
 */
export function threadLink(conversation: ConversationRef): string | undefined {
  const { platform, workspaceId, channelId, threadId } = conversation;
  if (platform === 'discord') return `https://discord.com/channels/${encodeURIComponent(workspaceId)}/${encodeURIComponent(threadId)}`;
  if (platform === 'slack') {
    const thread = threadId === channelId ? '' : `/thread/${encodeURIComponent(channelId)}-${encodeURIComponent(threadId)}`;
    return `https://app.slack.com/client/${encodeURIComponent(workspaceId)}/${encodeURIComponent(channelId)}${thread}`;
  }
  return undefined;
}
