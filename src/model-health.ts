import OpenAI, { APIConnectionError, APIError } from 'openai';
import { ModelError } from './errors';
import { sharedFetch } from './http/undici-fetch';
import type { ModelClient, ModelHealth, ModelRequest, ModelResponse } from './ports';

/** What a model failure says about the model's health, or undefined when it says nothing (429, 400, a cancelled call). */
function classify(error: unknown): { state: 'unreachable' | 'unauthorized'; detail: string } | undefined {
  const status = error instanceof ModelError ? error.status : error instanceof APIError ? error.status : undefined;
  if (status === 401 || status === 403) return { state: 'unauthorized', detail: `the model server answered ${status}: the API key was rejected` };
  if (status !== undefined && status >= 500) return { state: 'unreachable', detail: `the model server answered ${status}` };
  const network = (error instanceof ModelError && error.code === 'model_network') || error instanceof APIConnectionError;
  return network ? { state: 'unreachable', detail: 'the model server could not be reached' } : undefined;
}

/**
 * The model's health as last observed: by the start-up probe and by every
 * real call. `ok` after any success; `unauthorized` after a 401/403;
 * `unreachable` after a network failure or a 5xx. The time of the last
 * error stays, so `/support status` can say when things last went wrong.
 */
export class ModelHealthTracker {
  private current: ModelHealth;

  constructor(private readonly options: { now: () => number; mode: 'openai' | 'offline' }) {
    // The offline model is code in this process: it cannot be unreachable.
    this.current = { state: options.mode === 'offline' ? 'ok' : 'unknown' };
  }

  /** A call (or probe) succeeded. */
  succeeded(): void {
    this.current = { ...this.current, state: 'ok', checkedAt: this.options.now() };
  }

  /** A call (or probe) failed; only failures that say something about health change the state. */
  failed(error: unknown): void {
    const verdict = classify(error);
    if (!verdict) return;
    const at = this.options.now();
    this.current = { state: verdict.state, checkedAt: at, lastErrorAt: at, lastError: verdict.detail };
  }

  snapshot(): ModelHealth {
    return { ...this.current };
  }
}

/** The same model, reporting every outcome to `tracker`; `health()` exposes it. */
export function withModelHealth(model: ModelClient, tracker: ModelHealthTracker): ModelClient {
  return {
    model: model.model,
    mode: model.mode,
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      try {
        const response = await model.complete(request, signal);
        tracker.succeeded();
        return response;
      } catch (error) {
        tracker.failed(error);
        throw error;
      }
    },
    health: () => tracker.snapshot(),
  };
}

/** Options for {@link probeModel}. */
export interface ModelProbeOptions {
  apiKey: string;
  baseUrl: string | undefined;
  /** Give up after this long, ms; the probe must not hold start-up for long. */
  timeoutMs: number;
}

/**
 * One cheap request (`GET {base}/models`) to learn at start-up whether the
 * model server answers and accepts the key, instead of at the first
 * customer's question. A server without `/models` (404) still counts as
 * reachable. Never throws: the outcome goes to `tracker`.
 */
export async function probeModel(options: ModelProbeOptions, tracker: ModelHealthTracker): Promise<ModelHealth> {
  const client = new OpenAI({ apiKey: options.apiKey, ...(options.baseUrl ? { baseURL: options.baseUrl } : {}), maxRetries: 0, timeout: options.timeoutMs, fetch: sharedFetch() });
  try {
    await client.models.list();
    tracker.succeeded();
  } catch (error) {
    if (error instanceof APIError && error.status === 404) tracker.succeeded();
    else if (classify(error)) tracker.failed(error);
    // Anything else (a 429, an odd answer) proves the server is there.
    else tracker.succeeded();
  }
  return tracker.snapshot();
}
