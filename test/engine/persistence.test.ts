import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness;
afterEach(async () => h?.close());

const SECRET_TEXT = 'My email is jane.doe@example.com and card 4111 1111 1111 1111, token xoxb-123456789012-abcdefABCDEF, key sk-proj-abcdefghijklmnopqrstuvwx';

const lookup = defineTool({
  name: 'look_up_customer',
  description: 'Find a customer',
  input: z.object({ email: z.string(), card: z.string().optional() }),
  permission: 'member',
  execute: async ({ email }) => ({ found: true, email, apiKey: 'sk-live-abcdefghijklmnopqrstuvwx' }),
});

describe('audit trail', () => {
  it('writes one JSON line per event with the required fields and no secrets or personal data', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [
      callTools({ name: 'look_up_customer', args: { email: 'jane.doe@example.com', card: '4111111111111111' } }),
      answer('Found jane.doe@example.com'),
    ]);
    h = await EngineHarness.create({ model, tools: [lookup] });
    await h.send(SECRET_TEXT);
    const text = await h.auditText();
    for (const secret of ['jane.doe@example.com', '4111 1111 1111 1111', '4111111111111111', 'xoxb-123456789012', 'sk-proj-abc', 'sk-live-abc']) {
      expect(text).not.toContain(secret);
    }
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const byEvent = (e: string) => records.filter((r) => r.event === e);
    expect(byEvent('inbound_message')).toHaveLength(1);
    expect(byEvent('inbound_message')[0]).toMatchObject({ user_id: users.alice.userId, session_id: 'test:W1:C1:T1', text_sealed: expect.stringMatching(/^v2\./) });
    expect(byEvent('model_call')).toHaveLength(2);
    expect(byEvent('model_call')[0]).toMatchObject({ model: 'gpt-4o-mini', prompt_tokens: 100, completion_tokens: 20, success: true, agent_step: 1 });
    expect(typeof byEvent('model_call')[0]?.cost_usd).toBe('number');
    expect(typeof byEvent('model_call')[0]?.latency_ms).toBe('number');
    const tool = byEvent('tool_call')[0];
    expect(tool).toMatchObject({ tool_name: 'look_up_customer', agent_step: 1, success: true, user_id: users.alice.userId });
    expect(tool?.tool_args).toEqual({ email: '[REDACTED_EMAIL]', card: '[REDACTED]' });
    expect(String(tool?.tool_result_summary)).toContain('[REDACTED');
    for (const r of records) expect(typeof r.timestamp).toBe('string');
  });
});

describe('encryption at rest', () => {
  it('keeps no plaintext message in the SQLite files', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('The zebra-umbrella policy applies.')]);
    h = await EngineHarness.create({ model });
    await h.send('Tell me about the zebra-umbrella policy for order ORD-424242');
    await h.app.close();
    const files = (await readdir(h.dataDir)).filter((f) => f.includes('store.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(path.join(h.dataDir, file));
      expect(bytes.includes(Buffer.from('zebra-umbrella')), file).toBe(false);
      expect(bytes.includes(Buffer.from('ORD-424242')), file).toBe(false);
    }
    const audit = await readFile(h.app.config.auditLogPath, 'utf8');
    expect(audit).not.toContain('zebra-umbrella');
  });

  it('reads sessions back after a restart with the generated key', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('first')]);
    h = await EngineHarness.create({ model });
    await h.send('remember the word pelican');
    const model2 = new ScriptedModel('gpt-4o-mini', [answer('second')]);
    h = await h.restart({ model: model2 });
    await h.send('what was the word?');
    const contents = model2.requests[0]?.messages.map((m) => m.content).join('\n');
    expect(contents).toContain('remember the word pelican');
  });

  it('starts a fresh session rather than crashing when the key changed', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('first')]);
    h = await EngineHarness.create({ model });
    await h.send('remember the word pelican');
    const model2 = new ScriptedModel('gpt-4o-mini', [answer('second')]);
    h = await h.restart({ model: model2, env: { ENCRYPTION_KEY: 'ab'.repeat(32) } });
    const result = await h.send('what was the word?');
    expect(result.reply).toBe('second');
    expect(model2.requests[0]?.messages.map((m) => m.content).join('\n')).not.toContain('pelican');
  });
});

describe('sessions', () => {
  it('bounds the history sent to the model as a thread grows', async () => {
    const model = new ScriptedModel();
    model.fallback = answer('x'.repeat(400));
    h = await EngineHarness.create({ model, env: { HISTORY_TOKEN_BUDGET: '1000' } });
    for (let i = 0; i < 40; i++) await h.send(`question number ${i} ${'y'.repeat(300)}`);
    const sizes = model.requests.map((r) => JSON.stringify(r.messages).length);
    expect(Math.max(...sizes.slice(20))).toBeLessThan(6_000);
    const last = model.requests.at(-1)?.messages;
    expect(last?.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('question number 39') });
    expect(last?.some((m) => m.content?.includes('question number 0 '))).toBe(false);
  });

  it('runs turns of one session in arrival order and different sessions in parallel', async () => {
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const model = new ScriptedModel();
    model.fallback = async (req) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const text = String(req.messages.findLast((m) => m.role === 'user')?.content);
      await new Promise((r) => setTimeout(r, text.startsWith('A') ? 30 : 5));
      order.push(text);
      inFlight -= 1;
      return answer(`re ${text}`);
    };
    h = await EngineHarness.create({ model });
    const a = h.conversation('A');
    const b = h.conversation('B');
    await Promise.all([h.send('A1', { conversation: a }), h.send('A2', { conversation: a }), h.send('A3', { conversation: a }), h.send('B1', { conversation: b })]);
    expect(order.filter((t) => t.startsWith('A'))).toEqual(['A1', 'A2', 'A3']);
    expect(order.indexOf('B1')).toBeLessThan(order.indexOf('A1')); // B did not wait behind A
    expect(maxInFlight).toBe(2);
  });

  it('de-duplicates a redelivered message', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('once')]);
    h = await EngineHarness.create({ model });
    const [first, second] = await Promise.all([h.send('hi', { messageId: 'same' }), h.send('hi', { messageId: 'same' })]);
    expect([first?.status, second?.status].sort()).toEqual(['answered', 'duplicate']);
    expect(model.calls).toBe(1);
    expect(h.channel.texts()).toEqual(['once']);
  });

  it('knows which conversations it takes part in', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('hi')]) });
    expect(await h.engine.isActiveConversation(h.conversation('T9'))).toBe(false);
    await h.send('hello', { conversation: h.conversation('T9') });
    expect(await h.engine.isActiveConversation(h.conversation('T9'))).toBe(true);
  });
});

describe('replicas sharing Redis', () => {
  it('run turns of one conversation one at a time across processes, and different ones in parallel', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = () => {
      const model = new ScriptedModel();
      model.fallback = async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 40));
        inFlight -= 1;
        return answer('ok');
      };
      return model;
    };
    const env = { STORE_URL: 'redis://127.0.0.1:6379', ENCRYPTION_KEY: 'ef'.repeat(32) };
    const replicaA = await EngineHarness.create({ model: slow(), env });
    const replicaB = await EngineHarness.create({ model: slow(), env });
    try {
      const shared = replicaA.conversation(`replicas-${Date.now()}-${Math.random()}`);
      await Promise.all([replicaA.send('one', { conversation: shared }), replicaB.send('two', { conversation: shared }), replicaA.send('three', { conversation: shared })]);
      expect(maxInFlight).toBe(1);
      maxInFlight = 0;
      await Promise.all([
        replicaA.send('x', { conversation: replicaA.conversation(`r-x-${Math.random()}`) }),
        replicaB.send('y', { conversation: replicaB.conversation(`r-y-${Math.random()}`) }),
      ]);
      expect(maxInFlight).toBe(2);
    } finally {
      await replicaA.close();
      await replicaB.close();
    }
  });
});
