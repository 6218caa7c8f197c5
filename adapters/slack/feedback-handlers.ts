import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Caller, ConversationActionOutcome, ConversationRef } from '../../src/index';
import { renderNote } from './blocks';
import { FEEDBACK_IDS, feedbackReasonView, parseControlValue } from './feedback-blocks';
import type { HandlerDeps } from './handler-deps';
import { errorFields } from './slack-api';

const clickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), thread_ts: z.string().optional() }).loose().optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).loose().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() }).loose()).min(1),
});
type Click = z.infer<typeof clickSchema>;

const submissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())) }),
  }).loose(),
});

const metadataSchema = z.object({ v: z.string(), ts: z.string() });

/**
 * The controls under a final answer: 👍 / 👎 (`feedback_buttons`, or plain
 * buttons), "Talk to a human", "That solved it", and the "What went wrong?"
 * modal 👎 opens. Clicks are acknowledged at once; the engine does the rest.
 */
export function registerFeedbackHandlers(app: App, deps: HandlerDeps): void {
  for (const actionId of [FEEDBACK_IDS.feedback, FEEDBACK_IDS.feedbackUp, FEEDBACK_IDS.feedbackDown, FEEDBACK_IDS.talkToHuman, FEEDBACK_IDS.solved]) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const parsed = clickSchema.safeParse(body);
      const control = parsed.success ? parseControlValue(parsed.data.actions[0]?.value) : undefined;
      if (!parsed.success || !control) {
        deps.logger.warn({ action: actionId }, 'slack feedback click not understood; ignored');
        return;
      }
      const click = parsed.data;
      deps.work.run(actionId, async () => {
        const caller = await deps.roles.identify(click.user.id, click.user.team_id);
        try {
          await onControl(deps, click, caller, control.kind, control.conversation);
        } catch (error) {
          deps.logger.error({ action: actionId, ...errorFields(error) }, 'slack feedback click failed');
          await tell(deps, click, 'Sorry, I could not process that click. Please try again.');
        }
      });
    });
  }

  app.view(FEEDBACK_IDS.reasonModal, async ({ ack, body }) => {
    // Closes the modal at once; the feedback is recorded after.
    await ack();
    const parsed = submissionSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({ view: FEEDBACK_IDS.reasonModal }, 'slack feedback form not understood; ignored');
      return;
    }
    const submission = parsed.data;
    let metadata: z.infer<typeof metadataSchema> | undefined;
    try {
      metadata = metadataSchema.parse(JSON.parse(submission.view.private_metadata));
    } catch {
      metadata = undefined;
    }
    const control = parseControlValue(metadata?.v);
    if (!metadata || !control) return;
    const reason = submission.view.state.values[FEEDBACK_IDS.reasonBlock]?.[FEEDBACK_IDS.reasonInput]?.value?.trim() ?? '';
    deps.work.run(FEEDBACK_IDS.reasonModal, async () => {
      const caller = await deps.roles.identify(submission.user.id, submission.user.team_id);
      await deps.engine.feedback({
        conversation: control.conversation,
        caller,
        rating: 'down',
        ...(reason ? { reason } : {}),
        ...(metadata.ts ? { messageRef: { platform: 'slack', channelId: control.conversation.channelId, messageId: metadata.ts } } : {}),
      });
    });
  });
}

async function onControl(deps: HandlerDeps, click: Click, caller: Caller, kind: 'up' | 'down' | 'human' | 'solved', conversation: ConversationRef): Promise<void> {
  const messageRef = click.message ? { platform: 'slack', channelId: conversation.channelId, messageId: click.message.ts } : undefined;
  if (kind === 'down' && click.trigger_id) {
    try {
      await deps.api.call('views.open', { trigger_id: click.trigger_id, view: feedbackReasonView(conversation, click.message?.ts) });
      return; // recorded when the form is sent
    } catch (error) {
      // No modal (expired trigger, client without modals): still count the thumbs-down.
      deps.logger.warn({ ...errorFields(error) }, 'slack feedback form not opened; recording the thumbs-down without a reason');
    }
  }
  let outcome: ConversationActionOutcome;
  if (kind === 'up' || kind === 'down') outcome = await deps.engine.feedback({ conversation, caller, rating: kind, ...(messageRef ? { messageRef } : {}) });
  else if (kind === 'human') outcome = await deps.engine.talkToHuman({ conversation, caller });
  else outcome = await deps.engine.resolveConversation({ conversation, caller });
  // "Talk to a human" and "That solved it" answer in the thread themselves; feedback is acknowledged privately.
  if (!outcome.ok || kind === 'up' || kind === 'down') await tell(deps, click, outcome.message);
}

/** An ephemeral note to the clicker in the clicked message's thread. */
async function tell(deps: HandlerDeps, click: Click, markdown: string): Promise<void> {
  const channel = click.channel?.id ?? click.container?.channel_id;
  const threadTs = click.message?.thread_ts ?? click.container?.thread_ts;
  if (channel === undefined) return;
  await deps.api
    .postEphemeral({ channel, user: click.user.id, ...renderNote(markdown), ...(threadTs ? { thread_ts: threadTs } : {}) })
    .catch((error: unknown) => deps.logger.warn({ channel, ...errorFields(error) }, 'slack ephemeral failed'));
}
