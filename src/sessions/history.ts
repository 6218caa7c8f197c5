import { estimateMessageTokens } from '../agent/tokens';
import type { ChatMessage } from '../ports';

/**
 * Split history into units that must stay together: an assistant message
 * with tool calls plus the tool results that answer it (the API rejects
 * orphaned tool results), or any single other message.
 */
function groups(history: readonly ChatMessage[]): ChatMessage[][] {
  const out: ChatMessage[][] = [];
  for (const message of history) {
    const last = out[out.length - 1];
    if (message.role === 'tool' && last && last[0]?.role === 'assistant') last.push(message);
    else if (message.role === 'tool') continue; // orphan (its call was trimmed earlier): drop it
    else out.push([message]);
  }
  return out;
}

/**
 * The newest messages that fit in `budgetTokens`, never splitting a tool
 * call from its results and never starting with a tool result. The newest
 * group is always kept so the model sees the current question.
 */
export function trimHistory(history: readonly ChatMessage[], budgetTokens: number): ChatMessage[] {
  const all = groups(history);
  const kept: ChatMessage[][] = [];
  let used = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const group = all[i] as ChatMessage[];
    const cost = group.reduce((sum, m) => sum + estimateMessageTokens(m), 0);
    if (kept.length > 0 && used + cost > budgetTokens) break;
    kept.push(group);
    used += cost;
  }
  return kept.reverse().flat();
}

/** Bound what is stored: keep the newest `maxMessages`, cut at a group boundary. */
export function capHistory(history: readonly ChatMessage[], maxMessages: number): ChatMessage[] {
  if (history.length <= maxMessages) return [...history];
  const all = groups(history);
  const kept: ChatMessage[][] = [];
  let count = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const group = all[i] as ChatMessage[];
    if (kept.length > 0 && count + group.length > maxMessages) break;
    kept.push(group);
    count += group.length;
  }
  return kept.reverse().flat();
}
