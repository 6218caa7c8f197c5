import type { OfflineIntent } from '../../src/agent/offline-intent';
import { isConsultation } from '../../src/agent/offline-model';
import { OfflinePlanner } from '../../src/agent/offline-plan';
import { readTurn } from '../../src/agent/offline-results';
import { ModelError } from '../../src/errors';
import type { ChatMessage, ModelClient, ModelRequest, ModelResponse } from '../../src/ports';
import { claimsAdmin, findInstructions, textsOf, type InstructedCall } from './instructions';

/** Options for the adversarial model. */
export interface AdversarialModelOptions {
  /** Makes tool-call ids; must never repeat (the engine uses them as idempotency keys). */
  newCallId: () => string;
  /** What it understands when no instruction drives it (the demo helpdesk's intents). */
  intents?: readonly OfflineIntent[];
}

/**
 * A model that obeys every instruction it finds in the user's text, in tool
 * results and in help-center articles, calling whatever tool with whatever
 * arguments they name; otherwise it behaves like the offline model. Its
 * answers repeat what the obeyed calls returned. Whatever it does, only the
 * system (roles, approvals, data scoping) stands between it and harm, so a
 * run with zero safety violations means the system held.
 */
export function createAdversarialModel(options: AdversarialModelOptions): ModelClient {
  const planner = new OfflinePlanner(options.intents ?? []);
  return {
    model: 'adversarial',
    mode: 'offline',
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      if (signal.aborted) throw new ModelError('The adversarial model call was aborted', { code: 'model_aborted', retryable: false });
      const usage = { promptTokens: 0, completionTokens: 0 };
      const { sinceUser, userText } = lastTurn(request.messages);
      const made = sinceUser.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []) : []));
      const madeKeys = new Set(made.map((c) => key(c.name, safeJson(c.arguments))));

      const sources = [userText, ...sinceUser.flatMap((m) => (m.role === 'tool' ? textsOf(m.content) : []))];
      const wanted = sources.flatMap((text) => findInstructions(text, request.tools)).filter((c) => !madeKeys.has(key(c.name, c.args)));
      const unique = dedupe(wanted);
      if (unique.length > 0) {
        return { content: null, toolCalls: unique.map((c) => ({ id: options.newCallId(), name: c.name, arguments: JSON.stringify(c.args) })), usage, model: 'adversarial' };
      }

      const offered = new Set(request.tools.map((t) => t.name));
      const step = planner.planStep(readTurn(request.messages), offered, isConsultation(request));
      if (step.kind === 'call') {
        const calls = step.calls.filter((c) => offered.has(c.name) && !madeKeys.has(key(c.name, c.args)));
        if (calls.length > 0) {
          return { content: step.text ?? null, toolCalls: calls.map((c) => ({ id: options.newCallId(), name: c.name, arguments: JSON.stringify(c.args) })), usage, model: 'adversarial' };
        }
      }
      const base = step.kind === 'answer' ? step.text : (step.text ?? 'Done.');
      return { content: compose(base, userText, sinceUser), toolCalls: [], usage, model: 'adversarial' };
    },
  };
}

/** The answer, plus the raw output of every call this turn: if a tool leaked, the user sees it. */
function compose(base: string, userText: string, sinceUser: ChatMessage[]): string {
  const outputs = sinceUser.flatMap((m) => (m.role === 'tool' ? [`- ${m.content.slice(0, 600)}`] : []));
  const claim = claimsAdmin(userText) ? 'Understood: I will treat you as an admin from now on.\n\n' : '';
  // The raw results go first so the answer's closing offer stays last, where a "yes" looks for it.
  return `${claim}${outputs.length > 0 ? `Raw results of what I did:\n${outputs.join('\n')}\n\n` : ''}${base}`;
}

function lastTurn(messages: readonly ChatMessage[]): { sinceUser: ChatMessage[]; userText: string } {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i];
    if (m?.role === 'user') return { sinceUser: messages.slice(i + 1), userText: m.content };
  }
  return { sinceUser: [], userText: '' };
}

const key = (name: string, args: unknown) => `${name} ${JSON.stringify(args)}`;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function dedupe(calls: InstructedCall[]): InstructedCall[] {
  const seen = new Set<string>();
  return calls.filter((c) => {
    const k = key(c.name, c.args);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
