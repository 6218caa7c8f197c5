import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { DecisionOutcome } from '../../src/index';
import { renderNote } from './blocks';
import { EDIT_CALLBACK_ID, editedArgs, errorsFor, parseEditMetadata } from './edit-modal';
import type { HandlerDeps } from './handler-deps';
import { errorFields } from './slack-api';

const submissionSchema = z.object({
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  view: z.object({
    private_metadata: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())) }),
  }),
});

// Slack waits 3 s for the answer to a submission; validation answers long before that.
const ANSWER_WITHIN_MS = 2_500;

/**
 * "Edit and approve" submitted: values back to their types, then the engine
 * validates and decides. A refused edit keeps the modal open with the error on
 * the field; an accepted one closes it (the engine updates the card).
 */
export function registerEditHandlers(app: App, deps: HandlerDeps): void {
  app.view(EDIT_CALLBACK_ID, async ({ ack, body }) => {
    const parsed = submissionSchema.safeParse(body);
    const meta = parsed.success ? parseEditMetadata(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !meta) {
      await ack();
      deps.logger.warn({}, 'slack edit submission not understood; ignored');
      return;
    }
    const edited = editedArgs(parsed.data.view.state.values, meta.types);
    if (!edited.ok) {
      await ack({ response_action: 'errors', errors: edited.errors });
      return;
    }
    const user = parsed.data.user;
    const decided = deps.work.track(
      (async (): Promise<DecisionOutcome> => {
        const decider = await deps.roles.identify(user.id, user.team_id);
        return deps.engine.decideApproval({ approvalId: meta.id, decision: 'approve', decider, args: edited.args });
      })(),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ANSWER_WITHIN_MS);
    });
    const first = await Promise.race([decided.catch(() => 'failed' as const), late]);
    clearTimeout(timer);
    if (first === 'failed') {
      await ack({ response_action: 'errors', errors: errorsFor('Sorry, that could not be processed. Nothing was changed; please try again.', meta.types) });
      return;
    }
    if (first !== 'late' && !first.ok) {
      await ack({ response_action: 'errors', errors: errorsFor(first.message, meta.types) });
      return;
    }
    await ack();
    if (first !== 'late') return;
    // Still running (the approved run resumed): a refusal now can only be told privately.
    deps.work.run('approval_edit_late', async () => {
      const outcome = await decided.catch((error: unknown) => {
        deps.logger.error({ ...errorFields(error) }, 'slack edited approval failed');
        return undefined;
      });
      if (outcome && !outcome.ok && meta.channel) {
        await deps.api.postEphemeral({ channel: meta.channel, user: user.id, ...renderNote(outcome.message), ...(meta.thread ? { thread_ts: meta.thread } : {}) });
      }
    });
  });
}
