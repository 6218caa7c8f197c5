/**
 * Bench-only prototypes of changes suggested for src/, applied to the running
 * engine's store instance (never to the source), so their gain is measured on
 * the same database and turns rather than guessed.
 */
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';

/**
 * What-if "checkpoint off the request path": the engine's connection stops
 * auto-checkpointing and a second connection runs PASSIVE checkpoints on a
 * timer. Returns a stop function that restores auto-checkpointing and
 * reports how long each background checkpoint took.
 */
export async function backgroundCheckpoints(
  storeFile: string,
  raw: (sql: string) => Promise<unknown>,
  intervalMs = 1_000,
): Promise<() => Promise<number[]>> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(storeFile, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', 5_000);
  const durations: number[] = [];
  let running: Promise<void> | undefined;
  const checkpoint = () => {
    if (running) return;
    const started = performance.now();
    running = new Promise<void>((resolve) =>
      db.all('PRAGMA wal_checkpoint(PASSIVE)', () => {
        durations.push(performance.now() - started);
        running = undefined;
        resolve();
      }),
    );
  };
  await raw('PRAGMA wal_autocheckpoint = 0');
  const timer = setInterval(checkpoint, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
    await raw('PRAGMA wal_autocheckpoint = 1000');
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    return durations;
  };
}
