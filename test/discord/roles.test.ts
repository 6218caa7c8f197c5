import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roleOfMember } from '../../adapters/discord/discord-roles';
import { startHarness, type Harness } from './harness';

const staffRoles = new Set(['111111111111111111']);

describe('roleOfMember', () => {
  it('ranks owner and Administrator as admin, a staff role as staff, anyone else as member', () => {
    expect(roleOfMember({ userId: '1', ownerId: '1', isAdministrator: false, roleIds: [] }, staffRoles)).toEqual({ role: 'admin', source: 'discord:guild_owner' });
    expect(roleOfMember({ userId: '2', ownerId: '1', isAdministrator: true, roleIds: [] }, staffRoles)).toEqual({ role: 'admin', source: 'discord:administrator' });
    expect(roleOfMember({ userId: '3', ownerId: '1', isAdministrator: false, roleIds: ['9', '111111111111111111'] }, staffRoles)).toEqual({
      role: 'staff',
      source: 'discord:staff_role:111111111111111111',
    });
    expect(roleOfMember({ userId: '4', ownerId: undefined, isAdministrator: false, roleIds: ['9'] }, staffRoles)).toEqual({ role: 'member', source: 'discord:member' });
  });
});

describe('roles from the guild', () => {
  let h: Harness;
  let clock = 1_000_000;
  beforeAll(async () => {
    h = await startHarness({ adapter: { now: () => clock, roleCacheTtlMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const roleOf = async (from: string) => {
    const f = h.sim.world.fixture;
    const asked = h.sim.actions.say({ from, channelId: f.supportChannelId, content: 'who am I?', mentionBot: true });
    await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === asked.id)).toBe(true));
    return h.engine.received.find((m) => m.messageId === asked.id)!.caller;
  };
  const dmRoleOf = async (from: string) => {
    const sent = h.sim.actions.dm({ from, content: 'who am I in DMs?' });
    await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === sent.id)).toBe(true));
    return h.engine.received.find((m) => m.messageId === sent.id)!.caller;
  };

  it('grants admin to the guild owner', async () => {
    expect(await roleOf(h.sim.world.fixture.users.owner)).toMatchObject({ role: 'admin', roleSource: 'discord:guild_owner' });
  });

  it('grants admin to members with the Administrator permission', async () => {
    expect(await roleOf(h.sim.world.fixture.users.admin)).toMatchObject({ role: 'admin', roleSource: 'discord:administrator' });
  });

  it('grants staff to members with a configured staff role', async () => {
    const f = h.sim.world.fixture;
    expect(await roleOf(f.users.staff)).toMatchObject({ role: 'staff', roleSource: `discord:staff_role:${f.staffRoleId}` });
  });

  it('grants member to everyone else, whatever other roles they have', async () => {
    expect(await roleOf(h.sim.world.fixture.users.member)).toMatchObject({ role: 'member', roleSource: 'discord:member' });
  });

  it('gives guest to a DM from someone not in the guild', async () => {
    expect(await dmRoleOf(h.sim.world.fixture.users.outsider)).toMatchObject({ role: 'guest', roleSource: 'discord:not_a_member' });
  });

  it('looks up guild membership for DMs, caches it for the TTL, then asks again', async () => {
    const f = h.sim.world.fixture;
    const lookups = () => h.sim.requestsTo('GET', '/guilds/:guildId/members/:userId').filter((r) => r.params.userId === f.users.admin).length;
    clock += 60_001; // forget what the admin's guild message taught the cache
    expect(await dmRoleOf(f.users.admin)).toMatchObject({ role: 'admin', roleSource: 'discord:administrator' });
    const afterFirst = lookups();
    expect(afterFirst).toBe(1);

    // Promoted users lose nothing and demoted ones keep nothing past the TTL: remove the admin role in Discord.
    h.sim.world.guilds.get(f.guildId)!.members.get(f.users.admin)!.roleIds = [];
    expect(await dmRoleOf(f.users.admin)).toMatchObject({ role: 'admin' });
    expect(lookups()).toBe(afterFirst);

    clock += 60_001;
    expect(await dmRoleOf(f.users.admin)).toMatchObject({ role: 'member', roleSource: 'discord:member' });
    expect(lookups()).toBe(afterFirst + 1);
  });

  it('reuses the role learned from a guild message for DMs within the TTL', async () => {
    const f = h.sim.world.fixture;
    await roleOf(f.users.staff);
    expect(await dmRoleOf(f.users.staff)).toMatchObject({ role: 'staff' });
    expect(h.sim.requestsTo('GET', '/guilds/:guildId/members/:userId').filter((r) => r.params.userId === f.users.staff)).toEqual([]);
  });

  it('falls back to guest when the membership lookup fails', async () => {
    const f = h.sim.world.fixture;
    clock += 120_000;
    h.sim.failNext({ method: 'GET', path: new RegExp(`/guilds/${f.guildId}/members/${f.users.staff}$`), status: 403, code: 50001, message: 'Missing Access' });
    expect(await dmRoleOf(f.users.staff)).toMatchObject({ role: 'guest', roleSource: 'discord:lookup_failed' });
    expect(h.logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('member lookup failed'))).toBe(true);
  });

  it('reads roles for button clicks from the interaction member (owner included)', async () => {
    const f = h.sim.world.fixture;
    const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'refund please', mentionBot: true });
    await vi.waitFor(() => expect(h.engine.hasHandled(asked.id)).toBe(true));
    const conversation = h.engine.received.find((m) => m.messageId === asked.id)!.conversation;
    for (const [who, role] of [
      [f.users.owner, 'admin'],
      [f.users.staff, 'staff'],
      [f.users.member, 'member'],
    ] as const) {
      const view = await h.engine.requestApproval(conversation, { requirement: 'admin', decidersText: 'an admin' });
      const card = h.sim.messagesIn(conversation.threadId).at(-1)!;
      h.sim.actions.click({ by: who, messageId: card.id, customId: `approval:approve:${view.id}` });
      await vi.waitFor(() => expect(h.engine.decisions.some((d) => d.approvalId === view.id)).toBe(true));
      expect(h.engine.decisions.find((d) => d.approvalId === view.id)!.decider).toMatchObject({ userId: who, role });
    }
  });
});
