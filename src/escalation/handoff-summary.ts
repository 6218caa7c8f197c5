import { scrubText } from '../audit/redact';
import { truncate } from '../text/truncate';
import type { SessionState } from '../sessions/session-state';

export interface HandoffSummary {
  summary: string;
  stepsTaken: string[];
  pending: string[];
}

/**
 * What on-call needs to pick the conversation up without reading it all:
 * the issue in the customer's words, what the bot did, what is waiting.
 */
export function buildHandoffSummary(session: SessionState, reason: string, pendingActions: string[]): HandoffSummary {
  const userMessages = session.history.filter((m) => m.role === 'user').map((m) => m.content);
  const recent = userMessages.slice(-3).map((text) => `“${truncate(scrubText(text.replace(/\s+/g, ' ').trim()), 200)}”`);
  const issue = recent.length > 0 ? recent.join(' → ') : '(no message text)';
  const stepsTaken = session.actions.slice(-8).map((a) => `${a.tool}: ${a.outcome}${a.summary ? ` — ${truncate(scrubText(a.summary), 120)}` : ''}`);
  const lastAnswer = [...session.history].reverse().find((m) => m.role === 'assistant' && m.content);
  const parts = [`Why: ${reason}.`, `Customer said: ${issue}`];
  // Staff see what memory told the bot about this customer's earlier conversations.
  if (session.memory?.history) parts.push(session.memory.history);
  if (lastAnswer && lastAnswer.role === 'assistant' && lastAnswer.content) {
    parts.push(`Bot's last answer: “${truncate(scrubText(lastAnswer.content.replace(/\s+/g, ' ')), 200)}”`);
  }
  return { summary: parts.join('\n'), stepsTaken, pending: pendingActions };
}
