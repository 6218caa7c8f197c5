import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { AppError, ModelError, TimeoutError, ToolError, UserInputError, isRetryable } from '../errors';
import type { BreakerState } from '../ports';

export interface ResilienceOptions {
  model: { timeoutMs: number; maxAttempts: number };
  tools: { timeoutMs: number; maxAttempts: number };
  breaker: { failures: number; cooldownMs: number };
  /** First backoff delay; later ones grow exponentially with decorrelated jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Upper bound on a server-requested Retry-After wait. */
  maxRetryAfterMs?: number;
  onBreakerChange?: (name: string, state: BreakerState['state']) => void;
}

/** Per-call options of `Resilience.tool`. */
export interface ToolCallOptions {
  /** Overrides the default tool timeout. */
  timeoutMs?: number;
  /** Retry transient failures and timeouts (default true). Pass false unless a repeat is harmless. */
  retry?: boolean;
}

/** Runs calls with timeout, retry (backoff + jitter, Retry-After) and a circuit breaker. */
export interface Resilience {
  /** Guard a model call: timeout per attempt, retries on transient errors, shared model breaker. */
  model<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Guard a tool call with that tool's breaker; the signal is aborted when the
   * timeout fires. `timeoutMs` overrides the default. `retry: false` runs one
   * attempt only: callers pass it for tools whose side effect may not repeat.
   */
  tool<T>(name: string, call: (signal: AbortSignal) => Promise<T>, options?: ToolCallOptions): Promise<T>;
  breakers(): BreakerState[];
}

const STATE_NAMES: Record<CircuitState, BreakerState['state']> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Exponential backoff with jitter that waits at least as long as a Retry-After header asked. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly inner: IBackoffFactory<unknown>,
    private readonly maxRetryAfterMs: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const base = this.inner.next(context);
    const error = 'error' in context.result ? context.result.error : undefined;
    const asked = error instanceof AppError && error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, this.maxRetryAfterMs) : 0;
    return { duration: Math.max(base.duration, asked), next: (ctx) => new RetryAfterBackoff(base, this.maxRetryAfterMs).next(ctx) };
  }
}

/** Transient failures: timeouts, network errors, 408/409/429/5xx. */
const transient = (error: Error) => error instanceof TaskCancelledError || isRetryable(error);

/** Failures that say the dependency is unhealthy. Our own bad requests (4xx) and bad input do not. */
const unhealthy = (error: Error) => {
  if (error instanceof UserInputError) return false;
  if (error instanceof AppError && error.code === 'turn_stopped') return false;
  if (error instanceof ModelError && error.status !== undefined) return isRetryable(error);
  return true;
};

/** Build the shared policies once; every model and tool call goes through them. */
export function createResilience(options: ResilienceOptions): Resilience {
  const backoff = new RetryAfterBackoff(
    new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 250, maxDelay: options.maxDelayMs ?? 8_000 }),
    options.maxRetryAfterMs ?? 30_000,
  );
  const breakers = new Map<string, CircuitBreakerPolicy>();

  const breakerFor = (name: string): CircuitBreakerPolicy => {
    let breaker = breakers.get(name);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen(unhealthy), {
        halfOpenAfter: options.breaker.cooldownMs,
        breaker: new ConsecutiveBreaker(options.breaker.failures),
      });
      const created = breaker;
      created.onStateChange((state) => options.onBreakerChange?.(name, STATE_NAMES[state]));
      breakers.set(name, created);
    }
    return breaker;
  };

  // Retry and timeout policies are stateless; build each combination once, not per call.
  const policies = new Map<string, IPolicy>();
  const policyFor = (name: string, limits: { timeoutMs: number; maxAttempts: number }): IPolicy => {
    const key = `${name}\u0000${limits.timeoutMs}\u0000${limits.maxAttempts}`;
    let policy = policies.get(key);
    if (!policy) {
      policy = wrap(
        retry(handleWhen(transient), { maxAttempts: Math.max(0, limits.maxAttempts - 1), backoff }),
        breakerFor(name),
        // Nothing is left running once a call has returned (a streamed body is read to its end first), so the
        // signal is not aborted on return: that abort built a DOMException and ran listeners on every call.
        timeout(limits.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
      );
      policies.set(key, policy);
    }
    return policy;
  };

  const run = async <T>(
    name: string,
    kind: 'model' | 'tool',
    limits: { timeoutMs: number; maxAttempts: number },
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const policy = policyFor(name, limits);
    try {
      // A fresh parent signal per call: without one, cockatiel hangs every call's listener on one
      // shared never-aborted signal (MaxListenersExceededWarning past 10 concurrent calls).
      return await policy.execute(({ signal }) => call(signal), new AbortController().signal);
    } catch (error) {
      // `name` is the breaker key (`tool:x`); people read the tool's own name.
      const what = kind === 'model' ? 'The model' : `Tool ${name.replace(/^tool:/, '')}`;
      if (error instanceof TaskCancelledError) throw new TimeoutError(what, limits.timeoutMs);
      if (error instanceof BrokenCircuitError) {
        const message = `${what} is temporarily unavailable (circuit open)`;
        throw kind === 'model' ? new ModelError(message, { code: 'circuit_open', retryable: false }) : new ToolError('circuit_open', message);
      }
      throw error;
    }
  };

  return {
    model: (call) => run('model', 'model', options.model, call),
    tool: (name, call, overrides) =>
      run(
        `tool:${name}`,
        'tool',
        { timeoutMs: overrides?.timeoutMs ?? options.tools.timeoutMs, maxAttempts: overrides?.retry === false ? 1 : options.tools.maxAttempts },
        call,
      ),
    breakers: () => [...breakers.entries()].map(([name, breaker]) => ({ name, state: STATE_NAMES[breaker.state] })),
  };
}
