/** One thing to stop on the way out, in order. */
export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/** How a shutdown went. */
export type ShutdownOutcome =
  | { completed: true; elapsedMs: number }
  /** The deadline passed: `unfinished` is the step that was running and every step after it. */
  | { completed: false; elapsedMs: number; unfinished: string[] };

/** Options for {@link shutdownWithDeadline}. */
export interface ShutdownOptions {
  steps: ShutdownStep[];
  /** Give up waiting after this long, ms. */
  timeoutMs: number;
  now?: () => number;
  /** Called when a step throws; the next steps still run. */
  onStepError?: (step: string, error: unknown) => void;
}

/**
 * Run the shutdown steps one after another (stop taking work, let in-flight
 * work finish, close stores), but never for longer than `timeoutMs`: a turn
 * stuck on a dead model must not keep a deploy or a restart waiting forever.
 */
export async function shutdownWithDeadline(options: ShutdownOptions): Promise<ShutdownOutcome> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let current = 0;
  const run = (async () => {
    for (; current < options.steps.length; current++) {
      const step = options.steps[current]!;
      await step.run().catch((error: unknown) => options.onStepError?.(step.name, error));
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), options.timeoutMs);
  });
  const result = await Promise.race([run.then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  const elapsedMs = Math.round(now() - started);
  if (result === 'done') return { completed: true, elapsedMs };
  return { completed: false, elapsedMs, unfinished: options.steps.slice(current).map((s) => s.name) };
}
