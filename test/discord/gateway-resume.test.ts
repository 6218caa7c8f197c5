import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { botMessages, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  // A short heartbeat interval so heartbeats and ACKs actually flow during the test.
  h = await startHarness({ sim: { heartbeatIntervalMs: 200 } });
});
afterAll(async () => {
  await h?.stop();
});

const delivered = (id: string) => h.engine.received.filter((m) => m.messageId === id).length;

describe('gateway disconnects', () => {
  it('heartbeats on the interval Discord asks for', async () => {
    await vi.waitFor(() => expect(h.sim.gateway.heartbeats).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
  });

  it('resumes after the socket drops and loses no message sent meanwhile', async () => {
    const f = h.sim.world.fixture;
    const first = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'before the drop', mentionBot: true });
    await vi.waitFor(() => expect(botMessages(h.sim, first.id)).toHaveLength(1));

    h.sim.gateway.dropConnection(4000);
    // Sent while the bot is disconnected: Discord keeps it and replays it on RESUME.
    const during = h.sim.actions.say({ from: f.users.member, channelId: first.id, content: 'while you were away' });
    const dm = h.sim.actions.dm({ from: f.users.staff, content: 'DM while away' });
    expect(h.sim.gateway.connected).toBe(false);

    await vi.waitFor(() => expect(h.sim.gateway.resumes).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(botMessages(h.sim, first.id).map((m) => m.content)).toContain('You said: while you were away'));
    await vi.waitFor(() => expect(botMessages(h.sim, dm.channel_id).map((m) => m.content)).toContain('You said: DM while away'));
    expect(delivered(during.id)).toBe(1);
    expect(delivered(dm.id)).toBe(1);
    // It resumed (no second IDENTIFY) at the URL the gateway handed out in READY.
    expect(h.sim.gateway.identifies).toBe(1);
    expect(h.sim.gateway.connections.at(-1)).toBe('/resume?v=10&encoding=json');
    expect(h.logger.lines.some((l) => l.msg === 'discord gateway resumed')).toBe(true);
  });

  it('follows op 7 RECONNECT with a resume, replaying events that raced the reconnect', async () => {
    const f = h.sim.world.fixture;
    const resumesBefore = h.sim.gateway.resumes;
    h.sim.gateway.requestReconnect();
    const raced = h.sim.actions.say({ from: f.users.admin, channelId: f.supportChannelId, content: 'right after op 7', mentionBot: true });
    await vi.waitFor(() => expect(h.sim.gateway.resumes).toBe(resumesBefore + 1), { timeout: 5_000 });
    await vi.waitFor(() => expect(botMessages(h.sim, raced.id).map((m) => m.content)).toEqual(['You said: right after op 7']));
    expect(delivered(raced.id)).toBe(1);
    expect(h.sim.gateway.identifies).toBe(1);
  });
});
