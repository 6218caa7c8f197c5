import type { ChatRequest, OpenAIErrorBody } from './wire';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const invalid = (message: string, param: string | null = null, code: string | null = null): OpenAIErrorBody => ({
  message,
  type: 'invalid_request_error',
  param,
  code,
});

/**
 * The checks OpenAI makes before answering that a client can get wrong when
 * mapping messages: required fields, roles, tool specs, and tool results that
 * must answer every tool call of the assistant message just before them.
 * Returns the 400 error OpenAI would give, or undefined when the body is fine.
 */
export function validateChatRequest(body: unknown): OpenAIErrorBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.');
  }
  const request = body as ChatRequest;
  if (typeof request.model !== 'string' || request.model === '') return invalid('you must provide a model parameter', 'model');
  if (!Array.isArray(request.messages)) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (request.messages.length === 0) return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages', 'empty_array');
  if (request.stream_options !== undefined && request.stream !== true) {
    return invalid('The stream_options parameter is only allowed when stream is enabled.', 'stream_options', 'invalid_value');
  }
  if (request.max_tokens !== undefined && request.max_completion_tokens !== undefined) {
    return invalid("Use either 'max_tokens' or 'max_completion_tokens', not both.", 'max_tokens', 'unsupported_parameter');
  }

  if (request.tools !== undefined) {
    if (!Array.isArray(request.tools)) return invalid("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
    for (const [i, tool] of request.tools.entries()) {
      if (tool?.type !== 'function') return invalid(`Invalid value for 'tools[${i}].type'.`, `tools[${i}].type`, 'invalid_value');
      if (!FUNCTION_NAME.test(tool.function?.name ?? '')) {
        return invalid(`Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `tools[${i}].function.name`, 'invalid_value');
      }
      const parameters = tool.function.parameters;
      if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
        return invalid(`Invalid type for 'tools[${i}].function.parameters': expected an object.`, `tools[${i}].function.parameters`, 'invalid_type');
      }
    }
  }
  if (request.tool_choice !== undefined && (request.tools === undefined || request.tools.length === 0)) {
    return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  }

  // Tool calls still waiting for their result message.
  let awaiting: Set<string> | undefined;
  for (const [i, message] of request.messages.entries()) {
    if (!message || !ROLES.has(message.role)) return invalid(`Invalid value for 'messages[${i}].role'.`, `messages[${i}].role`, 'invalid_value');
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string') return invalid(`Missing required parameter: 'messages[${i}].tool_call_id'.`, `messages[${i}].tool_call_id`, 'missing_required_parameter');
      if (!awaiting || !awaiting.delete(message.tool_call_id)) {
        return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      }
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
        return invalid(`Invalid type for 'messages[${i}].content': expected a string.`, `messages[${i}].content`, 'invalid_type');
      }
      continue;
    }
    if (awaiting && awaiting.size > 0) {
      return invalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...awaiting].join(', ')}`,
        'messages',
      );
    }
    awaiting = undefined;
    if (message.role === 'assistant') {
      const calls = message.tool_calls;
      if (calls !== undefined) {
        if (!Array.isArray(calls) || calls.length === 0) return invalid(`Invalid 'messages[${i}].tool_calls': empty array.`, `messages[${i}].tool_calls`, 'empty_array');
        for (const [k, call] of calls.entries()) {
          if (typeof call?.id !== 'string' || call.type !== 'function' || typeof call.function?.name !== 'string' || typeof call.function.arguments !== 'string') {
            return invalid(`Invalid 'messages[${i}].tool_calls[${k}]': expected {id, type: 'function', function: {name, arguments: string}}.`, `messages[${i}].tool_calls[${k}]`);
          }
        }
        awaiting = new Set(calls.map((c) => c.id));
      } else if (message.content === undefined || message.content === null) {
        return invalid(`Invalid value for 'messages[${i}].content': expected a string, got null.`, `messages[${i}].content`);
      }
    } else if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return invalid(`Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`, `messages[${i}].content`, 'invalid_type');
    }
  }
  if (awaiting && awaiting.size > 0) {
    return invalid(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...awaiting].join(', ')}`,
      'messages',
    );
  }
  return undefined;
}
