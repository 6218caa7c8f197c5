/**
 * What the Slack app must be granted for this adapter to work. The manifest
 * (`manifest/slack-app.yaml`) is checked against these in tests, and tests
 * check that every Web API method the adapter calls is listed here.
 */

/** The slash command. */
export const SLACK_COMMAND = '/support';

/** Path of the Events API, interactivity and slash-command endpoint. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Bot scopes per Web API method the adapter calls (empty: no scope needed). */
export const SLACK_METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  'usergroups.list': ['usergroups:read'],
  'chat.startStream': ['chat:write'],
  'chat.appendStream': ['chat:write'],
  'chat.stopStream': ['chat:write'],
  'assistant.threads.setStatus': ['assistant:write'],
  'assistant.threads.setSuggestedPrompts': ['assistant:write'],
  'assistant.threads.setTitle': ['assistant:write'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'views.open': [],
};

/** Bot events the adapter subscribes to, with the scope each needs. */
export const SLACK_EVENT_SCOPES: Readonly<Record<string, string>> = {
  app_mention: 'app_mentions:read',
  // Thread follow-ups without a mention, and every question in channels set to `respond: all` (AGENT_CONFIG).
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.im': 'im:history',
  // The agent/assistant surface: a thread opens, the user looks at another channel, or presses stop.
  assistant_thread_started: 'assistant:write',
  assistant_thread_context_changed: 'assistant:write',
  app_context_changed: 'assistant:write',
  agent_session_stopped: 'assistant:write',
};

/** Every bot scope the adapter needs. */
export const SLACK_BOT_SCOPES: readonly string[] = [
  ...new Set([...Object.values(SLACK_METHOD_SCOPES).flat(), ...Object.values(SLACK_EVENT_SCOPES), 'commands']),
].sort();

/** Every bot event the adapter needs. */
export const SLACK_BOT_EVENTS: readonly string[] = Object.keys(SLACK_EVENT_SCOPES).sort();
