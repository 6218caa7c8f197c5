import { estimateTokens, estimateToolTokens } from '../../src/agent/tokens';
import { ModelError } from '../../src/errors';
import type { ModelClient, ModelRequest, ModelResponse, ModelUsage } from '../../src/ports';

/** A model that is down: every call fails with a non-retryable error, as after exhausted retries. */
export function createFailingModel(): ModelClient {
  return {
    model: 'outage',
    mode: 'openai',
    async complete(): Promise<ModelResponse> {
      throw new ModelError('The model provider is unavailable (eval outage)', { code: 'model_unavailable', retryable: false });
    },
  };
}

/** Wraps a model so it answers as a priced model with fixed usage per call: budgets then bite. */
export function withPricedUsage(inner: ModelClient, name: string, usage: ModelUsage): ModelClient {
  return {
    model: name,
    mode: 'openai',
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      const response = await inner.complete(request, signal);
      return { ...response, usage, model: name };
    },
  };
}

/** Per-call usage as the runner saw it. */
export interface MeteredCall {
  promptTokens: number;
  completionTokens: number;
  /** Our estimate of the request's prompt (messages + tool schemas), the same for every model: compares routed and generic prompts. */
  estimatedPromptTokens: number;
}

/** Wraps a model and records the usage of every successful call. */
export function withMeter(inner: ModelClient, calls: MeteredCall[]): ModelClient {
  return {
    model: inner.model,
    mode: inner.mode,
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      const response = await inner.complete(request, signal);
      calls.push({
        promptTokens: response.usage?.promptTokens ?? 0,
        completionTokens: response.usage?.completionTokens ?? 0,
        estimatedPromptTokens: estimateTokens(request.messages) + estimateToolTokens(request.tools),
      });
      return response;
    },
  };
}
