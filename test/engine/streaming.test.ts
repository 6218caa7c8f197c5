import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createOpenAIModel } from '../../src/agent/openai-model';
import { defineTool } from '../../src/tools/define-tool';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';
import { StreamingChannel } from '../support/streaming-channel';

let h: EngineHarness | undefined;
let sim: OpenAISimulator | undefined;
afterEach(async () => {
  await h?.close();
  await sim?.close();
  h = undefined;
  sim = undefined;
});

const lookUpOrder = defineTool({
  name: 'look_up_order',
  description: 'Order status',
  input: z.object({ orderId: z.string() }),
  permission: 'member',
  readOnly: true,
  progress: ({ orderId }) => `Looking up order ${orderId}`,
  execute: async ({ orderId }) => ({ orderId, status: 'shipped' }),
});

async function streamingEngine(options: ConstructorParameters<typeof OpenAISimulator>[0] = {}) {
  sim = await new OpenAISimulator({
    toolName: 'look_up_order',
    toolArguments: () => ({ orderId: 'ORD-1001' }),
    answer: () => 'Your order ORD-1001 has shipped and arrives Monday.',
    streamChunkChars: 5,
    ...options,
  }).start();
  const channel = new StreamingChannel('test');
  const model = createOpenAIModel({ apiKey: 'test', baseUrl: sim.baseUrl, model: 'gpt-4o-mini' });
  h = await EngineHarness.create({ model, tools: [lookUpOrder], channel });
  return { channel, sim, h };
}

describe('streamed answers', () => {
  it('streams the answer as it is written, shows tool progress, and bills the usage the server reported', async () => {
    const { channel, h, sim } = await streamingEngine();
    const result = await h.send('where is ORD-1001?');
    expect(result.status).toBe('answered');
    const [stream] = channel.streams;
    expect(stream?.recipient).toBe(users.alice.userId);
    expect(stream!.appends.length).toBeGreaterThan(5); // arrived in pieces
    expect(stream!.appends.join('')).toBe('Your order ORD-1001 has shipped and arrives Monday.');
    expect(stream!.steps).toEqual([
      { id: expect.any(String), title: 'Looking up order ORD-1001', status: 'in_progress' },
      { id: expect.any(String), title: 'Looking up order ORD-1001', status: 'complete' },
    ]);
    expect(stream!.final).toEqual({ kind: 'reply', controls: { feedback: true, talkToHuman: true, solved: true }, text: 'Your order ORD-1001 has shipped and arrives Monday.' });
    // Shown once, in the stream, not posted again.
    expect(channel.texts()).toEqual([]);
    for (const request of sim.completions()) expect(request.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const calls = (await h.audit()).filter((e) => e.event === 'model_call');
    expect(calls.map((c) => c.prompt_tokens)).toEqual([sim.stats.promptTokens - (calls[1]!.prompt_tokens as number), calls[1]!.prompt_tokens]);
    expect(calls.every((c) => c.usage_estimated === undefined)).toBe(true);
  });

  it('estimates usage, and says so, when the server reports none', async () => {
    const { h } = await streamingEngine({ usage: () => undefined });
    await h.send('where is ORD-1001?');
    const calls = (await h.audit()).filter((e) => e.event === 'model_call');
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.usage_estimated).toBe(true);
      expect(c.prompt_tokens).toBeGreaterThan(0);
    }
  });

  it('never retries a stream that broke after text was shown (the text would appear twice)', async () => {
    const { h, sim, channel } = await streamingEngine();
    sim.script({ kind: 'reply', content: 'Part one of a long answer that then breaks off', breakAfterChunks: 4 });
    const result = await h.send('hello');
    expect(sim.completions()).toHaveLength(1);
    expect(result.status).toBe('escalated');
    expect(channel.streams[0]!.appends.join('')).toBe('Part one of a l'); // role chunk + 3 content chunks of 5
    expect(channel.streams[0]!.cancelled).toBe(true);
  });
});

describe('stop', () => {
  /** A model that answers only when its request is aborted (then it fails as the SDK does). */
  function hangingModel() {
    const model = new ScriptedModel('gpt-4o-mini');
    let calls = 0;
    model.fallback = (_request, signal) =>
      new Promise((_resolve, reject) => {
        calls += 1;
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    return { model, calls: () => calls };
  }

  it('cancels the running turn for the requester: the model call is aborted, the user sees "Stopped."', async () => {
    const hanging = hangingModel();
    h = await EngineHarness.create({ model: hanging.model });
    const turn = h.send('tell me a long story');
    await vi.waitFor(() => expect(hanging.calls()).toBe(1));
    const refused = await h.engine.stopTurn({ conversation: h.conversation(), caller: users.bob });
    expect(refused).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await h.engine.stopTurn({ conversation: h.conversation(), caller: users.alice })).toMatchObject({ ok: true });
    const result = await turn;
    expect(result.status).toBe('cancelled');
    expect(h.channel.texts()).toEqual(['Stopped.']);
    expect(hanging.calls()).toBe(1); // not retried
    const audit = await h.audit();
    expect(audit.some((e) => e.event === 'turn_cancelled')).toBe(true);
    expect(audit.filter((e) => e.event === 'turn_stop_requested').map((e) => e.success)).toEqual([false, true]);
    // The breaker did not count the stop as a model failure.
    expect((await h.engine.status()).breakers.every((b) => b.state === 'closed')).toBe(true);
  });

  it('lets a running tool finish and report, then starts nothing new', async () => {
    let release: () => void = () => undefined;
    const slowLookup = defineTool({
      name: 'slow_lookup',
      description: 'Slow',
      input: z.object({}),
      permission: 'member',
      readOnly: true,
      execute: () => new Promise((resolve) => (release = () => resolve({ found: true }))),
    });
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'slow_lookup' }), answer('never sent')]);
    h = await EngineHarness.create({ model, tools: [slowLookup] });
    const turn = h.send('look it up');
    await vi.waitFor(() => expect(model.calls).toBe(1));
    await new Promise((r) => setTimeout(r, 10));
    expect((await h.engine.stopTurn({ conversation: h.conversation(), caller: users.dana })).ok).toBe(true);
    release();
    const result = await turn;
    expect(result.status).toBe('cancelled');
    expect(result.toolCalls.map((c) => [c.name, c.outcome])).toEqual([['slow_lookup', 'ok']]);
    expect(model.calls).toBe(1);
    expect((await h.audit()).some((e) => e.event === 'tool_call' && e.tool_name === 'slow_lookup' && e.success === true)).toBe(true);
  });

  it('says so when nothing is running, and /support stop works the same way', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('m', [answer('hi')]) });
    await h.send('hello');
    expect(await h.engine.stopTurn({ conversation: h.conversation(), caller: users.alice })).toMatchObject({ ok: false, reason: 'not_running' });
    const reply = await h.engine.command({ name: 'stop', args: [], caller: users.alice, conversation: h.conversation() });
    expect(reply.ok).toBe(false);
    expect(reply.text).toContain('nothing running');
  });
});
