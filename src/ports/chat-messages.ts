/** What travels to and from the model: chat messages, tool specs, requests, responses and usage. */

/** A tool call the model asked for. */
export interface ModelToolCall {
  /** The model's id for the call; the tool result answers it. */
  id: string;
  /** Tool name. */
  name: string;
  /** Raw JSON text as produced by the model; validated before use. */
  arguments: string;
}

/** One message of the conversation as sent to the model. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ModelToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as offered to the model: JSON schema generated from its zod schema. */
export interface ToolSpec {
  /** Name the model calls. */
  name: string;
  /** What the tool does, for the model. */
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
}

/** One chat-completion request. */
export interface ModelRequest {
  /** The conversation so far, system prompt first. */
  messages: ChatMessage[];
  /** Tools the model may call in this step. */
  tools: readonly ToolSpec[];
  /** Cap on the answer's length (also bounds the budget reservation). */
  maxOutputTokens: number;
  /** When set, a client that can stream calls it with each piece of answer text as it arrives. */
  onText?: (delta: string) => void;
}

/** Tokens a request used, as the server reports them. */
export interface ModelUsage {
  /** Tokens read (messages and tool schemas). */
  promptTokens: number;
  /** Tokens written. */
  completionTokens: number;
}

/** One chat-completion response. */
export interface ModelResponse {
  /** Answer text; null when the model only called tools. */
  content: string | null;
  /** Tools the model asked to call, in order. */
  toolCalls: ModelToolCall[];
  /** Token usage, when the server reported it. */
  usage?: ModelUsage;
  /** Model that actually answered (for pricing); defaults to the client's model. */
  model?: string;
  /** The server reported no usage (streams without `include_usage` support): the loop estimates it. */
  usageMissing?: boolean;
}
