import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createResilience } from '../../src/resilience/policies';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A tool slower than its 40 ms timeout; it records each start and whether its signal was aborted. */
function slowTool(name: string, flags: { readOnly?: boolean; idempotent?: boolean }, log: { starts: number; aborted: boolean[] }) {
  return defineTool({
    name,
    description: 'A slow dependency',
    input: z.object({}),
    permission: 'member',
    approval: 'none',
    timeoutMs: 40,
    ...flags,
    execute: (_args, ctx) =>
      new Promise<{ done: true }>((resolve) => {
        log.starts += 1;
        const index = log.aborted.push(false) - 1;
        ctx.signal.addEventListener('abort', () => {
          log.aborted[index] = true;
        });
        // Ignores the abort on purpose: the engine must not rely on tools stopping.
        setTimeout(() => resolve({ done: true }), 200).unref();
      }),
  });
}

async function callOnce(tool: ReturnType<typeof slowTool>) {
  const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: tool.name })]);
  model.fallback = (request) => answer(JSON.stringify(lastToolResult(request)));
  h = await EngineHarness.create({ model, tools: [tool], env: { TOOL_MAX_ATTEMPTS: '3' } });
  await h.send('go');
  return model;
}

describe('tool timeouts', () => {
  it('never retries a side-effecting tool that timed out', async () => {
    const log = { starts: 0, aborted: [] as boolean[] };
    const model = await callOnce(slowTool('send_voucher', {}, log));
    expect(log.starts).toBe(1);
    expect(lastToolResult(model.requests.at(-1))).toEqual({ error: expect.stringMatching(/^Tool send_voucher timed out after 40 ms\. It may or may not have taken effect, so do not call it again/) });
  });

  it('retries a read-only tool that timed out', async () => {
    const log = { starts: 0, aborted: [] as boolean[] };
    await callOnce(slowTool('look_up_stock', { readOnly: true }, log));
    expect(log.starts).toBe(3);
  });

  it('retries an idempotent tool that timed out', async () => {
    const log = { starts: 0, aborted: [] as boolean[] };
    await callOnce(slowTool('create_case', { idempotent: true }, log));
    expect(log.starts).toBe(3);
  });

  it('aborts the signal the tool received when the timeout fires (every attempt)', async () => {
    const log = { starts: 0, aborted: [] as boolean[] };
    await callOnce(slowTool('look_up_stock', { readOnly: true }, log));
    expect(log.aborted).toEqual([true, true, true]);
  });

  it('Resilience.tool: retry false means one attempt even on transient failures', async () => {
    const policies = createResilience({
      model: { timeoutMs: 1_000, maxAttempts: 1 },
      tools: { timeoutMs: 30, maxAttempts: 3 },
      breaker: { failures: 10, cooldownMs: 1_000 },
      initialDelayMs: 1,
    });
    let attempts = 0;
    const signals: AbortSignal[] = [];
    const slow = (signal: AbortSignal) => {
      attempts += 1;
      signals.push(signal);
      return new Promise<never>(() => undefined);
    };
    await expect(policies.tool('once', slow, { retry: false })).rejects.toMatchObject({ code: 'timeout' });
    expect(attempts).toBe(1);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    attempts = 0;
    await expect(policies.tool('again', slow)).rejects.toMatchObject({ code: 'timeout' });
    expect(attempts).toBe(3);
  });
});
