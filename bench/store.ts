/**
 * Store latency with a realistic number of stored sessions.
 * Usage: npx tsx bench/store.ts [sessions=100000] [opsPerKind=5000] [redisUrl=redis://127.0.0.1:6379]
 * Prints, per store and operation, sequential ops/s with p50/p99 latency and
 * throughput with 32 calls in flight.
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
const opsPerKind = Number(process.argv[3] ?? 5_000);
const redisUrl = process.argv[4] ?? 'redis://127.0.0.1:6379';
const namespace = `bench_${process.pid}`;

/** A session roughly the size the engine keeps (~1.5 KB of JSON). */
const session = (i: number) => ({
  v: 1,
  id: `slack:T1:C1:${i}`,
  history: Array.from({ length: 8 }, (_, t) => ({ role: t % 2 ? 'assistant' : 'user', text: `message ${t} `.repeat(12) })),
  costUsd: 0.0123,
});

type Op = (i: number) => Promise<unknown>;

async function inFlight(count: number, concurrency: number, op: Op): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
}

async function measure(label: string, op: Op): Promise<void> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < opsPerKind; i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  const sequential = opsPerKind / ((performance.now() - started) / 1000);
  const parallelStart = performance.now();
  await inFlight(opsPerKind, 32, (i) => op(opsPerKind + i));
  const parallel = opsPerKind / ((performance.now() - parallelStart) / 1000);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(3);
  console.log(
    `  ${label.padEnd(12)} ${sequential.toFixed(0).padStart(7)} ops/s  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms  | 32 in flight ${parallel.toFixed(0).padStart(7)} ops/s`,
  );
}

async function bench(name: string, store: Store): Promise<void> {
  const seedStart = performance.now();
  await inFlight(sessions, 64, (i) => store.set(`session:${i}`, session(i), 86_400_000));
  console.log(`${name}: seeded ${sessions} sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const pick = (i: number) => (i * 7919) % sessions; // spread reads over the whole key space
  await measure('get', (i) => store.get(`session:${pick(i)}`));
  await measure('set', (i) => store.set(`session:${pick(i)}`, session(i), 86_400_000));
  await measure('increment', (i) => store.increment(`spend:user${i % 100}`, 0.0042, 86_400_000));
  await measure('setIfAbsent', (i) => store.setIfAbsent(`seen:${i}`, 1, 600_000));
  console.log(`  rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'store-bench-'));
try {
  const sqlite = await SqliteStore.open({ path: path.join(dir, 'bench.sqlite'), namespace });
  await bench('SqliteStore', sqlite);
  await sqlite.close();
} finally {
  await rm(dir, { recursive: true, force: true });
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
