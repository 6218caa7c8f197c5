import { LRUCache } from 'lru-cache';
import type { Caller, Logger, Role } from '../../src/index';
import { type SlackApi, type SlackUser, errorFields } from './slack-api';
import { SLACK_PLATFORM } from './conversation';

/** Options for {@link SlackRoleResolver}. */
export interface SlackRoleResolverOptions {
  api: Pick<SlackApi, 'userInfo' | 'usergroupMembers' | 'usergroups'>;
  /** The installing workspace; users from any other team are guests (Slack Connect). */
  teamId: string;
  /** Enterprise Grid org of the install; users of the same org are not strangers. */
  enterpriseId?: string;
  /** Members of this user group are staff. */
  staffUsergroup?: { id: string } | { handle: string };
  logger: Logger;
  now?: () => number;
  /** How long a looked-up role is trusted. Default 5 minutes. */
  ttlMs?: number;
  /** How long a failed lookup (→ guest) is cached, to spare Slack during outages. Default 30 s. */
  failureTtlMs?: number;
  /** Upper bound on cached users. Default 10,000. */
  maxEntries?: number;
}

/** A user's role with the facts behind it. */
export interface SlackRoleResult {
  role: Role;
  /** Why, for the audit trail, e.g. `slack:is_admin`. */
  source: string;
  displayName: string;
}

/** A looked-up user; `ok` false when Slack could not be asked (kept for less time). */
type UserLookup = SlackRoleResult & { ok: boolean };

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
}

/**
 * Decide a role from a `users.info` user. Guests and outsiders are checked
 * first so that admin flags from another organisation never count here.
 */
export function roleFromSlackUser(
  user: SlackUser,
  workspace: { teamId: string; enterpriseId?: string },
  isStaff: boolean,
): { role: Role; source: string } {
  if (user.deleted) return { role: 'guest', source: 'slack:deleted' };
  if (user.is_bot) return { role: 'guest', source: 'slack:bot' };
  if (user.is_stranger) return { role: 'guest', source: 'slack:is_stranger' };
  const sameOrg = workspace.enterpriseId !== undefined && user.enterprise_user?.enterprise_id === workspace.enterpriseId;
  if (user.team_id !== undefined && user.team_id !== workspace.teamId && !sameOrg) return { role: 'guest', source: 'slack:external_team' };
  if (user.is_ultra_restricted) return { role: 'guest', source: 'slack:is_ultra_restricted' };
  if (user.is_restricted) return { role: 'guest', source: 'slack:is_restricted' };
  if (user.is_primary_owner) return { role: 'admin', source: 'slack:is_primary_owner' };
  if (user.is_owner) return { role: 'admin', source: 'slack:is_owner' };
  if (user.is_admin) return { role: 'admin', source: 'slack:is_admin' };
  if (isStaff) return { role: 'staff', source: 'slack:staff_usergroup' };
  return { role: 'member', source: 'slack:full_member' };
}

/**
 * Slack user -> role, from `users.info` and the staff user group, cached with
 * a TTL. A failed lookup never grants more than `guest`.
 */
export class SlackRoleResolver {
  private readonly opts: SlackRoleResolverOptions;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  /** User id -> lookup (shared by concurrent callers while in flight); successes kept `ttlMs`, failures `failureTtlMs`. */
  private readonly users: LRUCache<string, Promise<UserLookup>>;
  private staff: Entry<{ members: ReadonlySet<string>; ok: boolean }> | undefined;

  constructor(options: SlackRoleResolverOptions) {
    this.opts = options;
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 30_000;
    // ttlResolution 0: read the injected clock on every lookup instead of caching it for a millisecond.
    this.users = new LRUCache({ max: options.maxEntries ?? 10_000, ttl: this.ttlMs, ttlResolution: 0, perf: { now: this.now } });
  }

  /** Role of a user; `context.teamId` is the user's team as the payload states it. */
  async resolve(userId: string, context?: Record<string, unknown>): Promise<{ role: Role; source: string }> {
    const teamId = typeof context?.teamId === 'string' ? context.teamId : undefined;
    const { role, source } = await this.lookup(userId, teamId);
    return { role, source };
  }

  /** The full `Caller` for a Slack user. */
  async identify(userId: string, teamId?: string): Promise<Caller> {
    const r = await this.lookup(userId, teamId);
    return { userId, platform: SLACK_PLATFORM, displayName: r.displayName, role: r.role, roleSource: r.source };
  }

  /** Forget cached users and group members (tests, admin changes). */
  clear(): void {
    this.users.clear();
    this.staff = undefined;
  }

  private async lookup(userId: string, teamId: string | undefined): Promise<SlackRoleResult> {
    const cached = await this.cachedUser(userId);
    // The payload's team settles Slack Connect even if users.info looks local. On Enterprise
    // Grid, sibling workspaces have other team ids, so users.info (enterprise_user) decides there.
    const foreign = teamId !== undefined && teamId !== this.opts.teamId && this.opts.enterpriseId === undefined;
    if (foreign && cached.role !== 'guest') return { role: 'guest', source: 'slack:external_team', displayName: cached.displayName };
    return cached;
  }

  private cachedUser(userId: string): Promise<UserLookup> {
    const hit = this.users.get(userId);
    if (hit) return hit;
    const value = this.fetchUser(userId);
    this.users.set(userId, value);
    void value.then((r) => {
      // A failure is kept shorter, from when it failed; unless a newer lookup already replaced it.
      if (!r.ok && this.users.peek(userId) === value) this.users.set(userId, value, { ttl: this.failureTtlMs });
    });
    return value;
  }

  private async fetchUser(userId: string): Promise<UserLookup> {
    let user: SlackUser;
    try {
      user = await this.opts.api.userInfo(userId);
    } catch (error) {
      this.opts.logger.warn({ userId, ...errorFields(error) }, 'slack users.info failed; treating user as guest');
      return { role: 'guest', source: 'slack:lookup_failed', displayName: userId, ok: false };
    }
    const displayName = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || userId;
    const workspace = { teamId: this.opts.teamId, enterpriseId: this.opts.enterpriseId };
    const base = roleFromSlackUser(user, workspace, false);
    // Only full members can be promoted by the staff group; skip the call otherwise.
    if (base.role !== 'member') return { ...base, displayName, ok: true };
    const staff = await this.staffMembers();
    return { ...roleFromSlackUser(user, workspace, staff.members.has(userId)), displayName, ok: true };
  }

  private staffMembers(): Promise<{ members: ReadonlySet<string>; ok: boolean }> {
    const group = this.opts.staffUsergroup;
    if (group === undefined) return Promise.resolve({ members: new Set(), ok: true });
    const now = this.now();
    if (this.staff && this.staff.expiresAt > now) return this.staff.value;
    const entry: Entry<{ members: ReadonlySet<string>; ok: boolean }> = { expiresAt: now + this.ttlMs, value: this.fetchStaff(group) };
    this.staff = entry;
    void entry.value.then((r) => {
      if (!r.ok) entry.expiresAt = this.now() + this.failureTtlMs;
    });
    return entry.value;
  }

  private async fetchStaff(group: { id: string } | { handle: string }): Promise<{ members: ReadonlySet<string>; ok: boolean }> {
    try {
      const id = 'id' in group ? group.id : await this.groupIdForHandle(group.handle);
      if (id === undefined) {
        this.opts.logger.warn({ handle: 'handle' in group ? group.handle : undefined }, 'slack staff user group not found; nobody is staff');
        return { members: new Set(), ok: false };
      }
      return { members: new Set(await this.opts.api.usergroupMembers(id)), ok: true };
    } catch (error) {
      this.opts.logger.warn({ ...errorFields(error) }, 'slack staff user group lookup failed; nobody is staff for now');
      return { members: new Set(), ok: false };
    }
  }

  private async groupIdForHandle(handle: string): Promise<string | undefined> {
    const groups = await this.opts.api.usergroups();
    return groups.find((g) => g.handle.toLowerCase() === handle.toLowerCase())?.id;
  }
}
