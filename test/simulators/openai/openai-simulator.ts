import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { validateChatRequest } from './validate-request';
import {
  type ChatRequest,
  completionBody,
  errorFor,
  estimateCompletionTokens,
  estimatePromptTokens,
  lastToolResult,
  type OpenAIErrorBody,
  type WireToolCall,
  type WireUsage,
} from './wire';

/** How the simulator answers when nothing is scripted. */
export interface OpenAISimulatorOptions {
  /** Bearer token accepted (`OPENAI_API_KEY`). Default `test`. */
  apiKey?: string;
  /** Tool the default policy calls after a user message. Default `lookup_order`. */
  toolName?: string;
  /** Arguments of that call (an object is JSON-encoded). Default `{}`. */
  toolArguments?: (request: ChatRequest) => unknown;
  /** Final answer after a tool result. Default: a sentence quoting the result. */
  answer?: (request: ChatRequest) => string;
  /** Usage reported with a reply; return undefined to omit it. Default: a ~4 chars/token estimate. */
  usage?: (request: ChatRequest, reply: { content: string | null; toolCalls: WireToolCall[] }) => WireUsage | undefined;
  /** Added before every answer (scripted delays add to it). Default 0. */
  latencyMs?: number;
  /** Streamed answers (`stream: true`): characters per content chunk. Default 8. */
  streamChunkChars?: number;
  /** Streamed answers: pause between chunks (the opening chunk and the first delta come together after `latencyMs`). Default 0. */
  streamIntervalMs?: number;
  /** Keep every request in `requests` (benchmarks turn it off; `stats` always counts). Default true. */
  record?: boolean;
  /** Called when a chat completion request has arrived and passed validation (benchmarks time it). */
  onRequest?: (request: ChatRequest, receivedAt: number) => void;
}

/** A reply written by the test instead of the default policy. */
export interface ScriptedReply {
  kind: 'reply';
  content?: string | null;
  /** Arguments may be given as an object; ids default to fresh `call_…` ids. */
  toolCalls?: Array<{ id?: string; name: string; arguments: string | object }>;
  /** `null` omits usage, as some compatible servers do. Default: the simulator's estimate. */
  usage?: WireUsage | null;
  /** Model name echoed back. Default: the requested model. */
  model?: string;
  delayMs?: number;
  /** Streamed replies only: cut the connection after this many chunks (a stream that breaks mid-answer). */
  breakAfterChunks?: number;
}

/** What the next request gets. */
export type ScriptedStep =
  | ScriptedReply
  /** The default policy's answer, possibly late (a slow model). */
  | { kind: 'default'; delayMs?: number }
  /** An HTTP error with OpenAI's error body; headers such as `retry-after` are sent as given. */
  | { kind: 'error'; status: number; error?: Partial<OpenAIErrorBody>; headers?: Record<string, string>; delayMs?: number }
  /** The TCP connection is reset (RST) instead of answering. */
  | { kind: 'reset'; delayMs?: number }
  /** Any status and body, verbatim (malformed or odd answers). */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string>; delayMs?: number };

/** One HTTP request as the simulator saw it. */
export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: ChatRequest | undefined;
  /** `performance.now()` when the body had arrived. */
  receivedAt: number;
  /** HTTP status answered, once answered. */
  status?: number;
  /** `aborted`: the client gave up before the answer; `reset`: the simulator cut the connection. */
  outcome: 'pending' | 'answered' | 'aborted' | 'reset';
  /** What the step was: `tool_call`, `final`, `error`, `reset`, `raw`. */
  answeredWith?: string;
}

/** Counters kept even when requests are not recorded. */
export interface SimulatorStats {
  requests: number;
  toolCalls: number;
  finals: number;
  errors: number;
  resets: number;
  aborted: number;
  /** Tokens billed in answered completions (what `usage` said). */
  promptTokens: number;
  completionTokens: number;
}

const COMPLETIONS_PATH = '/v1/chat/completions';
const MODELS_PATH = '/v1/models';

/**
 * A loopback OpenAI-compatible server owned by tests and benchmarks. Speaks
 * Chat Completions (JSON, with `usage`); when nothing is scripted it asks for
 * one tool call after a user message and answers after a tool result. Steps
 * queued with `script` (or the fault helpers) answer the next requests first.
 */
export class OpenAISimulator {
  readonly requests: RecordedRequest[] = [];
  readonly stats: SimulatorStats = { requests: 0, toolCalls: 0, finals: 0, errors: 0, resets: 0, aborted: 0, promptTokens: 0, completionTokens: 0 };
  private readonly queue: ScriptedStep[] = [];
  private readonly apiKey: string;
  private readonly options: OpenAISimulatorOptions;
  private server: Server | undefined;
  private port = 0;
  private seq = 0;
  private callSeq = 0;

  constructor(options: OpenAISimulatorOptions = {}) {
    this.options = options;
    this.apiKey = options.apiKey ?? 'test';
  }

  /** Base URL for the SDK and `OPENAI_BASE_URL` (ends in `/v1`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queue answers for the next requests, in order. Requests refused before that (wrong key, invalid body) use none up. */
  script(...steps: ScriptedStep[]): this {
    this.queue.push(...steps);
    return this;
  }

  /** Steps not used yet. */
  get pending(): number {
    return this.queue.length;
  }

  /** HTTP 429 with `retry-after` (seconds) and/or `retry-after-ms`, as OpenAI sends them. */
  rateLimit(options: { retryAfterMs?: number; retryAfterSeconds?: number; times?: number } = {}): this {
    const headers: Record<string, string> = { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '0' };
    if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
    if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = String(options.retryAfterMs);
    return this.repeat(options.times ?? 1, { kind: 'error', status: 429, headers });
  }

  /** HTTP 5xx with OpenAI's server_error body. */
  serverError(status = 500, times = 1): this {
    return this.repeat(times, { kind: 'error', status });
  }

  /** HTTP 400 `invalid_request_error`, e.g. a context-length error. */
  badRequest(message: string, options: { param?: string; code?: string } = {}): this {
    return this.script({ kind: 'error', status: 400, error: { message, param: options.param ?? null, code: options.code ?? null } });
  }

  /** The default answer, `delayMs` late. */
  slow(delayMs: number, times = 1): this {
    return this.repeat(times, { kind: 'default', delayMs });
  }

  /** Reset the connection instead of answering. */
  resetConnection(times = 1): this {
    return this.repeat(times, { kind: 'reset' });
  }

  /** Recorded Chat Completions requests. */
  completions(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === COMPLETIONS_PATH);
  }

  private repeat(times: number, step: ScriptedStep): this {
    for (let i = 0; i < times; i++) this.queue.push({ ...step });
    return this;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req).catch(() => undefined);
    if (raw === undefined) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: ChatRequest | undefined;
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as ChatRequest);
    } catch {
      body = undefined;
    }
    this.seq += 1;
    this.stats.requests += 1;
    const record: RecordedRequest = { seq: this.seq, method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt: performance.now(), outcome: 'pending' };
    if (this.options.record !== false) this.requests.push(record);
    res.on('close', () => {
      if (record.outcome === 'pending') {
        record.outcome = 'aborted';
        this.stats.aborted += 1;
      }
    });

    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (auth !== this.apiKey) {
      return this.sendError(res, record, 401, errorFor(401, { message: `Incorrect API key provided: ${auth ? `${auth.slice(0, 3)}***` : '(none)'}.` }));
    }
    if (req.method === 'GET' && path === MODELS_PATH) {
      // What start-up probes use: the list of models, after the same key check as completions.
      return this.send(res, record, 200, JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'simulator' }] }));
    }
    if (req.method !== 'POST' || path !== COMPLETIONS_PATH) {
      return this.sendError(res, record, 404, errorFor(404, { message: `Invalid URL (${req.method} ${path})` }));
    }
    const problem = validateChatRequest(body);
    if (problem) return this.sendError(res, record, 400, problem);
    const request = body as ChatRequest;
    this.options.onRequest?.(request, record.receivedAt);

    const step = this.queue.shift() ?? { kind: 'default' };
    const delay = (this.options.latencyMs ?? 0) + (step.delayMs ?? 0);
    if (delay > 0) {
      const timer = setTimeout(() => this.answer(res, record, request, step), delay);
      res.on('close', () => clearTimeout(timer));
    } else {
      this.answer(res, record, request, step);
    }
  }

  private answer(res: ServerResponse, record: RecordedRequest, request: ChatRequest, step: ScriptedStep): void {
    if (record.outcome !== 'pending') return;
    switch (step.kind) {
      case 'error':
        this.sendError(res, record, step.status, errorFor(step.status, step.error), step.headers);
        return;
      case 'reset':
        record.outcome = 'reset';
        record.answeredWith = 'reset';
        this.stats.resets += 1;
        res.socket?.resetAndDestroy();
        return;
      case 'raw':
        record.answeredWith = 'raw';
        this.send(res, record, step.status, step.body, step.headers);
        return;
      case 'reply':
        this.reply(res, record, request, {
          content: step.content ?? null,
          toolCalls: (step.toolCalls ?? []).map((c) => this.toolCall(c.name, c.arguments, c.id)),
          ...(step.usage !== undefined ? { usage: step.usage ?? undefined } : {}),
          ...(step.model !== undefined ? { model: step.model } : {}),
          ...(step.breakAfterChunks !== undefined ? { breakAfterChunks: step.breakAfterChunks } : {}),
        });
        return;
      case 'default':
        this.reply(res, record, request, this.policy(request));
    }
  }

  /** After a user message: one tool call. After a tool result (or anything else): a final answer. */
  private policy(request: ChatRequest): { content: string | null; toolCalls: WireToolCall[] } {
    const last = request.messages.at(-1);
    if (last?.role === 'user') {
      const args = this.options.toolArguments?.(request) ?? {};
      return { content: null, toolCalls: [this.toolCall(this.options.toolName ?? 'lookup_order', args as object | string)] };
    }
    const answer = this.options.answer?.(request) ?? `Here is what I found: ${lastToolResult(request) ?? 'nothing to report'}.`;
    return { content: answer, toolCalls: [] };
  }

  private toolCall(name: string, args: string | object, id?: string): WireToolCall {
    this.callSeq += 1;
    return {
      id: id ?? `call_sim${String(this.callSeq).padStart(8, '0')}`,
      type: 'function',
      function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
    };
  }

  private reply(
    res: ServerResponse,
    record: RecordedRequest,
    request: ChatRequest,
    reply: { content: string | null; toolCalls: WireToolCall[]; usage?: WireUsage | undefined; model?: string; breakAfterChunks?: number },
  ): void {
    const usage = 'usage' in reply ? reply.usage : this.usageFor(request, reply);
    record.answeredWith = reply.toolCalls.length > 0 ? 'tool_call' : 'final';
    if (reply.toolCalls.length > 0) this.stats.toolCalls += 1;
    else this.stats.finals += 1;
    this.stats.promptTokens += usage?.prompt_tokens ?? 0;
    this.stats.completionTokens += usage?.completion_tokens ?? 0;
    if (request.stream === true) {
      const includeUsage = (request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      void this.stream(res, record, request, reply, includeUsage ? usage : undefined);
      return;
    }
    const body = completionBody({ id: `chatcmpl-sim${record.seq}`, model: reply.model ?? request.model, content: reply.content, toolCalls: reply.toolCalls, usage });
    this.send(res, record, 200, JSON.stringify(body));
  }

  /** Server-sent events as OpenAI streams them: content and tool-call deltas, finish reason, optional usage chunk, [DONE]. */
  private async stream(
    res: ServerResponse,
    record: RecordedRequest,
    request: ChatRequest,
    reply: { content: string | null; toolCalls: WireToolCall[]; model?: string; breakAfterChunks?: number },
    usage: WireUsage | undefined,
  ): Promise<void> {
    record.outcome = 'answered';
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': `req_sim${record.seq}` });
    const base = { id: `chatcmpl-sim${record.seq}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: reply.model ?? request.model };
    const size = this.options.streamChunkChars ?? 8;
    const gap = this.options.streamIntervalMs ?? 0;
    const chunks: Array<Record<string, unknown>> = [];
    const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
    chunks.push(delta({ role: 'assistant', content: '' }));
    const text = reply.content ?? '';
    for (let i = 0; i < text.length; i += size) chunks.push(delta({ content: text.slice(i, i + size) }));
    reply.toolCalls.forEach((call, index) => {
      chunks.push(delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
      const args = call.function.arguments;
      for (let i = 0; i < args.length; i += size) chunks.push(delta({ tool_calls: [{ index, function: { arguments: args.slice(i, i + size) } }] }));
    });
    chunks.push(delta({}, reply.toolCalls.length > 0 ? 'tool_calls' : 'stop'));
    if (usage) chunks.push({ ...base, choices: [], usage });
    for (const [i, chunk] of chunks.entries()) {
      if (res.destroyed) return;
      if (reply.breakAfterChunks !== undefined && i >= reply.breakAfterChunks) {
        record.answeredWith = 'reset';
        // Let what was sent arrive first: a reset discards data the client has not read yet.
        await new Promise((resolve) => setTimeout(resolve, 30));
        res.socket?.resetAndDestroy();
        return;
      }
      // The role-only opening chunk goes out with the first delta, as OpenAI sends them: the first token comes at `latencyMs`.
      if (gap > 0 && i > 1) await new Promise((resolve) => setTimeout(resolve, gap));
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  private usageFor(request: ChatRequest, reply: { content: string | null; toolCalls: WireToolCall[] }): WireUsage | undefined {
    if (this.options.usage) return this.options.usage(request, reply);
    const prompt = estimatePromptTokens(request);
    const completion = estimateCompletionTokens(reply.content, reply.toolCalls);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  private sendError(res: ServerResponse, record: RecordedRequest, status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): void {
    record.answeredWith = 'error';
    this.stats.errors += 1;
    this.send(res, record, status, JSON.stringify({ error }), headers);
  }

  private send(res: ServerResponse, record: RecordedRequest, status: number, body: string, headers: Record<string, string> = {}): void {
    record.outcome = 'answered';
    record.status = status;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_sim${record.seq}`,
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
