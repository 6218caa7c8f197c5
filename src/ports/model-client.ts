/** Port: one chat-completion request in, one response out. */
import type { ModelRequest, ModelResponse } from './chat-messages';
import type { ModelHealth } from './reports';

/** One chat-completion request in, one response out. Errors are `ModelError`s. */
export interface ModelClient {
  /** Model name used for pricing and status. */
  readonly model: string;
  /** `offline` for the built-in deterministic policy. */
  readonly mode: 'openai' | 'offline';
  /** Send one request; abort it through `signal` (timeouts, Stop). */
  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  /** Health as last observed, when the client tracks it (bootstrap wraps every model so it does). */
  health?(): ModelHealth;
}
