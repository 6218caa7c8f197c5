import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { ModelError } from '../errors';
import { sharedFetch } from '../http/undici-fetch';
import type { ChatMessage, ModelClient, ModelRequest, ModelResponse, ToolSpec } from '../ports';

export interface OpenAIModelOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (vLLM, Ollama, Azure proxies, a test double). */
  baseUrl?: string;
  model: string;
}

function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      };
  }
}

const toOpenAITool = (spec: ToolSpec): ChatCompletionTool => ({
  type: 'function',
  function: { name: spec.name, description: spec.description, parameters: spec.parameters },
});

/** Retry-After in seconds or an HTTP date; OpenAI also sends retry-after-ms. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Classify SDK errors so the retry policy can decide on status alone. */
export function toModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof APIUserAbortError) return new ModelError('The model call was cancelled', { code: 'model_aborted', retryable: true, cause: error });
  if (error instanceof APIConnectionError) return new ModelError('Could not reach the model server', { cause: error });
  if (error instanceof APIError) {
    const after = retryAfterMs(error.headers);
    return new ModelError(`The model server answered ${error.status ?? 'with an error'}`, {
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(after !== undefined ? { retryAfterMs: after } : {}),
      cause: error,
    });
  }
  return new ModelError('The model call failed', { cause: error });
}

/**
 * Chat Completions with tools through the official SDK. The SDK's own retries
 * are off: timeouts, retries and the breaker are ours, shared with tools.
 */
export function createOpenAIModel(options: OpenAIModelOptions): ModelClient {
  const client = new OpenAI({ apiKey: options.apiKey, ...(options.baseUrl ? { baseURL: options.baseUrl } : {}), maxRetries: 0, timeout: 600_000, fetch: sharedFetch() });
  // OpenAI's newer models want max_completion_tokens; many compatible servers only know max_tokens.
  const limitField = options.baseUrl && !options.baseUrl.includes('api.openai.com') ? 'max_tokens' : 'max_completion_tokens';
  return {
    model: options.model,
    mode: 'openai',
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      if (request.onText) return streamCompletion(client, options.model, limitField, request, request.onText, signal);
      try {
        const completion = await client.chat.completions.create(
          {
            model: options.model,
            messages: request.messages.map(toOpenAIMessage),
            ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAITool), tool_choice: 'auto' as const } : {}),
            [limitField]: request.maxOutputTokens,
          },
          { signal },
        );
        const choice = completion.choices[0];
        // Billed even though unusable: the usage travels with the error so the retry is paid for.
        if (!choice) {
          throw new ModelError('The model returned no choices', {
            code: 'model_empty',
            retryable: true,
            ...(completion.usage ? { usage: { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens } } : {}),
          });
        }
        const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) =>
          call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' }] : [],
        );
        // Priced by the configured model name (operators can price it via MODEL_PRICES), not the snapshot name the server echoes.
        return {
          content: choice.message.content ?? null,
          toolCalls,
          ...(completion.usage ? { usage: { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens } } : {}),
        };
      } catch (error) {
        throw toModelError(error);
      }
    },
  };
}

type OpenAIClient = InstanceType<typeof OpenAI>;

/**
 * The same request streamed: text is handed on as it arrives, tool-call
 * deltas are assembled by index, and usage comes from the final chunk
 * (`stream_options.include_usage`). A server that reports none is marked so
 * the loop bills its estimate.
 */
async function streamCompletion(
  client: OpenAIClient,
  model: string,
  limitField: 'max_tokens' | 'max_completion_tokens',
  request: ModelRequest,
  onText: (delta: string) => void,
  signal: AbortSignal,
): Promise<ModelResponse> {
  let streamedText = false;
  try {
    const stream = await client.chat.completions.create(
      {
        model,
        messages: request.messages.map(toOpenAIMessage),
        ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAITool), tool_choice: 'auto' as const } : {}),
        [limitField]: request.maxOutputTokens,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    let content = '';
    let sawChoice = false;
    let finished = false;
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let usage: ModelResponse['usage'];
    for await (const chunk of stream) {
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      const choice = chunk.choices[0];
      if (!choice) continue;
      sawChoice = true;
      if (choice.finish_reason) finished = true;
      const delta = choice.delta;
      if (delta.content) {
        content += delta.content;
        streamedText = true;
        onText(delta.content);
      }
      for (const part of delta.tool_calls ?? []) {
        const call = (calls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
      }
    }
    if (!sawChoice) throw new ModelError('The model returned no choices', { code: 'model_empty', retryable: true });
    // A stream cut short can end quietly; without a finish reason the answer is incomplete.
    if (!finished) throw new ModelError('The model stream ended before the answer was complete', { code: 'model_stream_incomplete', retryable: true });
    return {
      content: content === '' ? null : content,
      toolCalls: calls.filter((c) => c.name !== ''),
      ...(usage ? { usage } : { usageMissing: true }),
    };
  } catch (error) {
    const failure = toModelError(error);
    // Text already shown cannot be taken back: a retry would show it twice.
    if (streamedText && failure.retryable) throw new ModelError(`${failure.message} (mid-answer)`, { code: 'model_stream_broken', retryable: false, cause: error });
    throw failure;
  }
}
