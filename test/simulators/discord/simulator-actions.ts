import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionContextType,
  InteractionType,
  Locale,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIMessage,
  type APIUser,
} from 'discord.js';
import type { DiscordSimulator } from './discord-simulator';
import type { SimInteraction } from './interactions';
import { channelJson, memberJson, memberPermissions, messageJson, userJson } from './payloads';
import type { SimChannel } from './world';

/** Option values for `/support <subcommand>`. */
/** A command option's value; `{ user }` is a USER option (its id, resolved as Discord resolves it). */
export type CommandOptionValue = boolean | string | number | { user: string };

/**
 * Things people do in Discord, turned into the gateway events Discord would
 * send the bot: messages, DMs, button clicks and slash commands.
 */
export class SimulatorActions {
  constructor(private readonly sim: DiscordSimulator) {}

  /** `from` posts in a guild channel or thread; `mentionBot` prefixes `<@bot>` as the client does. */
  say(input: { from: string; channelId: string; content: string; mentionBot?: boolean }): APIMessage {
    const { world } = this.sim;
    const author = world.users.get(input.from)!;
    const content = input.mentionBot ? `<@${world.bot.id}> ${input.content}` : input.content;
    const message = messageJson(world, {
      channelId: input.channelId,
      author,
      content,
      mentions: input.mentionBot ? [userJson(world.bot)] : [],
    });
    this.sim.deliver(message);
    return message;
  }

  /** `from` writes to the bot in DMs (the DM channel is opened on first use). */
  dm(input: { from: string; content: string }): APIMessage {
    const channel = this.dmChannel(input.from);
    const message = messageJson(this.sim.world, { channelId: channel.id, author: this.sim.world.users.get(input.from)!, content: input.content });
    this.sim.deliver(message);
    return message;
  }

  /** The DM channel between the bot and a user. */
  dmChannel(userId: string): SimChannel {
    const { world } = this.sim;
    const existing = [...world.channels.values()].find((c) => c.type === ChannelType.DM && c.recipientId === userId);
    if (existing) return existing;
    const dm: SimChannel = { id: world.nextId(), type: ChannelType.DM, name: null, guildId: null, parentId: null, ownerId: null, recipientId: userId, messageIds: [] };
    world.channels.set(dm.id, dm);
    return dm;
  }

  /** `by` clicks the button with `customId` on a bot message. */
  click(input: { by: string; messageId: string; customId: string }): SimInteraction {
    const message = this.sim.world.messages.get(input.messageId);
    if (!message) throw new Error(`no message ${input.messageId}`);
    const rows = (message.components ?? []) as { components?: { custom_id?: string }[] }[];
    if (!rows.some((row) => (row.components ?? []).some((b) => b.custom_id === input.customId))) {
      // Discord only delivers clicks on buttons that are on the message.
      throw new Error(`message ${input.messageId} has no button ${input.customId}`);
    }
    return this.interact(input.by, message.channel_id, {
      type: InteractionType.MessageComponent,
      data: { custom_id: input.customId, component_type: ComponentType.Button },
      message,
    }, 'component', message.id);
  }

  /**
   * `by` submits the modal the bot opened for `opener` (the click that got a
   * type 9 response), with `values` typed over the pre-filled ones.
   */
  submitModal(input: { by: string; opener: SimInteraction; values: Record<string, string> }): SimInteraction {
    const modal = input.opener.modal;
    if (!modal) throw new Error(`interaction ${input.opener.id} was not answered with a modal`);
    const message = input.opener.messageId ? this.sim.world.messages.get(input.opener.messageId) : undefined;
    const components = modal.inputs.map((field, i) => ({
      type: ComponentType.Label,
      id: i * 2 + 1,
      component: { type: ComponentType.TextInput, id: i * 2 + 2, custom_id: field.customId, value: input.values[field.customId] ?? field.value ?? '' },
    }));
    return this.interact(
      input.by,
      input.opener.channelId,
      { type: InteractionType.ModalSubmit, data: { custom_id: modal.customId, components }, ...(message ? { message } : {}) },
      'modal_submit',
      message?.id,
    );
  }

  /** `by` runs `/support <subcommand>` in a channel, thread or DM. */
  command(input: { by: string; channelId: string; subcommand: string; options?: Record<string, CommandOptionValue> }): SimInteraction {
    const users: Record<string, APIUser> = {};
    const options: APIApplicationCommandInteractionDataBasicOption[] = Object.entries(input.options ?? {}).map(([name, value]) => {
      if (typeof value === 'object') {
        const user = this.sim.world.users.get(value.user);
        if (user) users[user.id] = userJson(user);
        return { type: ApplicationCommandOptionType.User, name, value: value.user };
      }
      return typeof value === 'boolean'
        ? { type: ApplicationCommandOptionType.Boolean, name, value }
        : typeof value === 'number'
          ? { type: ApplicationCommandOptionType.Integer, name, value }
          : { type: ApplicationCommandOptionType.String, name, value };
    });
    return this.interact(input.by, input.channelId, {
      type: InteractionType.ApplicationCommand,
      data: {
        id: this.sim.world.nextId(),
        name: 'support',
        type: ApplicationCommandType.ChatInput,
        options: [{ type: ApplicationCommandOptionType.Subcommand, name: input.subcommand, options }],
        ...(Object.keys(users).length > 0 ? { resolved: { users } } : {}),
      },
    }, 'command');
  }

  private interact(userId: string, channelId: string, specific: Record<string, unknown>, kind: SimInteraction['kind'], messageId?: string): SimInteraction {
    const { world } = this.sim;
    const channel = this.sim.channel(channelId);
    const guild = channel.guildId ? world.guilds.get(channel.guildId) : undefined;
    const member = guild?.members.get(userId);
    const interaction: SimInteraction = {
      id: world.nextId(),
      token: `aW50ZXJhY3Rpb24.${randomBytes(32).toString('base64url')}`,
      kind,
      createdAt: Date.now(),
      channelId,
      userId,
      messageId,
      followUps: [],
    };
    this.sim.interactions.set(interaction.token, interaction);
    const who = guild && member
      ? { guild_id: guild.id, guild: { id: guild.id, locale: Locale.EnglishUS, features: [] }, member: { ...memberJson(world, member), permissions: memberPermissions(guild, userId).toString() }, context: InteractionContextType.Guild }
      : { user: userJson(world.users.get(userId)!), context: InteractionContextType.BotDM };
    const payload = {
      id: interaction.id,
      application_id: world.applicationId,
      token: interaction.token,
      version: 1,
      channel: channelJson(world, channel),
      channel_id: channel.id,
      app_permissions: guild ? memberPermissions(guild, world.bot.id).toString() : '0',
      locale: Locale.EnglishUS,
      ...(guild ? { guild_locale: Locale.EnglishUS } : {}),
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild?.id ?? '0' },
      attachment_size_limit: 10_485_760,
      ...who,
      ...specific,
    };
    this.sim.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return interaction;
  }
}
