import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { scrubDeep } from '../audit/redact';
import type { ChatMessage, ModelResponse, ModelUsage } from '../ports';

/** What the loop needs to trace a run; absent when tracing is off, so the hot path does nothing. */
export interface AgentTracing {
  tracer: Tracer;
  /** `openai` or `offline` (gen_ai.provider.name). */
  provider: string;
  agentName: string;
  /** Export message content and tool arguments (redacted). */
  captureContent: boolean;
}

const redacted = (value: unknown) => JSON.stringify(scrubDeep(value));

/** `invoke_agent {agent}`: one run of the loop (a turn, or a run resumed after approval). */
export function startAgentSpan(t: AgentTracing, attrs: { conversationId: string; model: string }): Span {
  return t.tracer.startSpan(`invoke_agent ${t.agentName}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': t.provider,
      'gen_ai.agent.name': t.agentName,
      'gen_ai.request.model': attrs.model,
      'gen_ai.conversation.id': attrs.conversationId,
    },
  });
}

/** `chat {model}`: one model call, a child of the run's span. */
export function startChatSpan(t: AgentTracing, parent: Span | undefined, attrs: { model: string; maxTokens: number; messages: readonly ChatMessage[] }): Span {
  const span = t.tracer.startSpan(
    `chat ${attrs.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': t.provider,
        'gen_ai.request.model': attrs.model,
        'gen_ai.request.max_tokens': attrs.maxTokens,
      },
    },
    parent ? trace.setSpan(context.active(), parent) : undefined,
  );
  if (t.captureContent) span.setAttribute('gen_ai.input.messages', redacted(attrs.messages));
  return span;
}

/** Close a chat span with what the model answered (or why it failed). */
export function endChatSpan(t: AgentTracing, span: Span, outcome: { response?: ModelResponse; usage?: ModelUsage; error?: unknown }): void {
  const { response, usage, error } = outcome;
  if (response) {
    if (response.model) span.setAttribute('gen_ai.response.model', response.model);
    span.setAttribute('gen_ai.response.finish_reasons', [response.toolCalls.length > 0 ? 'tool_calls' : 'stop']);
    if (t.captureContent) span.setAttribute('gen_ai.output.messages', redacted({ content: response.content, toolCalls: response.toolCalls }));
  }
  if (usage) {
    span.setAttribute('gen_ai.usage.input_tokens', usage.promptTokens);
    span.setAttribute('gen_ai.usage.output_tokens', usage.completionTokens);
  }
  if (error !== undefined) failSpan(span, error);
  span.end();
}

/** `execute_tool {tool}`: one tool call, a child of the run's span. */
export function startToolSpan(t: AgentTracing, parent: Span | undefined, attrs: { name: string; callId: string; args: string }): Span {
  const span = t.tracer.startSpan(
    `execute_tool ${attrs.name}`,
    { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': attrs.name, 'gen_ai.tool.call.id': attrs.callId } },
    parent ? trace.setSpan(context.active(), parent) : undefined,
  );
  if (t.captureContent) span.setAttribute('gen_ai.tool.call.arguments', redacted(attrs.args));
  return span;
}

/** Mark a span failed with a bounded `error.type` (an error code or class name, never a message). */
export function failSpan(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  span.setAttribute('error.type', typeof code === 'string' ? code : error instanceof Error ? error.name : 'error');
  span.setStatus({ code: SpanStatusCode.ERROR });
}
