import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetGuard, spendKeys, type BudgetGuardOptions } from '../../src/budget/budget-guard';
import { BudgetLedger } from '../../src/budget/budget-ledger';
import { PriceTable } from '../../src/budget/prices';
import type { SpendWriteEvent } from '../../src/budget/unwritten-spend';
import { createStore } from '../../src/sessions/create-store';
import { FailingStore } from './failing-store';

// gpt-4o: $2.5 / 1M input, $10 / 1M output; 10k in + 1k out = $0.035.
const MODEL = 'gpt-4o';
const USAGE = { model: MODEL, promptTokens: 10_000, completionTokens: 1_000, sessionId: 's1' };
const COST = 0.035;
const NOW = Date.parse('2026-11-22T10:00:00Z');
const USER = 'test:U1';

let store: FailingStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function setup(overrides: Partial<BudgetGuardOptions> = {}) {
  store = new FailingStore(await createStore(`sqlite://${path.join(await mkdtemp(path.join(tmpdir(), 'spend-')), 's.sqlite')}`));
  const sleeps: number[] = [];
  const failed: SpendWriteEvent[] = [];
  const recovered: SpendWriteEvent[] = [];
  const guard = new BudgetGuard({
    store,
    prices: new PriceTable(),
    limits: { requestUsd: 10, userDailyUsd: 10, monthlyUsd: 100, timezone: 'UTC', alertRatio: 0.8 },
    now: () => NOW,
    sleep: async (ms) => void sleeps.push(ms),
    onWriteFailed: (event) => failed.push(event),
    onHeldWritten: (event) => recovered.push(event),
    ...overrides,
  });
  return { store, guard, sleeps, failed, recovered };
}

/** One run: reserve, record the call's real usage, flush after the reply. */
async function runOnce(guard: BudgetGuard): Promise<BudgetLedger> {
  const ledger = new BudgetLedger(guard, USER);
  const reservation = await ledger.reserve(0.05, 0);
  ledger.record(reservation, USAGE);
  await ledger.flush();
  return ledger;
}

const spent = (s: FailingStore) => ({
  userDay: s.counter(spendKeys.userDay('2026-11-22', USER)),
  month: s.counter(spendKeys.month('2026-11')),
  userMonth: s.counter(spendKeys.userMonth('2026-11', USER)),
  session: s.counter(spendKeys.session('s1')),
});

async function expectSpent(s: FailingStore, usd: number): Promise<void> {
  const counters = spent(s);
  for (const value of await Promise.all(Object.values(counters))) expect(value).toBeCloseTo(usd, 9);
}

describe('spend is never lost', () => {
  it('retries a failed settlement write with backoff, and writes it once', async () => {
    const { store, guard, sleeps, failed } = await setup();
    const ledger = new BudgetLedger(guard, USER);
    const reservation = await ledger.reserve(0.05, 0);
    ledger.record(reservation, USAGE);
    store.failNext(2);
    await ledger.flush();
    expect(sleeps).toEqual([50, 200]);
    expect(failed).toEqual([]);
    await expectSpent(store, COST);
    expect(guard.heldSettlements).toBe(0);
  });

  it('holds spend the store still refuses, reports it, and writes it with the next successful write', async () => {
    const { store, guard, failed, recovered } = await setup();
    const ledger = new BudgetLedger(guard, USER);
    const reservation = await ledger.reserve(0.05, 0);
    ledger.record(reservation, USAGE);
    store.failNext(3);
    await expect(ledger.flush()).resolves.toBeUndefined();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ settlements: 1, held: 1 });
    expect(failed[0]?.costUsd).toBeCloseTo(COST, 9);
    expect(guard.heldSettlements).toBe(1);
    // Only the reservation's estimate made it so far.
    expect(await store.counter(spendKeys.userMonth('2026-11', USER))).toBe(0);

    // The next run's flush carries the held settlement along.
    await runOnce(guard);
    await expectSpent(store, 2 * COST);
    expect(guard.heldSettlements).toBe(0);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.costUsd).toBeCloseTo(COST, 9);
    // The reporting markers went out with it.
    expect(await store.get(spendKeys.spenderMarker('2026-11', USER))).toEqual({ userKey: USER });
  });

  it('a reservation carries held spend; when its own write fails the spend is held again, not lost', async () => {
    const { store, guard } = await setup();
    const ledger = new BudgetLedger(guard, USER);
    const first = await ledger.reserve(0.05, 0);
    ledger.record(first, USAGE);
    store.failNext(3);
    await ledger.flush();
    expect(guard.heldSettlements).toBe(1);

    // The next reservation fails with the store down: it throws, the held spend stays held.
    store.failNext(1);
    await expect(guard.reserve(USER, 0.05, 0)).rejects.toThrow(/store unavailable/);
    expect(guard.heldSettlements).toBe(1);
    // A pending settlement of a run that then fails to reserve is not lost either.
    const second = new BudgetLedger(guard, USER);
    const reservation = await second.reserve(0.05, 0);
    expect(guard.heldSettlements).toBe(0);
    second.record(reservation, USAGE);
    store.failNext(1);
    await expect(second.reserve(0.05, COST)).rejects.toThrow(/store unavailable/);
    expect(guard.heldSettlements).toBe(1);
    await guard.writeHeld();
    await expectSpent(store, 2 * COST);
  });

  it('writes held spend when asked at stop, and keeps it while the store is still down', async () => {
    const { store, guard } = await setup({ writeRetry: { attempts: 2, initialDelayMs: 1 } });
    const ledger = new BudgetLedger(guard, USER);
    const reservation = await ledger.reserve(0.05, 0);
    ledger.record(reservation, USAGE);
    store.failNext(2);
    await ledger.flush();
    store.failNext(2);
    expect(await guard.writeHeld()).toBe(1);
    expect(await guard.writeHeld()).toBe(0);
    await expectSpent(store, COST);
  });

  it('writes who spent and on which model in one round trip, and only once per process', async () => {
    const { store, guard } = await setup();
    await runOnce(guard);
    expect(store.markerCalls).toBe(1);
    expect(await store.get(spendKeys.spenderMarker('2026-11', USER))).toEqual({ userKey: USER });
    expect(await store.get(spendKeys.modelMarker('2026-11', MODEL))).toEqual({ model: MODEL });
    await runOnce(guard);
    expect(store.markerCalls).toBe(1);
  });

  it('holds only the markers when they fail, so counters are not written twice', async () => {
    const { store, guard } = await setup({ writeRetry: { attempts: 1, initialDelayMs: 1 } });
    const ledger = new BudgetLedger(guard, USER);
    const reservation = await ledger.reserve(0.05, 0);
    ledger.record(reservation, USAGE);
    store.failMarkers = 2;
    await ledger.flush();
    expect(guard.heldSettlements).toBe(1);
    await guard.writeHeld();
    await expectSpent(store, COST);
    expect(await store.get(spendKeys.modelMarker('2026-11', MODEL))).toEqual({ model: MODEL });
  });
});
