import { afterEach, describe, expect, it } from 'vitest';
import { periodOf } from '../../src/budget/periods';
import { PriceTable } from '../../src/budget/prices';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

// gpt-4o: $2.5 / 1M input, $10 / 1M output.
const MODEL = 'gpt-4o';
const usage = { promptTokens: 10_000, completionTokens: 1_000 }; // $0.025 + $0.01 = $0.035

describe('prices and periods', () => {
  it('prices known models, dated snapshots by prefix, overrides, and unknown models conservatively', () => {
    const prices = new PriceTable({ 'my-llama': { input: 0.1, output: 0.2 } });
    expect(prices.cost('gpt-4o', 1_000_000, 0)).toBeCloseTo(2.5);
    expect(prices.cost('gpt-4o-mini-2024-07-18', 1_000_000, 1_000_000)).toBeCloseTo(0.75);
    expect(prices.cost('my-llama', 1_000_000, 1_000_000)).toBeCloseTo(0.3);
    expect(prices.priceOf('mystery-model').known).toBe(false);
    expect(prices.cost('mystery-model', 1_000_000, 0)).toBeGreaterThanOrEqual(2.5);
  });

  it('uses calendar boundaries of the configured time zone', () => {
    const at = Date.parse('2026-11-30T23:30:00Z');
    expect(periodOf(at, 'UTC')).toEqual({ day: '2026-11-30', month: '2026-11' });
    expect(periodOf(at, 'Europe/Paris')).toEqual({ day: '2026-12-01', month: '2026-12' });
    expect(periodOf(at, 'America/Los_Angeles')).toEqual({ day: '2026-11-30', month: '2026-11' });
  });
});

describe('budget guard', () => {
  it('records real cost per turn and reports it', async () => {
    const model = new ScriptedModel(MODEL, [answer('hi', usage)]);
    h = await EngineHarness.create({ model });
    const result = await h.send('hello');
    expect(result.costUsd).toBeCloseTo(0.035, 6);
    const mine = await h.engine.costReport(users.alice);
    expect(mine.user.todayUsd).toBeCloseTo(0.035, 6);
    expect(mine.admin).toBeUndefined();
    const admin = await h.engine.costReport(users.root);
    expect(admin.admin?.monthToDateUsd).toBeCloseTo(0.035, 6);
    expect(admin.admin?.topUsers).toEqual([{ label: 'test:U_ALICE', usd: 0.035 }]);
    expect(admin.admin?.byModel).toEqual([{ label: MODEL, usd: 0.035 }]);
    expect(admin.admin?.byDay).toEqual([{ label: '2026-11-22', usd: 0.035 }]);
  });

  it('refuses before spending when the per-user daily limit would be exceeded, and offers a human', async () => {
    const model = new ScriptedModel(MODEL);
    model.fallback = answer('ok', usage);
    h = await EngineHarness.create({ model, env: { BUDGET_USER_DAILY_USD: '0.03', MAX_OUTPUT_TOKENS: '100' } });
    expect((await h.send('one')).status).toBe('answered');
    const refused = await h.send('two', { conversation: h.conversation('T2') });
    expect(model.calls).toBe(1); // the second model call never happened
    expect(refused.status).toBe('escalated');
    expect(refused.reply).toMatch(/daily usage limit/);
    expect(h.channel.oncall.at(-1)?.trigger).toBe('budget_exhausted');
    // Another user still has budget.
    expect((await h.send('three', { caller: users.bob, conversation: h.conversation('T3') })).status).toBe('answered');
    const audit = await h.audit();
    expect(audit.some((r) => r.event === 'budget_refused' && r.scope === 'user_daily')).toBe(true);
  });

  it('refuses a request whose own estimate exceeds the per-request limit', async () => {
    const model = new ScriptedModel(MODEL, [answer('never')]);
    h = await EngineHarness.create({ model, env: { BUDGET_REQUEST_USD: '0.001', MAX_OUTPUT_TOKENS: '2000' } });
    const result = await h.send('hello');
    expect(model.calls).toBe(0);
    expect(result.errors[0]?.code).toBe('budget_request');
  });

  it('cannot be overspent by concurrent turns: reservations are atomic', async () => {
    // Each call reserves ~$0.02 (estimate from prompt + 2,000 output tokens) and settles at $0.035.
    const model = new ScriptedModel(MODEL);
    model.fallback = () => new Promise((resolve) => setTimeout(() => resolve(answer('ok', usage)), 20));
    h = await EngineHarness.create({ model, env: { BUDGET_MONTHLY_USD: '0.1', BUDGET_USER_DAILY_USD: '100', MAX_OUTPUT_TOKENS: '2000' } });
    const callers = Array.from({ length: 12 }, (_, i) => ({ ...users.alice, userId: `U_${i}` }));
    const results = await Promise.all(callers.map((caller, i) => h.send(`hi ${i}`, { caller, conversation: h.conversation(`T${i}`) })));
    const answered = results.filter((r) => r.status === 'answered').length;
    const admin = await h.engine.costReport(users.root);
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(12);
    expect(model.calls).toBe(answered);
    // Spend can exceed the limit only by what estimates under-reserved, never by whole extra calls.
    expect(admin.admin?.monthToDateUsd ?? 0).toBeLessThanOrEqual(0.1 + answered * 0.035);
    expect(answered).toBeLessThanOrEqual(Math.ceil(0.1 / 0.02));
  });

  it('alerts on-call once per period at 80% of a limit', async () => {
    const model = new ScriptedModel(MODEL);
    model.fallback = answer('ok', usage);
    h = await EngineHarness.create({ model, env: { BUDGET_MONTHLY_USD: '0.1', BUDGET_USER_DAILY_USD: '100', MAX_OUTPUT_TOKENS: '50' } });
    await h.send('1', { conversation: h.conversation('A') });
    await h.send('2', { conversation: h.conversation('B') });
    expect(h.channel.alerts).toHaveLength(0); // $0.07 < $0.08
    await h.send('3', { conversation: h.conversation('C') });
    await new Promise((r) => setTimeout(r, 10));
    expect(h.channel.alerts).toHaveLength(1);
    expect(h.channel.alerts[0]?.text).toMatch(/monthly limit/);
    h.clock.advance(60_000);
    await h.send('4', { caller: users.bob, conversation: h.conversation('D') });
    await new Promise((r) => setTimeout(r, 10));
    expect(h.channel.alerts).toHaveLength(1);
  });

  it('keeps spend across restarts', async () => {
    const model = new ScriptedModel(MODEL, [answer('ok', usage)]);
    h = await EngineHarness.create({ model });
    await h.send('hello');
    h = await h.restart({ model: new ScriptedModel(MODEL) });
    expect((await h.engine.costReport(users.alice)).user.todayUsd).toBeCloseTo(0.035, 6);
  });

  it('starts a fresh daily budget on the next calendar day', async () => {
    const model = new ScriptedModel(MODEL);
    model.fallback = answer('ok', usage);
    h = await EngineHarness.create({ model, env: { BUDGET_USER_DAILY_USD: '0.03', MAX_OUTPUT_TOKENS: '100' } });
    await h.send('one');
    expect((await h.send('two', { conversation: h.conversation('X') })).status).toBe('escalated');
    h.clock.advance(24 * 3_600_000);
    expect((await h.send('three', { conversation: h.conversation('Y') })).status).toBe('answered');
  });

  it('costs nothing in offline mode', async () => {
    const offline = new ScriptedModel('offline', [answer('free', { promptTokens: 0, completionTokens: 0 })]);
    h = await EngineHarness.create({ model: offline, env: { BUDGET_USER_DAILY_USD: '0' } });
    const result = await h.send('hello');
    expect(result).toMatchObject({ status: 'answered', costUsd: 0 });
  });
});

describe('token accounting at scale', () => {
  it('keeps counting past 9.2 billion tokens a month (the old whole-token counters overflowed)', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { createStore } = await import('../../src/sessions/create-store');
    const { BudgetGuard, spendKeys } = await import('../../src/budget/budget-guard');
    const store = await createStore(`sqlite://${path.join(await mkdtemp(path.join(tmpdir(), 'ktok-')), 's.sqlite')}`);
    const now = Date.parse('2026-11-22T10:00:00Z');
    const guard = new BudgetGuard({
      store,
      prices: new PriceTable({ cheap: { input: 0.0001, output: 0.0001 } }),
      limits: { requestUsd: 1e6, userDailyUsd: 1e6, monthlyUsd: 1e6, timezone: 'UTC', alertRatio: 0.8 },
      now: () => now,
    });
    for (let i = 0; i < 6; i++) {
      const reservation = await guard.reserve('test:U1', 0, 0);
      await guard.settle(reservation, { model: 'cheap', promptTokens: 2_000_000_000, completionTokens: 1, sessionId: 's' });
    }
    expect(await store.counter(spendKeys.kiloTokens('2026-11', 'cheap', 'in'))).toBe(12_000_000);
    await store.close();
  });
});
