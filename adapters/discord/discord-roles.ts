import { LRUCache } from 'lru-cache';
import { GuildMember, PermissionFlagsBits, type BaseInteraction, type Client, type User } from 'discord.js';
import { describeError, maxRole } from '../../src/index';
import type { Caller, Logger, Role } from '../../src/index';

/** A role and why it was granted (for the audit trail). */
export interface RoleGrant {
  role: Role;
  source: string;
}

/** What Discord says about one member of one guild. */
export interface MemberFacts {
  userId: string;
  /** The guild's owner, when known. */
  ownerId: string | undefined;
  /** The member's permissions include Administrator. */
  isAdministrator: boolean;
  roleIds: Iterable<string>;
}

/** Decide a member's role: owner or Administrator → admin, a staff role → staff, otherwise member. */
export function roleOfMember(facts: MemberFacts, staffRoleIds: ReadonlySet<string>): RoleGrant {
  if (facts.ownerId !== undefined && facts.userId === facts.ownerId) return { role: 'admin', source: 'discord:guild_owner' };
  if (facts.isAdministrator) return { role: 'admin', source: 'discord:administrator' };
  for (const roleId of facts.roleIds) {
    if (staffRoleIds.has(roleId)) return { role: 'staff', source: `discord:staff_role:${roleId}` };
  }
  return { role: 'member', source: 'discord:member' };
}

/** The `Caller` for a Discord user with a granted role. */
export function discordCaller(user: User, grant: RoleGrant, member?: { displayName: string } | null): Caller {
  return {
    userId: user.id,
    platform: 'discord',
    displayName: member?.displayName ?? user.globalName ?? user.username,
    role: grant.role,
    roleSource: grant.source,
  };
}

export interface DiscordRoleResolverOptions {
  client: Client;
  staffRoleIds: ReadonlySet<string>;
  /** Guilds whose membership counts for DMs; read on each lookup because caches fill after login. */
  guildIds: () => readonly string[];
  logger: Logger;
  /** How long a resolved role is trusted. Default one minute: role changes apply quickly. */
  ttlMs?: number;
  now?: () => number;
}

/** Users whose roles are remembered; the least recently resolved go first. */
const MAX_CACHE_ENTRIES = 10_000;
const GUEST_NOT_MEMBER: RoleGrant = { role: 'guest', source: 'discord:not_a_member' };

/**
 * Roles from the guild. Guild events carry the member, so their role is read
 * from it (and cached); DMs carry no member, so membership is looked up in the
 * configured guilds. Anything unknown or failing resolves to `guest`.
 */
export class DiscordRoleResolver {
  /** `guildId:userId` -> grant, trusted for `ttlMs` (timed by the injected clock). */
  private readonly cache: LRUCache<string, RoleGrant>;

  constructor(private readonly options: DiscordRoleResolverOptions) {
    const now = options.now ?? Date.now;
    // ttlResolution 0: read the injected clock on every lookup instead of caching it for a millisecond.
    this.cache = new LRUCache({ max: MAX_CACHE_ENTRIES, ttl: options.ttlMs ?? 60_000, ttlResolution: 0, perf: { now } });
  }

  /** Role of the author of a guild message, from the member object Discord sent. */
  fromGuildMember(member: GuildMember | null): RoleGrant {
    if (!member) return { role: 'guest', source: 'discord:no_member' };
    const grant = roleOfMember(factsOf(member), this.options.staffRoleIds);
    this.remember(member.guild.id, member.id, grant);
    return grant;
  }

  /** Role of whoever triggered an interaction: from its member in a guild, by lookup in DMs. */
  async fromInteraction(interaction: BaseInteraction): Promise<RoleGrant> {
    if (!interaction.inGuild()) return this.resolve(interaction.user.id);
    const member = interaction.member;
    const roleIds = member instanceof GuildMember ? member.roles.cache.keys() : member.roles;
    const grant = roleOfMember(
      {
        userId: interaction.user.id,
        ownerId: interaction.guild?.ownerId,
        // Discord computes these permissions for the interaction; they include the owner's.
        isAdministrator: interaction.memberPermissions.has(PermissionFlagsBits.Administrator),
        roleIds,
      },
      this.options.staffRoleIds,
    );
    this.remember(interaction.guildId, interaction.user.id, grant);
    return grant;
  }

  /** Role of a user outside any guild (DMs): the best of their memberships in the configured guilds. */
  async resolve(userId: string): Promise<RoleGrant> {
    let best: RoleGrant | undefined;
    for (const guildId of this.options.guildIds()) {
      const grant = await this.memberOf(guildId, userId);
      if (best === undefined || maxRole(grant.role, best.role) !== best.role) best = grant;
    }
    return best ?? GUEST_NOT_MEMBER;
  }

  private async memberOf(guildId: string, userId: string): Promise<RoleGrant> {
    const key = `${guildId}:${userId}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const guild = this.options.client.guilds.cache.get(guildId);
    let grant: RoleGrant;
    if (!guild) {
      grant = { role: 'guest', source: 'discord:guild_unavailable' };
    } else {
      try {
        // force: the gateway does not tell us about role changes without the GuildMembers intent.
        const member = await guild.members.fetch({ user: userId, force: true });
        grant = roleOfMember(factsOf(member), this.options.staffRoleIds);
      } catch (error) {
        grant = isUnknownMember(error) ? GUEST_NOT_MEMBER : { role: 'guest', source: 'discord:lookup_failed' };
        if (grant.source === 'discord:lookup_failed') {
          this.options.logger.warn({ guildId, userId, error: describeError(error) }, 'discord member lookup failed; treating as guest');
        }
      }
    }
    this.remember(guildId, userId, grant);
    return grant;
  }

  private remember(guildId: string, userId: string, grant: RoleGrant): void {
    this.cache.set(`${guildId}:${userId}`, grant);
  }
}

function factsOf(member: GuildMember): MemberFacts {
  return {
    userId: member.id,
    ownerId: member.guild.ownerId,
    isAdministrator: member.permissions.has(PermissionFlagsBits.Administrator),
    roleIds: member.roles.cache.keys(),
  };
}

function isUnknownMember(error: unknown): boolean {
  // 10007 Unknown Member, 10013 Unknown User: the user is simply not in the guild.
  const code = (error as { code?: unknown } | null)?.code;
  return code === 10007 || code === 10013;
}
