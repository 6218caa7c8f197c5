import { errorFields } from './slack-api';
import type { Logger } from '../../src/index';

/**
 * Work started after Slack was acknowledged (the 3-second rule). Tracked so a
 * shutdown can wait for it and tests can wait until the adapter is idle.
 */
/** How long cosmetic clean-ups wait (see {@link BackgroundWork.later}). Measured: first words p95 −12 ms under bursts (README). */
export const CLEANUP_DELAY_MS = 100;

export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();
  private readonly logger: Logger;

  constructor(options: { logger: Logger }) {
    this.logger = options.logger;
  }

  /** Run a task in the background; failures are logged, never thrown. */
  run(label: string, task: () => Promise<void>): void {
    const p = (async () => {
      try {
        await task();
      } catch (error) {
        this.logger.error({ task: label, ...errorFields(error) }, 'slack background task failed');
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /**
   * Run a cosmetic clean-up (taking a Stop button off, removing 👀) after
   * `delayMs`, tracked like {@link run}. New mentions often arrive just as
   * answers finish; waiting a moment lets their first words go out first.
   */
  later(label: string, delayMs: number, task: () => Promise<void>): void {
    this.run(label, async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await task();
    });
  }

  /** Track a promise someone else awaits (errors stay with them). */
  track<T>(promise: Promise<T>): Promise<T> {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return promise;
  }

  /** Tasks still running. */
  get size(): number {
    return this.running.size;
  }

  /** Resolve once nothing is running (tasks may start tasks); false if `timeoutMs` ran out first. */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
    return true;
  }
}
