import type { ModelClient, ModelRequest, ModelResponse, ModelToolCall } from '../../src/ports';

/** A scripted step: a response, an error to throw, or a function of the request. */
export type ScriptStep = ModelResponse | Error | ((request: ModelRequest, signal: AbortSignal) => Promise<ModelResponse> | ModelResponse);

/**
 * A fake model that returns queued responses in order and records every
 * request, so tests can assert on what the engine sent (fakes over mocks).
 */
export class ScriptedModel implements ModelClient {
  readonly mode = 'openai' as const;
  readonly requests: ModelRequest[] = [];
  private readonly queue: ScriptStep[] = [];
  /** Used when the queue is empty. */
  fallback: ScriptStep | undefined;

  constructor(readonly model = 'gpt-4o-mini', steps: ScriptStep[] = []) {
    this.queue.push(...steps);
  }

  push(...steps: ScriptStep[]): this {
    this.queue.push(...steps);
    return this;
  }

  get calls(): number {
    return this.requests.length;
  }

  async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const step = this.queue.shift() ?? this.fallback;
    if (step === undefined) throw new Error(`ScriptedModel: no response scripted for call ${this.requests.length}`);
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(request, signal);
    return step;
  }
}

let callCounter = 0;

/** A response that calls tools. */
export function callTools(...calls: Array<{ name: string; args?: unknown; rawArgs?: string; id?: string }>): ModelResponse {
  const toolCalls: ModelToolCall[] = calls.map((c) => ({
    id: c.id ?? `call_${++callCounter}_${Math.random().toString(36).slice(2, 8)}`,
    name: c.name,
    arguments: c.rawArgs ?? JSON.stringify(c.args ?? {}),
  }));
  return { content: null, toolCalls, usage: { promptTokens: 100, completionTokens: 20 } };
}

/** A final answer. */
export function answer(text: string, usage = { promptTokens: 100, completionTokens: 20 }): ModelResponse {
  return { content: text, toolCalls: [], usage };
}

/** The last tool result the model was shown, parsed. */
export function lastToolResult(request: ModelRequest | undefined): unknown {
  const tool = request?.messages.findLast((m) => m.role === 'tool');
  return tool && tool.role === 'tool' ? JSON.parse(tool.content) : undefined;
}
