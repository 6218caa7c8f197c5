import OpenAI from 'openai';
import { sharedFetch } from '../http/undici-fetch';
import type { Embedder } from './kb-index';

/** Embeddings from any OpenAI-compatible server (the same OPENAI_* settings as the chat model). */
export function createOpenAIEmbedder(options: { apiKey: string; baseUrl?: string; model: string }): Embedder {
  const client = new OpenAI({ apiKey: options.apiKey, ...(options.baseUrl ? { baseURL: options.baseUrl } : {}), maxRetries: 2, timeout: 30_000, fetch: sharedFetch() });
  return {
    model: options.model,
    async embed(texts) {
      const response = await client.embeddings.create({ model: options.model, input: texts });
      return [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    },
  };
}
