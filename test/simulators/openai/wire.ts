/**
 * Chat Completions as it travels over HTTP: the request and response shapes
 * the simulator reads and writes, OpenAI's error bodies, and the token
 * estimate it bills with.
 */

/** A tool call as it appears in an assistant message. */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a Chat Completions request. */
export interface WireMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | null | Array<{ type: string; text?: string }>;
  name?: string;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
}

/** The request body fields the simulator looks at; the rest is kept as sent. */
export interface ChatRequest {
  model: string;
  messages: WireMessage[];
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: unknown;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  [field: string]: unknown;
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** OpenAI's error body: `{"error": {message, type, param, code}}`. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** The text of a message, whether sent as a string or as content parts. */
export function textOf(message: WireMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
  return '';
}

/** Text of the last user message, where questions (and tags a test put in them) live. */
export function lastUserText(request: ChatRequest): string {
  return textOf(request.messages.findLast((m) => m.role === 'user'));
}

/** Content of the last tool result (the default policy answers from it). */
export function lastToolResult(request: ChatRequest): string | undefined {
  const last = request.messages.at(-1);
  return last?.role === 'tool' ? textOf(last) : undefined;
}

/** About four characters per token, like OpenAI's rule of thumb; tool specs count too. */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) {
    chars += textOf(m).length;
    for (const call of m.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length;
  }
  const toolChars = request.tools ? JSON.stringify(request.tools).length : 0;
  return Math.ceil((chars + toolChars) / 4) + 3 * request.messages.length + 3;
}

export function estimateCompletionTokens(content: string | null, toolCalls: readonly WireToolCall[]): number {
  let chars = content?.length ?? 0;
  for (const call of toolCalls) chars += call.function.name.length + call.function.arguments.length + 8;
  return Math.max(1, Math.ceil(chars / 4));
}

/** A `chat.completion` object with one choice. */
export function completionBody(input: {
  id: string;
  model: string;
  content: string | null;
  toolCalls: WireToolCall[];
  usage: WireUsage | undefined;
  finishReason?: string;
}): Record<string, unknown> {
  const toolCalls = input.toolCalls.length > 0 ? { tool_calls: input.toolCalls } : {};
  return {
    id: input.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: input.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: input.content, refusal: null, annotations: [], ...toolCalls },
        logprobs: null,
        finish_reason: input.finishReason ?? (input.toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    ...(input.usage
      ? {
          usage: {
            ...input.usage,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
          },
        }
      : {}),
    service_tier: 'default',
    system_fingerprint: 'fp_simulated',
  };
}

/** Error bodies worded as OpenAI words them, by status. */
export function errorFor(status: number, overrides: Partial<OpenAIErrorBody> = {}): OpenAIErrorBody {
  const defaults: Record<number, OpenAIErrorBody> = {
    400: { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null },
    401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    404: { message: 'Not found.', type: 'invalid_request_error', param: null, code: null },
    429: {
      message: 'Rate limit reached for requests. Please try again shortly.',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
    500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
    502: { message: 'Bad gateway.', type: 'server_error', param: null, code: null },
    503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null },
  };
  const base = defaults[status] ?? { message: `HTTP ${status}`, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null };
  return { ...base, ...overrides };
}
