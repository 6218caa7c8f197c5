import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness, users } from '../support/engine-harness';

let h: EngineHarness;
afterEach(async () => h?.close());

const MINUTE = 60_000;

describe('escalations on-call did not receive', () => {
  it('tells the user honestly, retries from the sweep until on-call gets it, then says so', async () => {
    h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
    const outcomes: Array<'fail' | 'none' | undefined> = ['fail', 'none'];
    h.channel.oncallGate = async () => outcomes.shift();

    const result = await h.send('I need a human');
    expect(result.status).toBe('escalated');
    expect(h.channel.oncall).toHaveLength(0);
    const told = h.channel.texts().at(-1) ?? '';
    expect(told).toMatch(/couldn't reach our support team/);
    expect(told).not.toMatch(/will reply in this thread/);
    expect(result.reply).toBe(told); // the turn reports what was really said
    expect((await h.audit()).filter((r) => r.event === 'escalation_undelivered')).toHaveLength(1);

    // Not yet due: nothing is tried.
    h.clock.advance(30_000);
    await h.engine.sweep();
    expect(outcomes).toHaveLength(1);

    // Second attempt: no on-call destination (undefined) — still undelivered, tried again later.
    h.clock.advance(31_000);
    await h.engine.sweep();
    expect(outcomes).toHaveLength(0);
    expect(h.channel.oncall).toHaveLength(0);
    expect((await h.audit()).filter((r) => r.event === 'escalation_undelivered').map((r) => r.attempt)).toEqual([1, 2]);

    // Third attempt gets through: on-call sees the first notice, the user hears it.
    h.clock.advance(MINUTE + 1);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(1);
    expect(h.channel.oncall[0]).toMatchObject({ id: result.escalationId, status: 'open', notifications: 1 });
    expect(h.channel.texts().at(-1)).toMatch(/now reached our support team/);
    expect((await h.audit()).filter((r) => r.event === 'escalation_delivered')).toHaveLength(1);

    // From here on it is an ordinary escalation: one reminder after the interval, and claimable.
    h.clock.advance(MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(1);
    h.clock.advance(10 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall.map((v) => v.notifications)).toEqual([1, 2]);
    expect(await h.engine.claimEscalation({ escalationId: result.escalationId as string, caller: users.dana })).toMatchObject({ ok: true });
  });

  it('stops retrying once someone claimed or handed back the conversation', async () => {
    h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
    h.channel.oncallGate = async () => 'none';
    const { escalationId } = await h.send('I need a human');
    expect(await h.engine.claimEscalation({ escalationId: escalationId as string, caller: users.dana })).toMatchObject({ ok: true });
    h.channel.oncallGate = undefined;
    h.clock.advance(5 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(0);
    expect((await h.engine.status()).openEscalations).toBe(1);
  });
});
