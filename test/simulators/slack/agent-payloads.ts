import type { SlackPayloads } from './payloads';
import type { SlackSimulator } from './web-api';

type Json = Record<string, unknown>;

/**
 * Bodies Slack sends for the agent/assistant surface and modals, shaped after
 * Slack's event and `view_submission` references.
 */
export class AgentPayloads {
  constructor(
    private readonly sim: SlackSimulator,
    private readonly payloads: SlackPayloads,
  ) {}

  /** The user opened the app's assistant/agent view: a new DM thread. */
  assistantThreadStarted(input: { user: string; channel: string; threadTs: string; contextChannel?: string }): Json {
    return this.payloads.envelope({
      type: 'assistant_thread_started',
      assistant_thread: {
        user_id: input.user,
        context: input.contextChannel ? { channel_id: input.contextChannel, team_id: this.sim.teamId, enterprise_id: null } : {},
        channel_id: input.channel,
        thread_ts: input.threadTs,
      },
      event_ts: this.sim.workspace.nextTs(),
    });
  }

  /** The user switched the channel beside the assistant thread. */
  assistantContextChanged(input: { user: string; channel: string; threadTs: string; contextChannel: string }): Json {
    return this.payloads.envelope({
      type: 'assistant_thread_context_changed',
      assistant_thread: { user_id: input.user, context: { channel_id: input.contextChannel, team_id: this.sim.teamId }, channel_id: input.channel, thread_ts: input.threadTs },
      event_ts: this.sim.workspace.nextTs(),
    });
  }

  /** Slack's own stop button in the agent view. */
  agentSessionStopped(input: { user: string; channel: string; threadTs: string; streamingTs?: string[] }): Json {
    return this.payloads.envelope({
      type: 'agent_session_stopped',
      channel: input.channel,
      user: input.user,
      thread_ts: input.threadTs,
      streaming_message_ts: input.streamingTs ?? [],
      event_ts: this.sim.workspace.nextTs(),
    });
  }

  /** A modal opened with `views.open` is submitted with these values (block id → text). */
  viewSubmission(input: { user: string; view: Json; values: Record<string, string> }): Json {
    const user = this.sim.workspace.users.get(input.user);
    const values: Record<string, Record<string, Json>> = {};
    for (const [blockId, value] of Object.entries(input.values)) values[blockId] = { value: { type: 'plain_text_input', value } };
    return {
      type: 'view_submission',
      team: { id: this.sim.teamId, domain: this.sim.teamDomain },
      user: { id: input.user, username: user?.name ?? input.user, name: user?.name ?? input.user, team_id: user?.team_id ?? this.sim.teamId },
      api_app_id: this.sim.appId,
      token: this.payloads.verificationToken,
      trigger_id: `${Date.now()}.sub`,
      view: { id: 'V0SUB', team_id: this.sim.teamId, app_id: this.sim.appId, bot_id: this.sim.botId, ...input.view, state: { values }, hash: 'h1' },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }
}
