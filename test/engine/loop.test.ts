import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const executed: string[] = [];
const echo = defineTool({
  name: 'echo',
  description: 'Echo a word',
  input: z.object({ word: z.string().max(20) }),
  permission: 'member',
  execute: async ({ word }) => {
    executed.push(word);
    return { echoed: word };
  },
});

describe('tool-calling loop', () => {
  it('returns the final answer with a structured result', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'echo', args: { word: 'hi' } }), answer('Echoed hi.')]);
    h = await EngineHarness.create({ model, tools: [echo] });
    const result = await h.send('please echo hi');
    expect(result).toMatchObject({ status: 'answered', success: true, reply: 'Echoed hi.', steps: 2 });
    expect(result.toolCalls).toEqual([expect.objectContaining({ name: 'echo', outcome: 'ok' })]);
    expect(result.costUsd).toBeGreaterThan(0);
    expect(lastToolResult(model.requests[1])).toEqual({ echoed: 'hi' });
    expect(h.channel.texts()).toEqual(['Echoed hi.']);
    // The JSON schema sent to the model comes from the zod schema.
    const spec = model.requests[0]?.tools.find((t) => t.name === 'echo');
    expect(spec?.parameters).toMatchObject({ type: 'object', properties: { word: { type: 'string', maxLength: 20 } }, required: ['word'] });
  });

  it('runs the tool calls of one step concurrently', async () => {
    const started: string[] = [];
    let release!: () => void;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    // Each call waits until the other has started: sequential execution would time out.
    const rendezvous = defineTool({
      name: 'rendezvous',
      description: 'waits for its sibling',
      input: z.object({ id: z.string() }),
      permission: 'member',
      timeoutMs: 2_000,
      execute: async ({ id }) => {
        started.push(id);
        if (started.length === 2) release();
        await bothStarted;
        return { id };
      },
    });
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'rendezvous', args: { id: 'a' } }, { name: 'rendezvous', args: { id: 'b' } }), answer('both done')]);
    h = await EngineHarness.create({ model, tools: [rendezvous], env: { TOOL_MAX_ATTEMPTS: '1' } });
    const result = await h.send('go');
    expect(result.reply).toBe('both done');
    expect(result.toolCalls.map((c) => c.outcome)).toEqual(['ok', 'ok']);
    const toolMessages = model.requests[1]?.messages.filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
  });

  it('stops a looping model at the step limit with a graceful answer', async () => {
    const model = new ScriptedModel();
    model.fallback = () => callTools({ name: 'echo', args: { word: 'again' } });
    h = await EngineHarness.create({ model, tools: [echo], env: { MAX_STEPS: '4' } });
    const result = await h.send('loop forever');
    expect(model.calls).toBe(4);
    expect(result.status).toBe('answered');
    expect(result.success).toBe(false);
    expect(result.errors.map((e) => e.code)).toContain('max_steps');
    expect(result.reply).toMatch(/couldn't finish/i);
    expect(h.channel.texts()).toEqual([result.reply]);
  });

  it('feeds malformed, unknown and invalid tool calls back to the model without executing them', async () => {
    executed.length = 0;
    const model = new ScriptedModel('gpt-4o-mini', [
      callTools(
        { name: 'echo', rawArgs: '{"word": "unterminated' },
        { name: 'delete_everything', args: {} },
        { name: 'echo', args: { word: 'x'.repeat(50) } },
        { name: 'echo', args: { wrong: 1 } },
      ),
      answer('Sorry, I could not do that.'),
    ]);
    h = await EngineHarness.create({ model, tools: [echo] });
    const result = await h.send('break things');
    expect(executed).toEqual([]);
    expect(result.toolCalls.map((c) => c.outcome)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    const results = model.requests[1]?.messages.filter((m) => m.role === 'tool').map((m) => (m.role === 'tool' ? JSON.parse(m.content) : null));
    expect(results?.[0].error).toMatch(/not valid JSON/);
    expect(results?.[1].error).toMatch(/Unknown tool "delete_everything"/);
    expect(results?.[2].error).toMatch(/Invalid arguments: word/);
    expect(results?.[3].error).toMatch(/Invalid arguments/);
    expect(result.reply).toBe('Sorry, I could not do that.');
  });

  it('answers something useful when the model returns an empty message', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('   ')]) });
    const result = await h.send('hmm');
    expect(result.reply).toMatch(/not sure how to help/i);
    expect(h.channel.texts()).toHaveLength(1);
  });

  it('shows the working indicator during a turn and stops it afterwards', async () => {
    let seenWorking = -1;
    const model = new ScriptedModel('gpt-4o-mini', [
      () => {
        seenWorking = h.channel.working;
        return answer('ok');
      },
    ]);
    h = await EngineHarness.create({ model });
    await h.send('hello there');
    expect(seenWorking).toBe(1);
    expect(h.channel.working).toBe(0);
  });
});

describe('tool registry', () => {
  it('hands out one specs array until it changes, so per-array caches work', async () => {
    const { ToolRegistry } = await import('../../src/tools/registry');
    const registry = new ToolRegistry([echo]);
    const first = registry.allSpecs();
    expect(registry.allSpecs()).toBe(first);
    registry.add(defineTool({ name: 'other', description: 'x', input: z.object({}), permission: 'guest', execute: async () => 1 }));
    expect(registry.allSpecs()).not.toBe(first);
    expect(registry.allSpecs().map((s) => s.name)).toEqual(['echo', 'other']);
  });
});
