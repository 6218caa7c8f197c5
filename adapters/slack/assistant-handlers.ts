import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { SuggestedPrompt } from './config';
import { conversationOf, isDirectMessage } from './conversation';
import type { HandlerDeps } from './handler-deps';
import { errorFields } from './slack-api';

const threadEventSchema = z.object({
  assistant_thread: z.object({
    user_id: z.string().optional(),
    channel_id: z.string(),
    thread_ts: z.string(),
    context: z.object({ channel_id: z.string().optional() }).loose().optional(),
  }),
});

const appContextSchema = z.object({
  channel: z.string(),
  thread_ts: z.string().optional(),
  context: z.object({ entities: z.array(z.object({ type: z.string(), value: z.unknown() }).loose()).optional() }).loose().optional(),
});

const sessionStoppedSchema = z.object({
  channel: z.string(),
  user: z.string(),
  thread_ts: z.string().optional(),
  streaming_message_ts: z.array(z.string()).default([]),
});

/**
 * Slack's agent/assistant surface: a thread opens (suggested prompts), the
 * user looks at another channel (kept as read-only context for the next
 * message), and Slack's own stop button (the running turn is stopped).
 */
export function registerAssistantHandlers(app: App, deps: HandlerDeps, prompts: readonly SuggestedPrompt[]): void {
  app.event('assistant_thread_started', async ({ event }) => {
    const parsed = threadEventSchema.safeParse(event);
    if (!parsed.success) return;
    const t = parsed.data.assistant_thread;
    deps.channel.threads.started(t.channel_id, t.thread_ts, t.context?.channel_id);
    deps.work.run('assistant_thread_started', async () => {
      try {
        await deps.api.setSuggestedPrompts({ channel_id: t.channel_id, thread_ts: t.thread_ts, title: 'Try asking', prompts: prompts.slice(0, 4) });
      } catch (error) {
        deps.logger.warn({ channel: t.channel_id, ...errorFields(error) }, 'slack suggested prompts not set');
      }
    });
  });

  app.event('assistant_thread_context_changed', async ({ event }) => {
    const parsed = threadEventSchema.safeParse(event);
    if (!parsed.success) return;
    const t = parsed.data.assistant_thread;
    deps.channel.threads.contextChanged(t.channel_id, t.thread_ts, t.context?.channel_id);
  });

  // The agent view reports what the user looks at as entities; the channel is what the engine gets.
  app.event('app_context_changed', async ({ event }) => {
    const parsed = appContextSchema.safeParse(event);
    if (!parsed.success) return;
    const entity = parsed.data.context?.entities?.find((e) => e.type === 'slack#/types/channel_id' && typeof e.value === 'string');
    deps.channel.threads.contextChanged(parsed.data.channel, parsed.data.thread_ts, entity ? String(entity.value) : undefined);
  });

  app.event('agent_session_stopped', async ({ event }) => {
    const parsed = sessionStoppedSchema.safeParse(event);
    if (!parsed.success) return;
    const stopped = parsed.data;
    const known = stopped.streaming_message_ts.map((ts) => deps.channel.threads.conversationOfStream(stopped.channel, ts)).find((c) => c !== undefined);
    const conversation =
      known ??
      (stopped.thread_ts === undefined
        ? undefined
        : conversationOf({ teamId: deps.identity.teamId, channel: stopped.channel, ts: stopped.thread_ts, threadTs: stopped.thread_ts, dm: isDirectMessage(stopped.channel) }));
    if (!conversation) return;
    deps.work.run('agent_session_stopped', async () => {
      const caller = await deps.roles.identify(stopped.user);
      const outcome = await deps.engine.stopTurn({ conversation, caller });
      if (!outcome.ok) deps.logger.info({ channel: stopped.channel, reason: outcome.reason }, 'slack stop not applied');
    });
  });
}
