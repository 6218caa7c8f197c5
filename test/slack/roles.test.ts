import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackApi } from '../../adapters/slack/slack-api';
import { SlackRoleResolver, type SlackRoleResolverOptions } from '../../adapters/slack/slack-roles';
import { SlackSimulator } from '../simulators/slack/web-api';
import { IDS, type SlackHarness, captureLogger, seedWorkspace, startSlackHarness } from './harness';

describe('SlackRoleResolver against the simulated workspace', () => {
  let sim: SlackSimulator;
  let clock: number;
  const logger = captureLogger();

  beforeEach(async () => {
    sim = await new SlackSimulator().start();
    seedWorkspace(sim);
    clock = 1_000_000;
  });
  afterEach(async () => {
    await sim.close();
  });

  const resolver = (options: Partial<SlackRoleResolverOptions> = {}) =>
    new SlackRoleResolver({
      api: new SlackApi({ token: sim.botToken, apiUrl: sim.apiUrl, logger }),
      teamId: sim.teamId,
      staffUsergroup: { id: IDS.staffGroup },
      logger,
      now: () => clock,
      ...options,
    });

  it.each([
    [IDS.primaryOwner, 'admin', 'slack:is_primary_owner'],
    [IDS.owner, 'admin', 'slack:is_owner'],
    [IDS.admin, 'admin', 'slack:is_admin'],
    [IDS.staff, 'staff', 'slack:staff_usergroup'],
    [IDS.member, 'member', 'slack:full_member'],
    [IDS.guest, 'guest', 'slack:is_restricted'],
    [IDS.singleGuest, 'guest', 'slack:is_ultra_restricted'],
    [IDS.external, 'guest', 'slack:is_stranger'],
  ])('%s is %s (%s)', async (userId, role, source) => {
    expect(await resolver().resolve(userId)).toEqual({ role, source });
  });

  it('keeps a guest a guest even inside the staff user group', async () => {
    expect(sim.workspace.usergroups.get(IDS.staffGroup)!.users).toContain(IDS.guest);
    expect((await resolver().resolve(IDS.guest)).role).toBe('guest');
  });

  it('treats users of another team as guests (Slack Connect), whatever their flags say', async () => {
    sim.workspace.addUser({ id: 'U0PARTNER', name: 'pam', team_id: IDS.externalTeam, is_admin: true });
    expect(await resolver().resolve('U0PARTNER')).toEqual({ role: 'guest', source: 'slack:external_team' });
    // The payload's team alone is enough, even if users.info looks local.
    expect(await resolver().resolve(IDS.admin, { teamId: IDS.externalTeam })).toEqual({ role: 'guest', source: 'slack:external_team' });
  });

  it('resolves the staff user group by handle via usergroups.list', async () => {
    const r = resolver({ staffUsergroup: { handle: IDS.staffHandle } });
    expect((await r.resolve(IDS.staff)).role).toBe('staff');
    expect((await r.resolve(IDS.member2)).role).toBe('member');
    expect(sim.callsTo('usergroups.list')).toHaveLength(1);
    expect(sim.callsTo('usergroups.users.list')[0]!.args.usergroup).toBe(IDS.staffGroup);
  });

  it('grants nobody staff when the handle does not exist', async () => {
    const r = resolver({ staffUsergroup: { handle: 'no-such-group' } });
    expect((await r.resolve(IDS.staff)).role).toBe('member');
  });

  it('falls back to guest when users.info fails, and never to more', async () => {
    sim.failNext('users.info', { error: 'internal_error' });
    expect(await resolver().resolve(IDS.admin)).toEqual({ role: 'guest', source: 'slack:lookup_failed' });
    expect(await resolver().resolve('U0UNKNOWN')).toEqual({ role: 'guest', source: 'slack:lookup_failed' });
  });

  it('does not promote to staff when the user group lookup fails', async () => {
    sim.failNext('usergroups.users.list', { error: 'missing_scope' });
    expect(await resolver().resolve(IDS.staff)).toEqual({ role: 'member', source: 'slack:full_member' });
  });

  it('caches roles for the TTL and failures only briefly', async () => {
    const r = resolver({ ttlMs: 60_000, failureTtlMs: 5_000 });
    await Promise.all([r.resolve(IDS.staff), r.resolve(IDS.staff), r.resolve(IDS.member)]);
    expect(sim.callsTo('users.info')).toHaveLength(2);
    expect(sim.callsTo('usergroups.users.list')).toHaveLength(1);
    clock += 59_000;
    await r.resolve(IDS.staff);
    expect(sim.callsTo('users.info')).toHaveLength(2);
    clock += 2_000;
    await r.resolve(IDS.staff);
    expect(sim.callsTo('users.info')).toHaveLength(3);

    sim.failNext('users.info', { error: 'internal_error' });
    expect((await r.resolve(IDS.admin)).role).toBe('guest');
    clock += 6_000;
    expect((await r.resolve(IDS.admin)).role).toBe('admin');
  });

  it('remembers at most maxEntries users, looking up again the least recently used', async () => {
    const r = resolver({ maxEntries: 2 });
    for (const user of [IDS.member, IDS.member2, IDS.member, IDS.admin]) await r.resolve(user);
    expect(sim.callsTo('users.info')).toHaveLength(3);
    await r.resolve(IDS.member); // kept: used more recently than member2
    expect(sim.callsTo('users.info')).toHaveLength(3);
    await r.resolve(IDS.member2); // dropped when admin arrived
    expect(sim.callsTo('users.info')).toHaveLength(4);
  });

  it('picks a display name from the profile', async () => {
    const caller = await resolver().identify(IDS.staff);
    expect(caller).toEqual({ userId: IDS.staff, platform: 'slack', displayName: 'Sam (Support)', role: 'staff', roleSource: 'slack:staff_usergroup' });
  });
});

describe('roles reach the engine from real traffic', () => {
  let h: SlackHarness;
  afterEach(async () => {
    await h.close();
  });

  it('passes the role Slack grants with each message', async () => {
    h = await startSlackHarness({ env: { SLACK_STAFF_USERGROUP: `@${IDS.staffHandle}` } });
    for (const user of [IDS.admin, IDS.staff, IDS.member, IDS.guest, IDS.external]) {
      const post = h.sim.workspace.userPost(IDS.support, user, `<@${h.sim.botUserId}> hi`);
      await h.delivery.event(h.payloads.appMention(post));
    }
    await h.settle();
    const roles = Object.fromEntries(h.engine.received.map((m) => [m.caller.userId, m.caller.role]));
    expect(roles).toEqual({ [IDS.admin]: 'admin', [IDS.staff]: 'staff', [IDS.member]: 'member', [IDS.guest]: 'guest', [IDS.external]: 'guest' });
  });
});
