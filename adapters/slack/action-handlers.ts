import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { Caller, Decision } from '../../src/index';
import { ACTION_IDS, renderNote } from './blocks';
import { decodeConversation } from './conversation';
import type { HandlerDeps } from './handler-deps';
import { renderEditModal } from './edit-modal';
import { errorFields } from './slack-api';

const blockActionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), thread_ts: z.string().optional() }).loose().optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).loose().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() }).loose()).min(1),
  trigger_id: z.string().optional(),
});

type BlockAction = z.infer<typeof blockActionSchema>;

/**
 * Button clicks: approvals, claims and hand-backs. Each click is acknowledged
 * at once; the engine decides and re-renders through the channel. Refusals go
 * only to the clicker, as an ephemeral message.
 */
export function registerActionHandlers(app: App, deps: HandlerDeps): void {
  const decide = (decision: Decision) =>
    clickHandler(deps, `approval_${decision}`, async (click, caller, respond) => {
      const approvalId = click.actions[0]!.value ?? '';
      const outcome = await deps.engine.decideApproval({ approvalId, decision, decider: caller });
      if (!outcome.ok) await tellClicker(deps, click, outcome.message, respond);
    });

  app.action(ACTION_IDS.approve, decide('approve'));
  app.action(ACTION_IDS.deny, decide('deny'));

  app.action(
    ACTION_IDS.stop,
    clickHandler(deps, 'turn_stop', async (click, caller, respond) => {
      const conversation = decodeConversation(click.actions[0]!.value);
      if (!conversation) return;
      const outcome = await deps.engine.stopTurn({ conversation, caller });
      // The engine decides who may stop; a refusal or "nothing running" goes only to the clicker.
      if (!outcome.ok) await tellClicker(deps, click, outcome.message, respond);
    }),
  );

  app.action(
    ACTION_IDS.editApproval,
    clickHandler(deps, 'approval_edit', async (click, _caller, respond) => {
      const view = await deps.engine.approval(click.actions[0]!.value ?? '');
      const channel = click.channel?.id ?? click.container?.channel_id;
      const thread = click.message?.thread_ts ?? click.container?.thread_ts;
      const modal = view && view.status === 'pending' ? renderEditModal(view, { ...(channel ? { channel } : {}), ...(thread ? { thread } : {}) }) : undefined;
      if (!modal || click.trigger_id === undefined) {
        await tellClicker(deps, click, 'This request can no longer be edited here: use Approve or Deny, or ask again.', respond);
        return;
      }
      await deps.api.openView(click.trigger_id, modal);
    }),
  );

  app.action(
    ACTION_IDS.claim,
    clickHandler(deps, 'escalation_claim', async (click, caller, respond) => {
      const escalationId = click.actions[0]!.value ?? '';
      const outcome = await deps.engine.claimEscalation({ escalationId, caller });
      if (!outcome.ok) await tellClicker(deps, click, outcome.message, respond);
    }),
  );

  app.action(
    ACTION_IDS.handback,
    clickHandler(deps, 'escalation_handback', async (click, caller, respond) => {
      const conversation = decodeConversation(click.actions[0]!.value);
      if (!conversation) {
        await tellClicker(deps, click, 'This button no longer points at a conversation.', respond);
        return;
      }
      const outcome = await deps.engine.handBack({ conversation, caller });
      await tellClicker(deps, click, outcome.message, respond);
    }),
  );
}

type ClickWork = (click: BlockAction, caller: Caller, respond: RespondFn | undefined) => Promise<void>;

interface ClickArgs {
  ack: () => Promise<void>;
  body: unknown;
  respond?: RespondFn;
}

function clickHandler(deps: HandlerDeps, label: string, work: ClickWork) {
  return async ({ ack, body, respond }: ClickArgs): Promise<void> => {
    // Slack wants the ack within 3 s; the engine may take longer.
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({ action: label }, 'slack click payload not understood; ignored');
      return;
    }
    const click = parsed.data;
    deps.work.run(label, async () => {
      const caller = await deps.roles.identify(click.user.id, click.user.team_id);
      try {
        await work(click, caller, respond);
      } catch (error) {
        deps.logger.error({ action: label, ...errorFields(error) }, 'slack click failed');
        await tellClicker(deps, click, 'Sorry, I could not process that click. Nothing was changed; please try again.', respond);
      }
    });
  };
}

/** An ephemeral note to the clicker, in the thread of the clicked message. */
export async function tellClicker(deps: HandlerDeps, click: BlockAction, markdown: string, respond: RespondFn | undefined): Promise<void> {
  const note = renderNote(markdown);
  const channel = click.channel?.id ?? click.container?.channel_id;
  const threadTs = click.message?.thread_ts ?? click.container?.thread_ts;
  if (channel !== undefined) {
    try {
      await deps.api.postEphemeral({ channel, user: click.user.id, ...note, ...(threadTs ? { thread_ts: threadTs } : {}) });
      return;
    } catch (error) {
      deps.logger.warn({ channel, ...errorFields(error) }, 'slack ephemeral failed; using response_url');
    }
  }
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: note.text, blocks: note.blocks });
  }
}
