import { z } from 'zod';
import type { ModelClient } from '../../src/ports';

/** One answer's grade: 1 (bad) to 5 (excellent), with the judge's reason. */
export interface JudgeScore {
  helpfulness: number;
  groundedness: number;
  reason: string;
}

/** Grades a finished conversation with an LLM. Never required in CI. */
export interface Judge {
  grade(transcript: string, signal?: AbortSignal): Promise<JudgeScore | { error: string }>;
}

const scoreSchema = z.object({
  helpfulness: z.coerce.number().int().min(1).max(5),
  groundedness: z.coerce.number().int().min(1).max(5),
  reason: z.string().min(1).max(1000),
});

const RUBRIC = [
  'You grade a customer-support assistant. You get a transcript: user messages, the tool calls the assistant made with a summary of each result, and the assistant replies.',
  'helpfulness (1-5): does the reply solve or correctly route the user\'s request, clearly and politely?',
  'groundedness (1-5): is every fact in the replies supported by the tool results or help-center articles shown? Invented order data, amounts, dates or policies score 1.',
  'Answer with one JSON object only: {"helpfulness": n, "groundedness": n, "reason": "one or two sentences"}.',
].join('\n');

/** A judge over any chat model (the OpenAI client in practice). */
export function createJudge(model: ModelClient): Judge {
  return {
    async grade(transcript, signal = new AbortController().signal) {
      try {
        const response = await model.complete({ messages: [{ role: 'system', content: RUBRIC }, { role: 'user', content: transcript }], tools: [], maxOutputTokens: 300 }, signal);
        const json = /\{[\s\S]*\}/.exec(response.content ?? '')?.[0];
        const parsed = scoreSchema.safeParse(json ? (JSON.parse(json) as unknown) : undefined);
        return parsed.success ? parsed.data : { error: `unreadable grade: ${(response.content ?? '').slice(0, 120)}` };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
