/**
 * Grows a benchmark store to N sessions without running N real turns: sealed
 * session records written through the engine's own `SealedCollection` and
 * sealer, plus the budget counters and markers those sessions' turns would
 * have left behind, so the database has the rows and size of a real one.
 */
import { truncate } from '../../src/text/truncate';
import { spendKeys } from '../../src/budget/budget-guard';
import { periodOf } from '../../src/budget/periods';
import { PriceTable } from '../../src/budget/prices';
import { markerKeys } from '../../src/engine-context';
import type { Caller, ConversationRef, Store } from '../../src/ports';
import { capHistory } from '../../src/sessions/history';
import { SealedCollection } from '../../src/sessions/sealed-collection';
import type { Sealer } from '../../src/sessions/sealer';
import { migrateSession, sessionIdOf, SESSION_SCHEMA_VERSION, type SessionState } from '../../src/sessions/session-state';
import { orderFor, orderIdOf, turnMessages } from './loopback';

const DAY_MS = 86_400_000;
/** Same lifetime the engine gives sessions (`SESSION_TTL_MS` in src/engine.ts). */
export const SESSION_TTL_MS = 30 * DAY_MS;
export const BENCH_PLATFORM = 'bench';
/** Distinct customers; session i belongs to user i % USERS. */
export const USERS = 20_000;
const MODEL = 'gpt-4o-mini';

export const conversationOf = (i: number): ConversationRef => ({ platform: BENCH_PLATFORM, workspaceId: 'W1', channelId: 'C1', threadId: `th-${i}` });
export const callerOf = (i: number): Caller => ({
  userId: `U${i % USERS}`,
  platform: BENCH_PLATFORM,
  displayName: `Customer ${i % USERS}`,
  role: 'member',
  roleSource: 'bench',
});

export function sessionCollection(store: Store, sealer: Sealer): SealedCollection<SessionState> {
  return new SealedCollection<SessionState>({ store, sealer, prefix: 'session:', parse: migrateSession, ttlMs: SESSION_TTL_MS });
}

export interface SeedOptions {
  store: Store;
  sealer: Sealer;
  /** Session numbers [from, to) are written. */
  from: number;
  to: number;
  random: () => number;
  now: number;
  /** Writes in flight. */
  concurrency?: number;
}

export interface SeedResult {
  from: number;
  sessions: number;
  writes: number;
  sealedBytes: number;
  seconds: number;
}

/** Run `task(i)` for i in [from, to) with `concurrency` in flight. */
export async function pool(from: number, to: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) await task(next++);
    }),
  );
}

/** Turns in a stored conversation: mostly short, a long tail (geometric, mean ~3). */
const turnsFor = (random: () => number) => Math.min(25, 1 + Math.floor(-Math.log(1 - random()) * 2.2));

export async function seedSessions(options: SeedOptions): Promise<SeedResult> {
  const { store, sealer, from, to, random, now } = options;
  const started = performance.now();
  const sessions = sessionCollection(store, sealer);
  const prices = new PriceTable();
  const aggregates = new Map<string, { by: number; ttl: number }>();
  const markers = new Map<string, { value: unknown; ttl: number }>();
  const add = (key: string, by: number, ttl: number) => {
    const entry = aggregates.get(key);
    if (entry) entry.by += by;
    else aggregates.set(key, { by, ttl });
  };
  let writes = 0;
  let sealedBytes = 0;

  // Plan every session first (cheap, deterministic), then write them in parallel.
  const plans = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const turns = turnsFor(random);
    const ageMs = Math.floor(random() * (SESSION_TTL_MS - DAY_MS));
    return { i, turns, ageMs, variant: Math.floor(random() * 1000), order: Math.floor(random() * 5000) };
  });

  await pool(0, plans.length, options.concurrency ?? 64, async (k) => {
    const plan = plans[k] as (typeof plans)[number];
    const conversation = conversationOf(plan.i);
    const caller = callerOf(plan.i);
    const id = sessionIdOf(conversation);
    const updatedAt = now - plan.ageMs;
    const history = [];
    const actions = [];
    let costUsd = 0;
    let tokensIn = 0;
    let tokensOut = 0;
    for (let t = 0; t < plan.turns; t++) {
      const orderId = orderIdOf(plan.order + t);
      history.push(...turnMessages(orderId, plan.variant + t, -1, `call_seed_${plan.i}_${t}`));
      const at = updatedAt - (plan.turns - 1 - t) * 120_000;
      actions.push({ at, tool: 'lookup_order', outcome: 'ok', summary: truncate(JSON.stringify(orderFor(orderId)), 200) });
      // Two model calls per turn; the prompt grows with the (trimmed) history.
      const prompt = 420 + Math.min(t, 12) * 230;
      tokensIn += 2 * prompt + 60;
      tokensOut += 83;
      costUsd += prices.cost(MODEL, 2 * prompt + 60, 83);
    }
    const session: SessionState = {
      v: SESSION_SCHEMA_VERSION,
      id,
      conversation,
      createdAt: updatedAt - (plan.turns - 1) * 120_000,
      updatedAt,
      history: capHistory(history, 80),
      actions: actions.slice(-20),
      customer: caller,
      turns: plan.turns,
    };
    const ttl = SESSION_TTL_MS - plan.ageMs;
    sealedBytes += sealer.seal(session, sessions.key(id)).length; // same size as what put() stores (fresh IV, same length)
    await sessions.put(id, session, ttl);
    await store.increment(spendKeys.session(id), costUsd, 90 * DAY_MS - plan.ageMs);
    writes += 2;

    const userKey = `${caller.platform}:${caller.userId}`;
    const period = periodOf(updatedAt, 'UTC');
    const monthTtl = 40 * DAY_MS - plan.ageMs;
    add(spendKeys.userMonth(period.month, userKey), costUsd, monthTtl);
    add(spendKeys.month(period.month), costUsd, monthTtl);
    add(spendKeys.day(period.day), costUsd, monthTtl);
    add(spendKeys.modelMonth(period.month, MODEL), costUsd, monthTtl);
    add(spendKeys.kiloTokens(period.month, MODEL, 'in'), tokensIn / 1000, monthTtl);
    add(spendKeys.kiloTokens(period.month, MODEL, 'out'), tokensOut / 1000, monthTtl);
    markers.set(spendKeys.spenderMarker(period.month, userKey), { value: { userKey }, ttl: monthTtl });
    markers.set(spendKeys.modelMarker(period.month, MODEL), { value: { model: MODEL }, ttl: monthTtl });
    if (plan.ageMs < DAY_MS) {
      // Recent turns still have their redelivery markers and today's per-user spend.
      add(spendKeys.userDay(period.day, userKey), costUsd, 3 * DAY_MS - plan.ageMs);
      for (let t = 0; t < plan.turns; t++) markers.set(markerKeys.inbound(BENCH_PLATFORM, `seed-${plan.i}-${t}`), { value: 1, ttl: DAY_MS - plan.ageMs });
    }
  });

  const counterWrites = [...aggregates.entries()];
  await pool(0, counterWrites.length, 64, async (k) => {
    const [key, { by, ttl }] = counterWrites[k] as [string, { by: number; ttl: number }];
    // The store takes at most ~9e6 per call (amounts are kept in integer billionths); token totals are larger.
    for (let left = by; left > 0; left -= 5_000_000) await store.increment(key, Math.min(left, 5_000_000), ttl);
  });
  const markerWrites = [...markers.entries()];
  await pool(0, markerWrites.length, 64, async (k) => {
    const [key, { value, ttl }] = markerWrites[k] as [string, { value: unknown; ttl: number }];
    await store.setIfAbsent(key, value, ttl);
  });
  writes += counterWrites.length + markerWrites.length;
  return { from, sessions: to - from, writes, sealedBytes, seconds: (performance.now() - started) / 1000 };
}
