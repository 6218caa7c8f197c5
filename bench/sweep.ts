/**
 * What one sweep (and one /status) costs the store with many stored sessions:
 * the old way (scan for `approvals:open:` / `escalations:active:` marker keys)
 * against the due-time index. Only the store work of finding what is due is
 * timed; handling the due items is the same either way.
 * Usage: npx tsx bench/sweep.ts [sessions=100000] [approvals=200] [escalations=100] [redisUrl=redis://127.0.0.1:6379]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from '@keyv/redis';
import type { Store } from '../src/ports';
import { RedisStore } from '../src/sessions/redis-store';
import { SqliteStore } from '../src/sessions/sqlite-store';

const sessions = Number(process.argv[2] ?? 100_000);
const approvals = Number(process.argv[3] ?? 200);
const escalations = Number(process.argv[4] ?? 100);
const redisUrl = process.argv[5] ?? 'redis://127.0.0.1:6379';
const namespace = `bench_sweep_${process.pid}`;
const ROUNDS = 7;
const BATCH = 100;
const NOW = 1_764_000_000_000;

/** A sealed session envelope of about the size the engine stores (~2 KB). */
const envelope = (i: number) => ({ sealed: `v2.${String(i).padStart(16, '0')}.${'A'.repeat(2_000)}` });

async function inFlight(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await op(next++);
  }));
}

/** Half of the approvals and escalations are due now, half later. */
async function seed(store: Store): Promise<void> {
  const started = performance.now();
  await inFlight(sessions, 64, (i) => store.set(`session:slack:T1:C1:${i}`, envelope(i), 86_400_000));
  for (let i = 0; i < approvals; i++) {
    const expiresAt = i % 2 ? NOW - 1 : NOW + 600_000;
    await store.set(`approvals:open:apr_${i}`, { id: `apr_${i}`, sessionId: `s${i}`, expiresAt }, 86_400_000);
    await store.schedule('approvals', `apr_${i}`, expiresAt);
  }
  for (let i = 0; i < escalations; i++) {
    const nextNotifyAt = i % 2 ? NOW - 1 : NOW + 600_000;
    await store.set(`escalations:active:esc_${i}`, { id: `esc_${i}`, nextNotifyAt, claimed: false }, 86_400_000);
    await store.schedule('escalation-reminders', `esc_${i}`, nextNotifyAt);
    await store.schedule('escalations-active', `esc_${i}`, NOW);
  }
  console.log(`  seeded ${sessions} sessions, ${approvals} approvals, ${escalations} escalations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The previous release's sweep: scan the markers, read each approval's decision claim, keep what is due. */
async function scanSweep(store: Store): Promise<number> {
  let due = 0;
  for await (const [, marker] of store.scan<{ id: string; expiresAt: number }>('approvals:open:')) {
    const claim = await store.get(`approval-decision:${marker.id}`);
    if (claim || marker.expiresAt <= NOW) due += 1;
  }
  for await (const [, marker] of store.scan<{ nextNotifyAt: number; claimed: boolean }>('escalations:active:')) {
    if (!marker.claimed && marker.nextNotifyAt <= NOW) due += 1;
  }
  return due;
}

async function scanStatus(store: Store): Promise<number> {
  let n = 0;
  for await (const _ of store.scan('approvals:open:')) n += 1;
  for await (const _ of store.scan('escalations:active:')) n += 1;
  return n;
}

/** This release's sweep: read what is due from the indexes (one batch each), then each due approval's claim. */
async function indexSweep(store: Store): Promise<number> {
  const dueApprovals = await store.due('approvals', NOW, BATCH);
  for (const id of dueApprovals) await store.get(`approval-decision:${id}`); // one by one, as sweepApprovals does
  const dueEscalations = await store.due('escalation-reminders', NOW, BATCH);
  return dueApprovals.length + dueEscalations.length;
}

async function indexStatus(store: Store): Promise<number> {
  return (await store.indexSize('approvals')) + (await store.indexSize('escalations-active'));
}

async function time(label: string, fn: () => Promise<number>): Promise<void> {
  const samples: number[] = [];
  let result = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    result = await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  console.log(`  ${label.padEnd(22)} median ${median.toFixed(2).padStart(9)} ms  (min ${(samples[0] ?? 0).toFixed(2)}, max ${(samples.at(-1) ?? 0).toFixed(2)}; found ${result})`);
}

async function bench(name: string, store: Store): Promise<void> {
  console.log(`${name}:`);
  await seed(store);
  await time('sweep, scan (old)', () => scanSweep(store));
  await time('sweep, due index', () => indexSweep(store));
  await time('/status, scan (old)', () => scanStatus(store));
  await time('/status, index size', () => indexStatus(store));
}

const redis = await RedisStore.open({ url: redisUrl, namespace });
const admin = createClient({ url: redisUrl });
await admin.connect();
try {
  await bench('RedisStore', redis);
} finally {
  await redis.close();
  for await (const keys of admin.scanIterator({ MATCH: `${namespace}::*`, COUNT: 1000 })) {
    if (keys.length > 0) await admin.unlink(keys);
  }
  await admin.close();
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'sweep-bench-'));
try {
  const sqlite = await SqliteStore.open({ path: path.join(dir, 'bench.sqlite'), namespace });
  await bench('SqliteStore', sqlite);
  await sqlite.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
