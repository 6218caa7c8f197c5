import type { ChatMessage, ToolSpec } from '../ports';

/** Estimates of messages already seen: history is re-estimated twice per turn, and stored messages do not change. */
const messageTokens = new WeakMap<ChatMessage, number>();

/**
 * Cheap token estimate (~4 characters per token plus per-message overhead).
 * Used for budget reservations and history trimming, where a fast upper-ish
 * bound matters more than tokenizer-exact counts. Cached per message object.
 */
export function estimateMessageTokens(message: ChatMessage): number {
  const cached = messageTokens.get(message);
  if (cached !== undefined) return cached;
  let chars = 0;
  if (message.content) chars += message.content.length;
  if (message.role === 'assistant' && message.toolCalls) {
    for (const call of message.toolCalls) chars += call.name.length + call.arguments.length + 12;
  }
  const tokens = Math.ceil(chars / 4) + 4;
  messageTokens.set(message, tokens);
  return tokens;
}

export function estimateTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const message of messages) total += estimateMessageTokens(message);
  return total;
}

/** Tool specs are sent with every request; their size is constant per registry, so cache it. */
const specTokens = new WeakMap<readonly ToolSpec[], number>();
export function estimateToolTokens(tools: readonly ToolSpec[]): number {
  let cached = specTokens.get(tools);
  if (cached === undefined) {
    cached = Math.ceil(JSON.stringify(tools).length / 4);
    specTokens.set(tools, cached);
  }
  return cached;
}
