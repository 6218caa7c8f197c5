import { afterEach, describe, expect, it } from 'vitest';
import type { EscalationView } from '../../src/ports';
import { EngineHarness, users } from '../support/engine-harness';

let h: EngineHarness;
afterEach(async () => h?.close());

const MINUTE = 60_000;

/** Hold the next on-call notice in flight: `entered` resolves when it starts, `release()` lets it finish. */
function holdNextNotice(harness: EngineHarness): { entered: Promise<EscalationView>; release: () => void } {
  let release = () => undefined as void;
  let signal: (view: EscalationView) => void = () => undefined;
  const entered = new Promise<EscalationView>((resolve) => (signal = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  harness.channel.oncallGate = async (view) => {
    harness.channel.oncallGate = undefined;
    signal(view);
    await released;
  };
  return { entered, release };
}

async function escalated(): Promise<string> {
  h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
  const { escalationId } = await h.send('I need a human');
  expect(escalationId).toBeDefined();
  return escalationId as string;
}

describe('escalation records change by compare-and-set', () => {
  it('a claim made while a reminder is being posted survives the reminder', async () => {
    const id = await escalated();
    h.clock.advance(11 * MINUTE);
    const held = holdNextNotice(h);
    const sweep = h.engine.sweep();
    expect((await held.entered).notifications).toBe(2);
    expect(await h.engine.claimEscalation({ escalationId: id, caller: users.dana })).toMatchObject({ ok: true });
    held.release();
    await sweep;

    // Still claimed by Dana: a second claim names her, and no more reminders go out.
    const again = await h.engine.claimEscalation({ escalationId: id, caller: users.sam });
    expect(again).toMatchObject({ ok: false, reason: 'already_claimed', view: { status: 'claimed', claimedBy: { userId: users.dana.userId } } });
    const notices = h.channel.oncall.length;
    h.clock.advance(11 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(notices);
    // The reminder that went out as "open" is corrected to show the claim.
    expect(h.channel.oncallUpdates.at(-1)?.view).toMatchObject({ status: 'claimed', notifications: 2 });
    expect((await h.engine.status()).openEscalations).toBe(1);
  });

  it('a reminder claimed by a replica that died before posting it is sent by another after the claim lapses', async () => {
    const id = await escalated();
    const before = h.channel.oncall.length;
    h.clock.advance(11 * MINUTE);
    // Another replica claimed reminder 2 and stopped before posting or recording it.
    expect(await h.app.store.setIfAbsent(`escalation-notice:${id}:2`, { at: h.clock.now() })).toBe(true);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(before); // it may still be posting: not twice
    h.clock.advance(3 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(before + 1);
    expect(h.channel.oncall.at(-1)).toMatchObject({ id, notifications: 2 });
    // And the reminders go on from there.
    h.clock.advance(11 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall.at(-1)).toMatchObject({ id, notifications: 3 });
  });

  it('a hand-back made while a reminder is being posted survives the reminder', async () => {
    const id = await escalated();
    h.clock.advance(11 * MINUTE);
    const held = holdNextNotice(h);
    const sweep = h.engine.sweep();
    await held.entered;
    expect(await h.engine.handBack({ conversation: h.conversation(), caller: users.dana })).toMatchObject({ ok: true });
    held.release();
    await sweep;

    expect(await h.engine.claimEscalation({ escalationId: id, caller: users.sam })).toMatchObject({ ok: false, reason: 'closed' });
    expect((await h.engine.status()).openEscalations).toBe(0);
    const notices = h.channel.oncall.length;
    h.clock.advance(11 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(notices);
  });

  it('a claim made while the first on-call notice is being posted survives saving the notice', async () => {
    h = await EngineHarness.create({ env: { ESCALATION_RENOTIFY_MINUTES: '10' } });
    let claimed: Promise<unknown> | undefined;
    h.channel.oncallGate = async (view) => {
      h.channel.oncallGate = undefined;
      // On-call saw the conversation some other way and claims before the platform call returned.
      claimed = h.engine.claimEscalation({ escalationId: view.id, caller: users.dana });
      await claimed;
    };
    const { escalationId } = await h.send('I need a human');
    expect(await claimed).toMatchObject({ ok: true });
    expect(await h.engine.claimEscalation({ escalationId: escalationId as string, caller: users.sam })).toMatchObject({
      ok: false,
      view: { status: 'claimed', claimedBy: { userId: users.dana.userId } },
    });
    // The notice posted as "open" is updated to show the claim, and no reminders follow.
    expect(h.channel.oncallUpdates.map((u) => [u.ref.messageId, u.view.status])).toEqual([[`oncall-${escalationId}-1`, 'claimed']]);
    h.clock.advance(11 * MINUTE);
    await h.engine.sweep();
    expect(h.channel.oncall).toHaveLength(1);
  });
});
