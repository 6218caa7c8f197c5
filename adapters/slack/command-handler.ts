import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { CommandName, ConversationRef } from '../../src/index';
import { SLACK_COMMAND } from './app-requirements';
import { type SlackMessage, renderCommandReply, renderNote } from './blocks';
import { SLACK_PLATFORM, isDirectMessage, threadFromLink } from './conversation';
import type { HandlerDeps } from './handler-deps';
import { errorFields } from './slack-api';

const COMMANDS: readonly CommandName[] = ['status', 'cost', 'help', 'handback', 'stop', 'forget'];

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string(),
  team_id: z.string().optional(),
  channel_id: z.string(),
  channel_name: z.string().optional(),
});

/**
 * Slack delivers slash commands without the thread they were typed near
 * (apps' commands cannot be used in threads), so hand-back names the thread
 * by link, or happens in a DM, or from the button on the on-call notice.
 */
export const HANDBACK_USAGE =
  'Slack does not send slash commands from inside threads, so name the thread: ' +
  '`/support handback <link to a message in the thread>` (message menu → *Copy link*), ' +
  'or use *Hand back to bot* on the on-call notice. In a DM with the bot, `/support handback` works as is.';

/** Split `/support` text into a command and its arguments; unknown or empty means `help`. */
export function parseSupportCommand(text: string): { name: CommandName; args: string[] } {
  const [first, ...args] = text.trim().split(/\s+/).filter((w) => w !== '');
  const name = COMMANDS.find((c) => c === first?.toLowerCase());
  return name === undefined ? { name: 'help', args: first === undefined ? [] : [first, ...args] } : { name, args };
}

/** `/support status|cost [all]|help|handback [link]`, acknowledged at once and answered ephemerally. */
export function registerCommandHandler(app: App, deps: HandlerDeps): void {
  app.command(SLACK_COMMAND, async ({ ack, body, respond }) => {
    await ack();
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({}, 'slack command payload not understood; ignored');
      return;
    }
    const command = parsed.data;
    deps.work.run('command', async () => {
      try {
        await runCommand(deps, command, respond);
      } catch (error) {
        deps.logger.error({ ...errorFields(error) }, 'slack command failed');
        await reply(respond, renderNote('Sorry, that command failed on my side. Please try again in a moment.'));
      }
    });
  });
}

async function runCommand(deps: HandlerDeps, command: z.infer<typeof commandSchema>, respond: RespondFn): Promise<void> {
  const { name, args } = parseSupportCommand(command.text);
  let conversation: ConversationRef | undefined;
  if (name === 'handback' || name === 'stop') {
    conversation = threadConversation(deps, command, name === 'stop');
    if (!conversation) {
      await reply(respond, renderNote(name === 'stop' ? STOP_USAGE : HANDBACK_USAGE));
      return;
    }
  }
  const caller = await deps.roles.identify(command.user_id, command.team_id);
  const result = await deps.engine.command({ name, args, caller, workspaceId: command.team_id, ...(conversation ? { conversation } : {}) });
  await reply(respond, renderCommandReply(result));
}

/** `/support stop` names its thread like hand-back does (or is typed in a DM). */
export const STOP_USAGE =
  'Slack does not send slash commands from inside threads, so name the thread: ' +
  '`/support stop <link to a message in the thread>`, or press *Stop* on the answer being written. ' +
  'In a DM with the bot, `/support stop` works as is.';

function threadConversation(deps: HandlerDeps, command: z.infer<typeof commandSchema>, latestInDm: boolean): ConversationRef | undefined {
  const base = { platform: SLACK_PLATFORM, workspaceId: deps.identity.teamId };
  const link = threadFromLink(command.text);
  if (link) return { ...base, channelId: link.channel, threadId: link.threadTs };
  const dm = command.channel_name === 'directmessage' || isDirectMessage(command.channel_id);
  if (!dm) return undefined;
  // In a DM the answer being written may be in one of its threads (the agent view).
  const streaming = latestInDm ? deps.channel.threads.lastStreamedIn(command.channel_id) : undefined;
  return streaming ?? { ...base, channelId: command.channel_id, threadId: command.channel_id };
}

async function reply(respond: RespondFn, message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
}
