import type { App } from '@slack/bolt';
import { z } from 'zod';
import { SLACK_PLATFORM, botMention, conversationOf, isDirectMessage, messageIdOf, type BotMention } from './conversation';
import { CLEANUP_DELAY_MS } from './background-work';
import type { HandlerDeps } from './handler-deps';
import { errorFields } from './slack-api';

// Subtypes that are still a person writing to us; everything else (edits,
// deletions, joins, bot_message, …) is ignored.
const USER_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

const userMessageSchema = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  bot_id: z.string().optional(),
  bot_profile: z.unknown().optional(),
  hidden: z.boolean().optional(),
  edited: z.unknown().optional(),
  team: z.string().optional(),
  user_team: z.string().optional(),
});

type UserMessage = z.infer<typeof userMessageSchema>;

/**
 * Mentions, follow-ups in active threads, DMs, and in channels set to
 * `respond: all` every question (see {@link isQuestion}) become engine turns.
 */
export function registerEventHandlers(app: App, deps: HandlerDeps): void {
  const mention = botMention(deps.identity.userId);
  app.event('app_mention', async ({ event }) => {
    const m = userMessageSchema.safeParse(event);
    if (!m.success || !isPersonWriting(m.data, deps)) return;
    // An edit that adds a mention is still an edit; DMs are answered from message.im.
    if (m.data.edited !== undefined || isDirectMessage(m.data.channel, m.data.channel_type)) return;
    const message = m.data;
    deps.work.run('app_mention', () => deliver(deps, mention, message, false, false, true));
  });

  app.event('message', async ({ event }) => {
    const m = userMessageSchema.safeParse(event);
    if (!m.success || !isPersonWriting(m.data, deps)) return;
    const message = m.data;
    const dm = isDirectMessage(message.channel, message.channel_type);
    if (!dm) {
      // Slack also sends app_mention for this post; that event answers it (same message id either way).
      if (mention.foundIn(message.text)) return;
      if (message.thread_ts === undefined) {
        // Top-level channel chatter is not for us, unless the channel asks for every question.
        if (!deps.respondsToAll?.(message.channel) || !isQuestion(message)) return;
        deps.work.run('message', () => deliver(deps, mention, message, false, false, true));
        return;
      }
    }
    // A thread reply without a mention: the engine decides, in arrival order, whether the thread is ours.
    deps.work.run('message', () => deliver(deps, mention, message, dm, !dm));
  });
}

/**
 * A question in a `respond: all` channel: a person's new top-level message
 * with text (isPersonWriting already left out bots, edits, joins and other
 * subtypes), not one addressed to someone else (it starts with their mention).
 */
function isQuestion(message: UserMessage): boolean {
  if (message.edited !== undefined) return false;
  const text = (message.text ?? '').trim();
  // <@U…> a person, <!subteam^S…> a user group, <!here> and friends: people are being asked, not the bot.
  return text !== '' && !/^<(@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+|!here|!channel|!everyone)[|>]/.test(text);
}

function isPersonWriting(message: UserMessage, deps: HandlerDeps): message is UserMessage & { user: string } {
  if (message.subtype !== undefined && !USER_SUBTYPES.has(message.subtype)) return false;
  if (message.hidden || message.bot_id !== undefined || message.bot_profile !== undefined) return false;
  return message.user !== undefined && message.user !== deps.identity.userId;
}

/**
 * Hand a message to the engine before any await, so it joins its thread's
 * queue in arrival order; the sender's role is looked up inside the turn.
 */
async function deliver(deps: HandlerDeps, mention: BotMention, message: UserMessage & { user: string }, dm: boolean, followUp = false, react = false): Promise<void> {
  const conversation = conversationOf({ teamId: deps.identity.teamId, channel: message.channel, ts: message.ts, threadTs: message.thread_ts, dm });
  const team = message.user_team ?? message.team;
  const thread = deps.channel.threads.of(conversation);
  const text = mention.strip(message.text ?? '');
  // Kept in order: the engine has the message before the first await.
  const turn = deps.engine.handleMessage({
    conversation,
    caller: { userId: message.user, platform: SLACK_PLATFORM, ...(team !== undefined ? { teamId: team } : {}) },
    text,
    messageId: messageIdOf(message.channel, message.ts),
    ...(followUp ? { followUp } : {}),
    ...(thread?.contextChannelId !== undefined ? { context: { channelId: thread.contextChannelId } } : {}),
  });
  // 👀 on a mention says "seen" at once; it goes when the turn is done. Sent once the events already
  // received have been taken in (setImmediate): when mentions arrive together, their model requests go
  // first and the reactions follow a few ms later, instead of every reaction delaying the answers.
  const eyes = react ? new Promise<boolean>((resolve) => setImmediate(() => resolve(reaction(deps, 'add', message)))) : Promise.resolve(false);
  if (thread && !thread.titled && text !== '') {
    thread.titled = true;
    void deps.api.setAssistantTitle({ channel_id: thread.channel, thread_ts: thread.threadTs, title: titleOf(text) }).catch((error: unknown) => {
      deps.logger.debug({ channel: thread.channel, ...errorFields(error) }, 'slack assistant title not set');
    });
  }
  try {
    await turn;
  } catch (error) {
    // The engine reports its own failures in the thread; this is the last line of defence.
    deps.logger.error({ channel: message.channel, ...errorFields(error) }, 'slack turn failed');
    try {
      await deps.channel.postMessage(conversation, { kind: 'error', text: 'Sorry, something went wrong on my side. Please try again in a moment.' });
    } catch (postError) {
      deps.logger.error({ channel: message.channel, ...errorFields(postError) }, 'slack error notice not delivered');
    }
  } finally {
    // Cosmetic, so it waits a moment: mentions arriving as this answer ends get their first words out first.
    if (await eyes) deps.work.later('slack reaction removal', CLEANUP_DELAY_MS, async () => void (await reaction(deps, 'remove', message)));
  }
}

/** Add or remove 👀 on a message; cosmetic, so a failure is only logged. Resolves whether it worked. */
async function reaction(deps: HandlerDeps, action: 'add' | 'remove', message: UserMessage): Promise<boolean> {
  try {
    await deps.api.reaction(action, { channel: message.channel, timestamp: message.ts, name: 'eyes' });
    return true;
  } catch (error) {
    deps.logger.debug({ channel: message.channel, ...errorFields(error) }, `slack reaction ${action} failed`);
    return false;
  }
}

/** A thread title from the first question: one line, at most 60 characters. */
function titleOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= 60 ? line : `${line.slice(0, 59)}…`;
}
