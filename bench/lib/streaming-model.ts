import type { ModelClient, ModelRequest, ModelResponse } from '../../src/ports';

/** Options for {@link createStreamingModel}. */
export interface StreamingModelOptions {
  /** When the first piece of text arrives, after the request (ms). */
  firstTokenMs: number;
  /** Characters per piece. Default 8. */
  chunkChars?: number;
  /** Pause between pieces (ms). Default 15. */
  intervalMs?: number;
  /** The answer written. */
  answer: (request: ModelRequest) => string;
  /** Called when a request arrives (benchmarks split the time before the model from the time in it). */
  onRequest?: (request: ModelRequest) => void;
}

/**
 * A loopback model that streams: nothing for `firstTokenMs`, then the answer
 * in pieces through `request.onText`, like a streaming Chat Completions
 * server. Honours the abort signal (a stopped turn ends it at once).
 */
export function createStreamingModel(options: StreamingModelOptions): ModelClient {
  const size = options.chunkChars ?? 8;
  const gap = options.intervalMs ?? 15;
  return {
    model: 'gpt-4o-mini',
    mode: 'openai',
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      options.onRequest?.(request);
      const text = options.answer(request);
      await sleep(options.firstTokenMs, signal);
      for (let i = 0; i < text.length; i += size) {
        if (i > 0) await sleep(gap, signal);
        request.onText?.(text.slice(i, i + size));
      }
      return { content: text, toolCalls: [], usage: { promptTokens: 200, completionTokens: Math.ceil(text.length / 4) } };
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
