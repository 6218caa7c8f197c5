import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  Locale,
  MessageType,
  PermissionFlagsBits,
  ThreadAutoArchiveDuration,
  type APIChannel,
  type ChannelFlags,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type MessageFlags,
  type RoleFlags,
  type APIDMChannel,
  type APIGuildMember,
  type APIMessage,
  type APIRole,
  type APITextChannel,
  type APIThreadChannel,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from 'discord.js';
import type { SimChannel, SimGuild, SimMember, SimRole, SimUser, World } from './world';

/** Discord's JSON for a user. */
export function userJson(user: SimUser): APIUser {
  return { id: user.id, username: user.username, discriminator: '0', global_name: user.globalName, avatar: null, ...(user.bot ? { bot: true } : {}) };
}

/** A member without its `user` (as MESSAGE_CREATE's `member` and mention members are). */
export function memberJsonNoUser(member: SimMember): Omit<APIGuildMember, 'user'> {
  return {
    nick: member.nick,
    roles: member.roleIds,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
    avatar: null,
  };
}

/** A member with its user (GUILD_CREATE, GET member). */
export function memberJson(world: World, member: SimMember): APIGuildMember {
  return { ...memberJsonNoUser(member), user: userJson(world.users.get(member.userId)!) };
}

/** Guild-level permissions of a user: the owner and Administrator get everything. */
export function memberPermissions(guild: SimGuild, userId: string): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const member = guild.members.get(userId);
  if (!member) return 0n;
  let permissions = guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n;
  for (const role of guild.roles) if (member.roleIds.includes(role.id)) permissions |= role.permissions;
  return permissions & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : permissions;
}

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, flag) => all | flag, 0n);

function roleJson(role: SimRole): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

/** Discord's JSON for a text channel, thread or DM. */
export function channelJson(world: World, channel: SimChannel): APIChannel {
  if (channel.type === ChannelType.DM) {
    const dm: APIDMChannel = {
      id: channel.id,
      type: ChannelType.DM,
      last_message_id: channel.messageIds.at(-1) ?? null,
      recipients: [userJson(world.users.get(channel.recipientId!)!)],
      flags: 0 as ChannelFlags,
      name: null,
    };
    return dm;
  }
  if (channel.type === ChannelType.PublicThread) {
    const thread: APIThreadChannel = {
      id: channel.id,
      type: ChannelType.PublicThread,
      guild_id: channel.guildId!,
      parent_id: channel.parentId!,
      owner_id: channel.ownerId!,
      name: channel.name!,
      last_message_id: channel.messageIds.at(-1) ?? null,
      rate_limit_per_user: 0,
      message_count: channel.messageIds.length,
      member_count: 1,
      total_message_sent: channel.messageIds.length,
      flags: 0 as ChannelFlags,
      thread_metadata: {
        archived: false,
        auto_archive_duration: ThreadAutoArchiveDuration.OneDay,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    };
    return thread;
  }
  const text: APITextChannel = {
    id: channel.id,
    type: ChannelType.GuildText,
    guild_id: channel.guildId!,
    name: channel.name!,
    position: 0,
    permission_overwrites: [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: channel.messageIds.at(-1) ?? null,
    rate_limit_per_user: 0,
    default_auto_archive_duration: ThreadAutoArchiveDuration.OneDay,
    flags: 0 as ChannelFlags,
  };
  return text;
}

/** GUILD_CREATE as sent right after READY: roles, members, channels, owner. */
export function guildCreateJson(world: World, guild: SimGuild): GatewayGuildCreateDispatchData {
  const channels = [...world.channels.values()].filter((c) => c.guildId === guild.id);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.Low,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.AllMembers,
    roles: guild.roles.map(roleJson),
    emojis: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    stickers: [],
    joined_at: new Date(Date.now() - 86_400_000).toISOString(),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: [...guild.members.values()].map((m) => memberJson(world, m)),
    channels: channels.filter((c) => c.type === ChannelType.GuildText).map((c) => channelJson(world, c) as APITextChannel),
    threads: channels.filter((c) => c.type === ChannelType.PublicThread).map((c) => channelJson(world, c) as APIThreadChannel),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A new message object with Discord's defaults filled in. */
export function messageJson(world: World, fields: { channelId: string; author: SimUser; content: string } & Partial<Omit<APIMessage, 'author' | 'channel_id' | 'content'>>): APIMessage {
  const { channelId, author, ...rest } = fields;
  return {
    id: world.nextId(),
    channel_id: channelId,
    author: userJson(author),
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    flags: 0 as MessageFlags,
    components: [],
    ...rest,
  };
}
