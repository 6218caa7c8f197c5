import { randomUUID } from 'node:crypto';
import type { SimMessage } from './state';
import type { SlackSimulator } from './web-api';

type Json = Record<string, unknown>;

/**
 * Realistic Slack request bodies (shapes from Slack's Events API,
 * block_actions and slash-command references) for the simulated workspace.
 */
export class SlackPayloads {
  private eventSeq = 0;
  /** The legacy verification token Slack still includes; Bolt ignores it. */
  readonly verificationToken = 'Jhj5dZrVaK7ZwHHjRyZWjbDl';

  constructor(private readonly sim: SlackSimulator) {}

  /** Wrap an inner event in the `event_callback` envelope. */
  envelope(event: Json, options: { eventId?: string; teamId?: string } = {}): Json {
    this.eventSeq += 1;
    return {
      token: this.verificationToken,
      team_id: options.teamId ?? this.sim.teamId,
      context_team_id: options.teamId ?? this.sim.teamId,
      context_enterprise_id: null,
      api_app_id: this.sim.appId,
      event,
      type: 'event_callback',
      event_id: options.eventId ?? `Ev0${String(this.eventSeq).padStart(8, '0')}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: this.sim.teamId, user_id: this.sim.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${Buffer.from(JSON.stringify({ c: event.channel, t: this.sim.teamId })).toString('base64url')}`,
    };
  }

  /** The inner event Slack sends for a user's post. */
  private postEvent(type: 'message' | 'app_mention', m: SimMessage, extra: Json = {}): Json {
    const user = m.user ?? 'U0NOBODY';
    return {
      client_msg_id: randomUUID(),
      type,
      text: m.text,
      user,
      ts: m.ts,
      blocks: [{ type: 'rich_text', block_id: 'x1Yz', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: m.text }] }] }],
      team: this.sim.workspace.users.get(user)?.team_id ?? this.sim.teamId,
      ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: this.sim.botUserId } : {}),
      channel: m.channel,
      event_ts: m.ts,
      ...extra,
    };
  }

  /** `app_mention` envelope for a posted message. */
  appMention(m: SimMessage): Json {
    return this.envelope(this.postEvent('app_mention', m));
  }

  /** `message` envelope (message.channels / .groups / .im) for a posted message. */
  message(m: SimMessage): Json {
    return this.envelope(this.postEvent('message', m, { channel_type: this.channelType(m.channel) }));
  }

  /** A user edited a message (`message_changed`). */
  messageChanged(m: SimMessage, newText: string): Json {
    const edited = { ...this.postEvent('message', m), text: newText, edited: { user: m.user, ts: this.sim.workspace.nextTs() } };
    const ts = this.sim.workspace.nextTs();
    return this.envelope({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      message: edited,
      channel: m.channel,
      previous_message: this.postEvent('message', m),
      event_ts: ts,
      ts,
      channel_type: this.channelType(m.channel),
    });
  }

  /** A user deleted a message (`message_deleted`). */
  messageDeleted(m: SimMessage): Json {
    const ts = this.sim.workspace.nextTs();
    return this.envelope({
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      deleted_ts: m.ts,
      channel: m.channel,
      previous_message: this.postEvent('message', m),
      event_ts: ts,
      ts,
      channel_type: this.channelType(m.channel),
    });
  }

  /** A legacy integration's post (`bot_message`). */
  botMessage(channel: string, text: string, threadTs?: string): Json {
    const ts = this.sim.workspace.nextTs();
    return this.envelope({
      type: 'message',
      subtype: 'bot_message',
      text,
      ts,
      username: 'Deploy Bot',
      bot_id: 'B0DEPLOY',
      channel,
      event_ts: ts,
      channel_type: this.channelType(channel),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  }

  /** Another app's bot user posting like a person (has `user`, plus `bot_id` and `bot_profile`). */
  appBotMessage(m: SimMessage): Json {
    return this.envelope(
      this.postEvent('message', m, {
        channel_type: this.channelType(m.channel),
        bot_id: 'B0OTHERAPP',
        app_id: 'A0OTHERAPP',
        bot_profile: { id: 'B0OTHERAPP', name: 'Other App', app_id: 'A0OTHERAPP', team_id: this.sim.teamId, deleted: false },
      }),
    );
  }

  /**
   * A button click on a message the bot posted. `block_id`, `value` and the
   * button text come from the message itself, as Slack takes them.
   */
  blockAction(input: { user: string; message: SimMessage; actionId: string; responseUrl: string; userTeamId?: string; feedback?: 'positive' | 'negative' }): Json {
    const { message } = input;
    const button = findButton(message.blocks ?? [], input.actionId, input.feedback);
    if (!button) throw new Error(`No button ${input.actionId} on message ${message.ts}`);
    const user = this.sim.workspace.users.get(input.user);
    return {
      type: 'block_actions',
      user: { id: input.user, username: user?.name ?? input.user, name: user?.name ?? input.user, team_id: input.userTeamId ?? user?.team_id ?? this.sim.teamId },
      api_app_id: this.sim.appId,
      token: this.verificationToken,
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
      team: { id: this.sim.teamId, domain: this.sim.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: this.sim.workspace.channels.get(message.channel)?.name ?? 'unknown' },
      message: {
        type: 'message',
        user: this.sim.botUserId,
        ts: message.ts,
        bot_id: this.sim.botId,
        app_id: this.sim.appId,
        text: message.text,
        team: this.sim.teamId,
        blocks: message.blocks,
        ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
      },
      state: { values: {} },
      response_url: input.responseUrl,
      actions: [{ ...button.element, block_id: button.blockId, action_ts: `${Date.now() / 1000}` }],
    };
  }

  /** The form fields of a slash command. */
  slashCommand(input: { user: string; channel: string; text: string; responseUrl: string; command?: string }): Record<string, string> {
    const channel = this.sim.workspace.channels.get(input.channel);
    return {
      token: this.verificationToken,
      team_id: this.sim.teamId,
      team_domain: this.sim.teamDomain,
      channel_id: input.channel,
      channel_name: channel?.type === 'im' ? 'directmessage' : (channel?.name ?? 'unknown'),
      user_id: input.user,
      user_name: this.sim.workspace.users.get(input.user)?.name ?? input.user,
      command: input.command ?? '/support',
      text: input.text,
      api_app_id: this.sim.appId,
      is_enterprise_install: 'false',
      response_url: input.responseUrl,
      trigger_id: `${Date.now()}.${randomUUID().slice(0, 8)}`,
    };
  }

  private channelType(channel: string): string {
    return this.sim.workspace.channels.get(channel)?.type ?? 'channel';
  }
}

function findButton(blocks: unknown[], actionId: string, feedback?: 'positive' | 'negative'): { blockId: string; element: Json } | undefined {
  for (const block of blocks as Json[]) {
    if (block.type === 'context_actions' && Array.isArray(block.elements)) {
      // A feedback_buttons click carries the element's type and action id with the clicked side's value.
      const element = (block.elements as Json[]).find((e) => e.action_id === actionId && e.type === 'feedback_buttons');
      const side = element?.[`${feedback ?? 'positive'}_button`] as Json | undefined;
      if (element && side) return { blockId: String(block.block_id ?? 'b'), element: { type: 'feedback_buttons', action_id: actionId, value: side.value } };
    }
    if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
    const element = (block.elements as Json[]).find((e) => e.action_id === actionId);
    if (element) return { blockId: String(block.block_id ?? 'b'), element };
  }
  return undefined;
}
