import { randomUUID } from 'node:crypto';
import { ModelError } from '../errors';
import type { ModelClient, ModelRequest, ModelResponse } from '../ports';
import type { OfflineIntent } from './offline-intent';
import { OfflinePlanner } from './offline-plan';
import { readTurn } from './offline-results';

const CONSULTED = /\byou are consulted for the [\w ]+ part only\b/;

/** Whether a request consults the model for one part of a cross-domain message (see SpecialistDirectory). */
export function isConsultation(request: ModelRequest): boolean {
  const first = request.messages[0];
  return first?.role === 'system' && CONSULTED.test(first.content);
}

/** Options for the offline model; all optional. */
export interface OfflineModelOptions {
  /**
   * Makes tool-call ids. The engine uses the id as the tool's idempotency
   * key, so ids must never repeat across turns; the default is random.
   */
  newCallId?: () => string;
  /** What the model understands beyond the generic intents (greetings, a person, help-center questions): plugins' `offlineIntents`. */
  intents?: readonly OfflineIntent[];
}

/**
 * The model used when no OpenAI key is configured: deterministic intent
 * rules (the generic ones plus the plugins') over the conversation and the offered tools. It calls only tools that
 * are offered, composes answers only from tool results, and costs nothing.
 */
export function createOfflineModel(options: OfflineModelOptions = {}): ModelClient {
  const newCallId = options.newCallId ?? (() => `call_${randomUUID().replace(/-/g, '')}`);
  const planner = new OfflinePlanner(options.intents ?? []);
  return {
    model: 'offline',
    mode: 'offline',
    async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
      if (signal.aborted) throw new ModelError('The offline model call was aborted', { code: 'model_aborted', retryable: false });
      const offered = new Set(request.tools.map((t) => t.name));
      // Consulted for one part of a cross-domain message, it plans only that part.
      const step = planner.planStep(readTurn(request.messages), offered, isConsultation(request));
      const usage = { promptTokens: 0, completionTokens: 0 };
      // Streamed word by word where the platform shows text as it arrives, like a real model.
      const text = step.text;
      if (request.onText && text) for (const piece of text.match(/\S+\s*|\s+/g) ?? []) request.onText(piece);
      if (step.kind === 'answer') return { content: step.text, toolCalls: [], usage, model: 'offline' };
      return {
        content: step.text ?? null,
        toolCalls: step.calls.filter((c) => offered.has(c.name)).map((c) => ({ id: newCallId(), name: c.name, arguments: JSON.stringify(c.args) })),
        usage,
        model: 'offline',
      };
    },
  };
}
