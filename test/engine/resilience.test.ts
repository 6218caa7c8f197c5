import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelError, ToolError } from '../../src/errors';
import { createResilience } from '../../src/resilience/policies';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const fast = { model: { timeoutMs: 200, maxAttempts: 3 }, tools: { timeoutMs: 50, maxAttempts: 2 }, breaker: { failures: 3, cooldownMs: 100 }, initialDelayMs: 1, maxDelayMs: 5 };

describe('timeouts, retries and breakers', () => {
  it('times out a slow tool and tells the model, without hanging the turn', async () => {
    let attempts = 0;
    const slow = defineTool({
      name: 'slow_lookup',
      description: 'hangs',
      input: z.object({}),
      permission: 'member',
      timeoutMs: 40,
      execute: async () => {
        attempts += 1;
        await new Promise((r) => setTimeout(r, 5_000));
        return 'never';
      },
    });
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'slow_lookup' }), (req) => answer(JSON.stringify(lastToolResult(req)))]);
    h = await EngineHarness.create({ model, tools: [slow], env: { TOOL_MAX_ATTEMPTS: '1' } });
    const started = performance.now();
    const result = await h.send('look it up');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(attempts).toBe(1);
    expect(result.toolCalls[0]?.outcome).toBe('error');
    expect(JSON.parse(result.reply ?? '{}').error).toMatch(/timed out after 40 ms/);
  });

  it('retries transient model failures (network, 429, 5xx) and succeeds', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [
      new ModelError('socket hang up'),
      new ModelError('rate limited', { status: 429, retryAfterMs: 30 }),
      new ModelError('bad gateway', { status: 502 }),
      answer('finally'),
    ]);
    h = await EngineHarness.create({ model, env: { MODEL_MAX_ATTEMPTS: '4' } });
    const result = await h.send('hi');
    expect(result.reply).toBe('finally');
    expect(model.calls).toBe(4);
  });

  it.each([400, 401, 403, 404, 422])('never retries a %i from the model', async (status) => {
    const model = new ScriptedModel('gpt-4o-mini', [new ModelError('nope', { status }), answer('unreachable')]);
    h = await EngineHarness.create({ model, env: { MODEL_MAX_ATTEMPTS: '4' } });
    const result = await h.send('hi');
    expect(model.calls).toBe(1);
    expect(result.status).toBe('escalated');
  });

  it('honours Retry-After (bounded) between attempts', async () => {
    const policies = createResilience({ ...fast, model: { timeoutMs: 1_000, maxAttempts: 2 } });
    const times: number[] = [];
    await policies.model(async () => {
      times.push(performance.now());
      if (times.length === 1) throw new ModelError('slow down', { status: 429, retryAfterMs: 150 });
      return 'ok';
    });
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(140);
  });

  it('retries tools only on transient errors', async () => {
    const policies = createResilience(fast);
    let transient = 0;
    await expect(
      policies.tool('t1', async () => {
        transient += 1;
        throw new ToolError('upstream_503', 'down', { retryable: true });
      }),
    ).rejects.toThrow('down');
    expect(transient).toBe(2);
    let permanent = 0;
    await expect(
      policies.tool('t2', async () => {
        permanent += 1;
        throw new ToolError('not_found', 'no such order');
      }),
    ).rejects.toThrow('no such order');
    expect(permanent).toBe(1);
  });

  it('opens the breaker after consecutive failures, fails fast, then half-opens and recovers', async () => {
    const changes: string[] = [];
    const policies = createResilience({ ...fast, model: { timeoutMs: 200, maxAttempts: 1 }, onBreakerChange: (_n, s) => changes.push(s) });
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new ModelError('down', { status: 503 });
    };
    for (let i = 0; i < 3; i++) await expect(policies.model(failing)).rejects.toThrow();
    expect(policies.breakers()).toEqual([{ name: 'model', state: 'open' }]);
    await expect(policies.model(failing)).rejects.toMatchObject({ code: 'circuit_open' });
    expect(calls).toBe(3); // the open breaker did not call through
    await new Promise((r) => setTimeout(r, 120));
    await expect(policies.model(async () => 'healthy')).resolves.toBe('healthy');
    expect(policies.breakers()[0]?.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not open the breaker on our own bad requests (4xx)', async () => {
    const policies = createResilience({ ...fast, model: { timeoutMs: 200, maxAttempts: 1 } });
    for (let i = 0; i < 5; i++) await expect(policies.model(async () => Promise.reject(new ModelError('bad', { status: 400 })))).rejects.toThrow();
    expect(policies.breakers()[0]?.state).toBe('closed');
  });

  it('reports an open model breaker in /status and answers users with a fallback', async () => {
    const model = new ScriptedModel();
    model.fallback = new ModelError('down', { status: 503 });
    h = await EngineHarness.create({ model, env: { MODEL_MAX_ATTEMPTS: '1', BREAKER_FAILURES: '2', BREAKER_COOLDOWN_MS: '60000' } });
    await h.send('a', { conversation: h.conversation('A') });
    await h.send('b', { conversation: h.conversation('B') });
    const third = await h.send('c', { conversation: h.conversation('C') });
    expect(model.calls).toBe(2);
    expect(third.errors[0]?.code).toBe('circuit_open');
    expect(third.reply).toMatch(/trouble reaching/);
    expect((await h.engine.status()).breakers).toContainEqual({ name: 'model', state: 'open' });
  });
});
