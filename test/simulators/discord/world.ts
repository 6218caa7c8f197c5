import { ChannelType, PermissionFlagsBits, type APIMessage } from 'discord.js';
import { createSnowflakes } from './snowflake';

/** A user the simulator knows. */
export interface SimUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface SimRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export interface SimMember {
  userId: string;
  roleIds: string[];
  nick: string | null;
  joinedAt: string;
}

/** Text channels, threads and DMs: the only kinds the support bot meets. */
export interface SimChannel {
  id: string;
  type: ChannelType.GuildText | ChannelType.PublicThread | ChannelType.DM;
  name: string | null;
  guildId: string | null;
  /** Threads: the channel they hang from. */
  parentId: string | null;
  /** Threads: who started it. */
  ownerId: string | null;
  /** DMs: the user on the other side. */
  recipientId: string | null;
  messageIds: string[];
}

export interface SimGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: SimRole[];
  members: Map<string, SimMember>;
}

/** Everything the simulated Discord holds; tests read ids from `fixture`. */
export interface World {
  nextId: () => string;
  applicationId: string;
  bot: SimUser;
  users: Map<string, SimUser>;
  guilds: Map<string, SimGuild>;
  channels: Map<string, SimChannel>;
  messages: Map<string, APIMessage>;
  fixture: WorldFixture;
}

/** Ids of the standard cast, named for the role each plays. */
export interface WorldFixture {
  guildId: string;
  supportChannelId: string;
  generalChannelId: string;
  oncallChannelId: string;
  adminRoleId: string;
  staffRoleId: string;
  users: { owner: string; admin: string; staff: string; member: string; member2: string; outsider: string; otherBot: string };
}

/**
 * One guild with an owner, an Administrator, a staff member, two plain members,
 * another bot and the support bot; a support, a general and an on-call
 * channel; plus an outsider who shares no guild with the bot.
 */
export function createWorld(): World {
  const nextId = createSnowflakes();
  const users = new Map<string, SimUser>();
  const user = (username: string, bot = false): SimUser => {
    const u: SimUser = { id: nextId(), username, globalName: bot ? null : username[0]!.toUpperCase() + username.slice(1), bot };
    users.set(u.id, u);
    return u;
  };
  const bot = user('support-bot', true);
  const cast = {
    owner: user('olivia'),
    admin: user('adam'),
    staff: user('stella'),
    member: user('max'),
    member2: user('mia'),
    outsider: user('oscar'),
    otherBot: user('other-bot', true),
  };
  const guildId = nextId();
  const everyone: SimRole = { id: guildId, name: '@everyone', position: 0, permissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads | PermissionFlagsBits.ReadMessageHistory };
  const adminRole: SimRole = { id: nextId(), name: 'Admins', position: 3, permissions: PermissionFlagsBits.Administrator };
  const staffRole: SimRole = { id: nextId(), name: 'Support staff', position: 2, permissions: PermissionFlagsBits.ManageMessages | PermissionFlagsBits.ManageThreads };
  const decoyRole: SimRole = { id: nextId(), name: 'Regulars', position: 1, permissions: 0n };
  const joinedAt = new Date(Date.now() - 86_400_000).toISOString();
  const member = (userId: string, roleIds: string[] = []): [string, SimMember] => [userId, { userId, roleIds, nick: null, joinedAt }];
  const guild: SimGuild = {
    id: guildId,
    name: 'Acme Community',
    ownerId: cast.owner.id,
    roles: [everyone, adminRole, staffRole, decoyRole],
    members: new Map([
      member(bot.id),
      member(cast.owner.id),
      member(cast.admin.id, [adminRole.id]),
      member(cast.staff.id, [staffRole.id, decoyRole.id]),
      member(cast.member.id, [decoyRole.id]),
      member(cast.member2.id),
      member(cast.otherBot.id),
    ]),
  };
  const channels = new Map<string, SimChannel>();
  const textChannel = (name: string): SimChannel => {
    const c: SimChannel = { id: nextId(), type: ChannelType.GuildText, name, guildId, parentId: null, ownerId: null, recipientId: null, messageIds: [] };
    channels.set(c.id, c);
    return c;
  };
  const support = textChannel('help');
  const general = textChannel('general');
  const oncall = textChannel('support-oncall');
  return {
    nextId,
    applicationId: bot.id, // Discord apps created today share the bot user's id
    bot,
    users,
    guilds: new Map([[guildId, guild]]),
    channels,
    messages: new Map(),
    fixture: {
      guildId,
      supportChannelId: support.id,
      generalChannelId: general.id,
      oncallChannelId: oncall.id,
      adminRoleId: adminRole.id,
      staffRoleId: staffRole.id,
      users: {
        owner: cast.owner.id,
        admin: cast.admin.id,
        staff: cast.staff.id,
        member: cast.member.id,
        member2: cast.member2.id,
        outsider: cast.outsider.id,
        otherBot: cast.otherBot.id,
      },
    },
  };
}
