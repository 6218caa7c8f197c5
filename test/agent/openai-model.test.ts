/**
 * The OpenAI model client through the real `openai` SDK against a loopback
 * Chat Completions server: message and tool-call mapping both ways, usage,
 * error classification, and a bootstrapped engine's retries, Retry-After,
 * breaker, timeouts and fallback replies.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FALLBACK_REPLIES } from '../../src/agent/run-loop';
import { createOpenAIModel } from '../../src/agent/openai-model';
import { bootstrap, type App } from '../../src/bootstrap';
import { DEFAULT_PRICES } from '../../src/budget/prices';
import { ModelError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import type { AuditEvent, Caller, ChatMessage, ConversationRef, ModelRequest, TurnResult } from '../../src/ports';
import { defineTool } from '../../src/tools/define-tool';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { lastToolResult, lastUserText, type ChatRequest } from '../simulators/openai/wire';
import { RecordingChannel } from '../support/recording-channel';

let sim: OpenAISimulator;
beforeEach(async () => {
  sim = await new OpenAISimulator({
    toolName: 'lookup_order',
    toolArguments: (req) => ({ orderId: /ORD-\d+/.exec(lastUserText(req))?.[0] ?? 'ORD-0' }),
    answer: (req) => `Order status: ${JSON.parse(lastToolResult(req) ?? '{}').status ?? 'unknown'}.`,
  }).start();
});
afterEach(async () => {
  await sim.close();
});

const lookupSpec = {
  name: 'lookup_order',
  description: 'Look up an order by id.',
  parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'], additionalProperties: false },
};
const abortable = () => new AbortController().signal;

describe('createOpenAIModel over the real SDK', () => {
  const model = () => createOpenAIModel({ apiKey: 'test', baseUrl: sim.baseUrl, model: 'gpt-4o-mini' });

  it('sends every message role, tools and the token limit in OpenAI shape, with the API key', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Where is ORD-1?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_a1', name: 'lookup_order', arguments: '{"orderId":"ORD-1"}' }] },
      { role: 'tool', toolCallId: 'call_a1', content: '{"status":"shipped"}' },
    ];
    const response = await model().complete({ messages, tools: [lookupSpec], maxOutputTokens: 321 }, abortable());

    const [request] = sim.completions();
    expect(request?.headers.authorization).toBe('Bearer test');
    expect(request?.status).toBe(200);
    const body = request?.body as ChatRequest;
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Where is ORD-1?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_a1', type: 'function', function: { name: 'lookup_order', arguments: '{"orderId":"ORD-1"}' } }] },
      { role: 'tool', tool_call_id: 'call_a1', content: '{"status":"shipped"}' },
    ]);
    expect(body.tools).toEqual([{ type: 'function', function: lookupSpec }]);
    expect(body.tool_choice).toBe('auto');
    // A compatible (non-api.openai.com) server gets the widely supported max_tokens.
    expect(body.max_tokens).toBe(321);
    expect(body.max_completion_tokens).toBeUndefined();
    expect(response).toEqual({ content: 'Order status: shipped.', toolCalls: [], usage: expect.objectContaining({ promptTokens: expect.any(Number) }) });
  });

  it('maps a tool call and its usage back (id, name, raw JSON arguments)', async () => {
    sim.script({
      kind: 'reply',
      content: 'Let me check.',
      toolCalls: [
        { id: 'call_x1', name: 'lookup_order', arguments: { orderId: 'ORD-7' } },
        { id: 'call_x2', name: 'lookup_order', arguments: '{"orderId":"ORD-8"}' },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    });
    const response = await model().complete({ messages: [{ role: 'user', content: 'ORD-7 and ORD-8?' }], tools: [lookupSpec], maxOutputTokens: 100 }, abortable());
    expect(response).toEqual({
      content: 'Let me check.',
      toolCalls: [
        { id: 'call_x1', name: 'lookup_order', arguments: '{"orderId":"ORD-7"}' },
        { id: 'call_x2', name: 'lookup_order', arguments: '{"orderId":"ORD-8"}' },
      ],
      usage: { promptTokens: 120, completionTokens: 30 },
    });
  });

  it('leaves usage out when the server omits it, and sends no tools when there are none', async () => {
    sim.script({ kind: 'reply', content: 'Hello!', usage: null });
    const response = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable());
    expect(response).toEqual({ content: 'Hello!', toolCalls: [] });
    const body = sim.completions()[0]?.body as ChatRequest;
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
  });

  it('a tool result that answers no tool call is refused by the server as OpenAI would (400, not retryable)', async () => {
    const request: ModelRequest = { messages: [{ role: 'user', content: 'x' }, { role: 'tool', toolCallId: 'call_nope', content: '{}' }], tools: [], maxOutputTokens: 50 };
    const error = await model().complete(request, abortable()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ status: 400, code: 'model_http_400', retryable: false });
  });

  it.each([
    ['retry-after-ms', { retryAfterMs: 1500 }, 1500],
    ['retry-after in seconds', { retryAfterSeconds: 2 }, 2000],
  ])('classifies 429 with %s as retryable and keeps the wait', async (_label, headers, expected) => {
    sim.rateLimit(headers);
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ModelError', status: 429, code: 'model_http_429', retryable: true, retryAfterMs: expected });
  });

  it('classifies 400 (with OpenAI error JSON) as a non-retryable ModelError', async () => {
    sim.badRequest("This model's maximum context length is 128000 tokens.", { code: 'context_length_exceeded', param: 'messages' });
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'model_http_400', retryable: false });
    expect(String((error as ModelError).cause)).toMatch(/maximum context length/);
  });

  it.each([500, 502, 503])('classifies %i as retryable', async (status) => {
    sim.serverError(status);
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status, code: `model_http_${status}`, retryable: true });
  });

  it('classifies a reset connection as a retryable network error', async () => {
    sim.resetConnection();
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_network', retryable: true, status: undefined });
    expect(sim.stats.resets).toBe(1);
  });

  it('cancels the HTTP request when the signal aborts', async () => {
    sim.slow(5_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, controller.signal).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'model_aborted' });
    await expect.poll(() => sim.completions()[0]?.outcome).toBe('aborted');
  });

  it('treats a completion without choices as a retryable empty answer', async () => {
    sim.script({ kind: 'raw', status: 200, body: JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [] }) });
    const error = await model().complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_empty', retryable: true });
  });

  it('a wrong API key is a 401, never retried', async () => {
    const wrong = createOpenAIModel({ apiKey: 'sk-wrong', baseUrl: sim.baseUrl, model: 'gpt-4o-mini' });
    const error = await wrong.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, abortable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
  });
});

// ---------------------------------------------------------------------------

const member: Caller = { userId: 'U_ALICE', platform: 'test', displayName: 'Alice', role: 'member' };
const thread = (id: string): ConversationRef => ({ platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: id });

interface EngineRig {
  app: App;
  channel: RecordingChannel;
  executed: Array<{ orderId: string; idempotencyKey: string }>;
  send(text: string, threadId?: string): Promise<TurnResult>;
  audit(): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

/** A bootstrapped engine whose model is the OpenAI client pointed at the simulator, with one small tool. */
async function startEngine(env: Record<string, string> = {}): Promise<EngineRig> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'openai-engine-'));
  const executed: EngineRig['executed'] = [];
  const lookup = defineTool({
    name: 'lookup_order',
    description: 'Look up an order by id.',
    input: z.object({ orderId: z.string().regex(/^ORD-\d+$/) }),
    permission: 'member',
    async execute({ orderId }, ctx) {
      executed.push({ orderId, idempotencyKey: ctx.idempotencyKey });
      return { orderId, status: 'shipped', carrier: 'UPS' };
    },
  });
  const app = await bootstrap({
    env: {
      DATA_DIR: dataDir,
      BUILTIN_TOOLS: 'none',
      LOG_LEVEL: 'silent',
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: sim.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
      ...env,
    },
    tools: [lookup],
    logger: silentLogger(),
    // Backoff alone waits a few ms, so any longer wait between attempts came from Retry-After.
    retryInitialDelayMs: 1,
  });
  const channel = new RecordingChannel('test');
  app.engine.attach(channel);
  let seq = 0;
  return {
    app,
    channel,
    executed,
    send: (text, threadId = 'T1') => app.engine.handleMessage({ conversation: thread(threadId), caller: member, text, messageId: `m${++seq}` }),
    async audit() {
      await app.audit.flush();
      const text = await readFile(app.config.auditLogPath, 'utf8');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
    },
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const price = DEFAULT_PRICES['gpt-4o-mini']!;
const priced = (prompt: number, completion: number) => (prompt * price.input + completion * price.output) / 1_000_000;

describe('a bootstrapped engine on the OpenAI client', () => {
  let rig: EngineRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('runs the tool the server asked for and feeds its result back under the same call id', async () => {
    rig = await startEngine();
    const result = await rig.send('Where is my order ORD-1042?');
    expect(rig.app.model.mode).toBe('openai');
    expect(result).toMatchObject({ status: 'answered', success: true, steps: 2, reply: 'Order status: shipped.' });
    expect(rig.channel.texts()).toEqual(['Order status: shipped.']);

    const [first, second] = sim.completions();
    expect(sim.completions()).toHaveLength(2);
    // The tool ran with the server's arguments; the call id is its idempotency key.
    expect(first?.status).toBe(200);
    const call = second?.body?.messages.at(-2)?.tool_calls?.[0];
    if (!call) throw new Error('the second request carries no assistant tool call');
    expect(call).toMatchObject({ type: 'function', function: { name: 'lookup_order', arguments: '{"orderId":"ORD-1042"}' } });
    expect(rig.executed).toEqual([{ orderId: 'ORD-1042', idempotencyKey: call.id }]);
    expect(second?.body?.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ orderId: 'ORD-1042', status: 'shipped', carrier: 'UPS' }) });
    expect(first?.body?.messages[0]?.role).toBe('system');
    expect(first?.body?.tools?.map((t) => t.function.name)).toEqual(['lookup_order', 'escalate_to_human']);
    expect(result.toolCalls).toMatchObject([{ id: call.id, name: 'lookup_order', outcome: 'ok' }]);
  });

  it('prices the usage the server reported and records it per call', async () => {
    rig = await startEngine();
    sim.script(
      { kind: 'reply', toolCalls: [{ name: 'lookup_order', arguments: { orderId: 'ORD-1' } }], usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020 } },
      { kind: 'reply', content: 'Shipped.', usage: { prompt_tokens: 1100, completion_tokens: 50, total_tokens: 1150 } },
    );
    const result = await rig.send('Where is ORD-1?');
    const expected = priced(1000, 20) + priced(1100, 50);
    expect(result.costUsd).toBeCloseTo(expected, 12);
    const calls = (await rig.audit()).filter((e) => e.event === 'model_call');
    expect(calls.map((c) => [c.prompt_tokens, c.completion_tokens, c.model, c.success])).toEqual([
      [1000, 20, 'gpt-4o-mini', true],
      [1100, 50, 'gpt-4o-mini', true],
    ]);
    const report = await rig.app.engine.costReport(member);
    expect(report.user.todayUsd).toBeCloseTo(expected, 9);
  });

  it('sends the stored conversation with the next turn (tool exchange included)', async () => {
    rig = await startEngine();
    await rig.send('Where is ORD-1?');
    await rig.send('And ORD-2?');
    const third = sim.completions()[2]?.body as ChatRequest;
    expect(third.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(third.messages[4]?.content).toBe('Order status: shipped.');
  });

  it.each([
    ['retry-after-ms', { retryAfterMs: 400 }, 400],
    ['retry-after (seconds)', { retryAfterSeconds: 1 }, 1000],
  ])('retries a 429 after the %s the server asked for', async (_label, headers, waitMs) => {
    rig = await startEngine();
    sim.rateLimit(headers);
    const result = await rig.send('Where is ORD-5?');
    expect(result.status).toBe('answered');
    const [limited, retried] = sim.completions();
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    // Backoff is ~1-8 ms here, so the gap is the server's Retry-After.
    expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(waitMs - 20);
    expect(retried!.receivedAt - limited!.receivedAt).toBeLessThan(waitMs + 1_000);
  });

  it('does not retry a 400; the user gets the fallback reply and the breaker stays closed', async () => {
    rig = await startEngine({ MODEL_MAX_ATTEMPTS: '4', BREAKER_FAILURES: '1' });
    sim.badRequest("Invalid 'messages[1].content': string too long.");
    const result = await rig.send('Where is ORD-9?');
    expect(sim.completions()).toHaveLength(1);
    expect(result).toMatchObject({ status: 'escalated', success: false, reply: FALLBACK_REPLIES.modelUnavailable });
    expect(result.errors[0]?.code).toBe('model_http_400');
    expect(rig.channel.texts()[0]).toContain(FALLBACK_REPLIES.modelUnavailable);
    expect(rig.channel.oncall).toHaveLength(1);
    expect((await rig.app.engine.status()).breakers).toEqual([{ name: 'model', state: 'closed' }]);
  });

  it('retries a 5xx and answers when the server recovers', async () => {
    rig = await startEngine({ MODEL_MAX_ATTEMPTS: '3' });
    sim.serverError(500).serverError(503);
    const result = await rig.send('Where is ORD-3?');
    expect(result.status).toBe('answered');
    expect(sim.completions().map((r) => r.status)).toEqual([500, 503, 200, 200]);
  });

  it('opens the breaker after repeated 5xx: later turns fail fast without calling the server', async () => {
    rig = await startEngine({ MODEL_MAX_ATTEMPTS: '3', BREAKER_FAILURES: '3', BREAKER_COOLDOWN_MS: '60000' });
    sim.serverError(503, 3);
    const first = await rig.send('Where is ORD-3?', 'T1');
    expect(sim.completions().map((r) => r.status)).toEqual([503, 503, 503]);
    expect(first).toMatchObject({ status: 'escalated', reply: FALLBACK_REPLIES.modelUnavailable });
    expect((await rig.app.engine.status()).breakers).toEqual([{ name: 'model', state: 'open' }]);

    const second = await rig.send('Where is ORD-4?', 'T2');
    expect(sim.completions()).toHaveLength(3);
    expect(second).toMatchObject({ status: 'escalated', reply: FALLBACK_REPLIES.modelUnavailable });
    expect(second.errors[0]?.code).toBe('circuit_open');
    const breakerEvents = (await rig.audit()).filter((e) => e.event === 'breaker_state');
    expect(breakerEvents.map((e) => e.state)).toEqual(['open']);
  });

  it('abandons a model call that runs past MODEL_TIMEOUT_MS, retries, then falls back', async () => {
    rig = await startEngine({ MODEL_TIMEOUT_MS: '150', MODEL_MAX_ATTEMPTS: '2' });
    sim.slow(3_000, 2);
    const started = performance.now();
    const result = await rig.send('Where is ORD-6?');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: 'escalated', reply: FALLBACK_REPLIES.modelUnavailable });
    expect(result.errors[0]?.code).toBe('timeout');
    // Both attempts were really cancelled on the wire, not left running.
    await expect.poll(() => sim.completions().map((r) => r.outcome)).toEqual(['aborted', 'aborted']);
  });

  it('answers when only the first attempt is slow', async () => {
    rig = await startEngine({ MODEL_TIMEOUT_MS: '150', MODEL_MAX_ATTEMPTS: '2' });
    sim.slow(3_000);
    const result = await rig.send('Where is ORD-6?');
    expect(result).toMatchObject({ status: 'answered', reply: 'Order status: shipped.' });
    expect(sim.completions().map((r) => r.outcome)).toEqual(['aborted', 'answered', 'answered']);
  });

  it('retries after the connection is reset', async () => {
    rig = await startEngine();
    sim.resetConnection();
    const result = await rig.send('Where is ORD-8?');
    expect(result.status).toBe('answered');
    expect(sim.completions().map((r) => r.outcome)).toEqual(['reset', 'answered', 'answered']);
  });
});
