import { ComponentType, InteractionResponseType, MessageFlags, type APIMessage } from 'discord.js';
import { ApiError, type ApiRouter } from './http-router';
import type { SimulatorCore } from './discord-simulator';
import { validateMessageBody } from './validate-message';

/** One interaction as the simulator tracks it: how and when the bot answered. */
export interface SimInteraction {
  id: string;
  token: string;
  kind: 'component' | 'command' | 'modal_submit';
  createdAt: number;
  channelId: string;
  userId: string;
  /** Components (and modals opened from them): the message the button was on. */
  messageId?: string;
  /** The modal the bot answered with (response type 9), as sent. */
  modal?: SimModal;
  ack?: { type: InteractionResponseType; at: number; ephemeral: boolean };
  /** The response message (reply or deferred reply), when there is one. */
  original?: APIMessage;
  followUps: APIMessage[];
}

/** A modal as the bot sent it: text inputs by `custom_id`, in order. */
export interface SimModal {
  customId: string;
  title: string;
  inputs: { customId: string; label: string; value?: string; style: number }[];
}

/** Discord forgets interaction tokens for webhooks after 15 minutes. */
const TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * Interaction callbacks and the interaction webhook, with Discord's timing
 * rules: the first response must arrive within the window (3 s), only once;
 * follow-ups and edits need that acknowledgement and a live token.
 */
export function registerInteractionRoutes(router: ApiRouter, sim: SimulatorCore): void {
  const byToken = (token: string, id?: string) => {
    const interaction = sim.interactions.get(token);
    if (!interaction || (id !== undefined && interaction.id !== id)) throw new ApiError(404, 10062, 'Unknown interaction');
    return interaction;
  };
  const webhook = (app: string, token: string) => {
    const interaction = sim.interactions.get(token);
    if (app !== sim.world.applicationId || !interaction || !interaction.ack || Date.now() - interaction.createdAt > TOKEN_LIFETIME_MS) {
      throw new ApiError(404, 10015, 'Unknown Webhook');
    }
    return interaction;
  };

  router.add(
    'POST',
    '/interactions/:id/:token/callback',
    ({ params, body, query }) => {
      const interaction = byToken(params.token!, params.id);
      if (Date.now() - interaction.createdAt > sim.interactionWindowMs) throw new ApiError(404, 10062, 'Unknown interaction');
      if (interaction.ack) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
      const { type, data } = body as { type: InteractionResponseType; data?: unknown };
      const ephemeral = ((data as { flags?: number } | undefined)?.flags ?? 0) & MessageFlags.Ephemeral;
      const onMessage = interaction.kind === 'component' || (interaction.kind === 'modal_submit' && interaction.messageId !== undefined);
      if ((type === InteractionResponseType.DeferredMessageUpdate || type === InteractionResponseType.UpdateMessage) && !onMessage) {
        throw new ApiError(400, 40060, 'Interaction response type not valid for this interaction');
      }
      // A modal cannot answer a modal.
      if (type === InteractionResponseType.Modal && interaction.kind === 'modal_submit') {
        throw new ApiError(400, 40060, 'Interaction response type not valid for this interaction');
      }
      const modal = type === InteractionResponseType.Modal ? validateModal(data) : undefined;
      interaction.ack = { type, at: Date.now(), ephemeral: ephemeral !== 0 };
      if (modal) interaction.modal = modal;
      if (type === InteractionResponseType.ChannelMessageWithSource) {
        interaction.original = sim.botMessage(interaction.channelId, validateMessageBody(data, { creating: true }), { ephemeral: ephemeral !== 0 });
      } else if (type === InteractionResponseType.DeferredChannelMessageWithSource) {
        interaction.original = sim.botMessage(interaction.channelId, { content: '', flags: MessageFlags.Loading | (ephemeral ? MessageFlags.Ephemeral : 0) }, { ephemeral: ephemeral !== 0, loading: true });
      } else if (type === InteractionResponseType.UpdateMessage) {
        sim.editMessage(interaction.channelId, interaction.messageId!, validateMessageBody(data, { creating: false }));
      }
      if (query.get('with_response') === 'true') {
        return { interaction: { id: interaction.id, type: interaction.kind === 'component' ? 3 : interaction.kind === 'modal_submit' ? 5 : 2 }, resource: { type, message: interaction.original } };
      }
      return undefined;
    },
    { auth: false },
  );

  router.add(
    'POST',
    '/webhooks/:app/:token',
    ({ params, body }) => {
      const interaction = webhook(params.app!, params.token!);
      const message = validateMessageBody(body, { creating: true });
      const followUp = sim.botMessage(interaction.channelId, message, { ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0 });
      interaction.followUps.push(followUp);
      return followUp;
    },
    { auth: false },
  );

  router.add(
    'PATCH',
    '/webhooks/:app/:token/messages/:messageId',
    ({ params, body }) => {
      const interaction = webhook(params.app!, params.token!);
      const edit = validateMessageBody(body, { creating: false });
      const deferredUpdate = interaction.ack!.type === InteractionResponseType.DeferredMessageUpdate || interaction.ack!.type === InteractionResponseType.UpdateMessage;
      if (params.messageId === '@original' && deferredUpdate) return sim.editMessage(interaction.channelId, interaction.messageId!, edit);
      const target = params.messageId === '@original' ? interaction.original : interaction.followUps.find((m) => m.id === params.messageId);
      if (!target) throw new ApiError(404, 10008, 'Unknown Message');
      Object.assign(target, edit, { edited_timestamp: new Date().toISOString(), flags: (target.flags ?? 0) & ~MessageFlags.Loading });
      if (!((target.flags ?? 0) & MessageFlags.Ephemeral)) sim.editMessage(interaction.channelId, target.id, {});
      return target;
    },
    { auth: false },
  );

  router.add(
    'GET',
    '/webhooks/:app/:token/messages/@original',
    ({ params }) => {
      const interaction = webhook(params.app!, params.token!);
      if (!interaction.original) throw new ApiError(404, 10008, 'Unknown Message');
      return interaction.original;
    },
    { auth: false },
  );
}

/**
 * Discord's rules for a modal: a `custom_id` and title, 1 to 5 top-level
 * components, each a Label (45-character label) around a text input, or a
 * legacy action row holding one; pre-filled values up to 4,000 characters.
 */
function validateModal(raw: unknown): SimModal {
  const data = (raw ?? {}) as { custom_id?: string; title?: string; components?: Record<string, unknown>[] };
  const bad = (field: string, message: string) => new ApiError(400, 50035, 'Invalid Form Body', { errors: { data: { [field]: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message }] } } } });
  if (!data.custom_id || data.custom_id.length > 100) throw bad('custom_id', 'Must be between 1 and 100 in length.');
  if (!data.title || data.title.length > 45) throw bad('title', 'Must be between 1 and 45 in length.');
  const components = data.components ?? [];
  if (components.length < 1 || components.length > 5) throw bad('components', 'Must be between 1 and 5 in length.');
  const inputs = components.map((c) => {
    const input = (c.type === ComponentType.Label ? c.component : (c.components as unknown[] | undefined)?.[0]) as
      | { type?: number; custom_id?: string; value?: string; style?: number; label?: string }
      | undefined;
    const label = c.type === ComponentType.Label ? (c.label as string | undefined) : input?.label;
    if ((c.type !== ComponentType.Label && c.type !== ComponentType.ActionRow) || input?.type !== ComponentType.TextInput) {
      throw bad('components', 'Only labelled text inputs are expected from this bot.');
    }
    if (!label || label.length > 45) throw bad('components.label', 'Must be between 1 and 45 in length.');
    if (!input.custom_id || input.custom_id.length > 100) throw bad('components.custom_id', 'Must be between 1 and 100 in length.');
    if (input.value !== undefined && input.value.length > 4000) throw bad('components.value', 'Must be 4000 or fewer in length.');
    return { customId: input.custom_id, label, style: input.style ?? 1, ...(input.value !== undefined ? { value: input.value } : {}) };
  });
  return { customId: data.custom_id, title: data.title, inputs };
}
