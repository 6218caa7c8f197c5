import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import { loadToolsFromDir } from '../../src/tools/load-tools';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let h: EngineHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('bad inputs', () => {
  it('answers an empty message with a prompt, without calling the model', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    const result = await h.send('   ');
    expect(result).toMatchObject({ status: 'refused', success: false, errors: [{ code: 'empty_message' }] });
    // No plugin here: the engine's generic prompt (the demo helpdesk gives its own; see test/plugins).
    expect(h.channel.texts()[0]).toMatch(/Tell me what you need help with/);
    expect(model.calls).toBe(0);
  });

  it('refuses an oversized message clearly, records it, and keeps the conversation usable', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('short one answered')]);
    h = await EngineHarness.create({ model, env: { MAX_MESSAGE_CHARS: '500' } });
    const result = await h.send('x'.repeat(2_000));
    expect(result.errors[0]?.code).toBe('message_too_long');
    expect(h.channel.texts()[0]).toMatch(/2,000 characters long; I can read up to 500/);
    expect(model.calls).toBe(0);
    expect((await h.audit()).filter((r) => r.event === 'inbound_message')[0]).toMatchObject({ chars: 2000 });
    expect((await h.send('short question')).reply).toBe('short one answered');
  });

  it('keeps serving after an unknown tool call and a failing channel, and audits the platform error', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'echo_missing' }), (req) => answer(JSON.stringify(lastToolResult(req)))]);
    h = await EngineHarness.create({ model });
    h.channel.postMessage = async () => {
      throw new Error('platform down');
    };
    const result = await h.send('hi');
    expect(result.status).toBe('answered');
    expect((await h.audit()).some((r) => r.event === 'platform_error')).toBe(true);
  });
});

describe('configuration', () => {
  it('names every bad variable', () => {
    try {
      loadConfig({ BUDGET_MONTHLY_USD: 'lots', MAX_STEPS: '0', BUDGET_TIMEZONE: 'Mars/Olympus', STORE_URL: 'mysql://x', MODEL_PRICES: '{oops' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.variables.sort()).toEqual(['BUDGET_MONTHLY_USD', 'BUDGET_TIMEZONE', 'MAX_STEPS', 'MODEL_PRICES', 'STORE_URL']);
      expect(e.message).toMatch(/BUDGET_MONTHLY_USD must be a number/);
    }
  });

  it('has sensible defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      maxSteps: 6,
      approvalTtlMs: 15 * 60_000,
      model: { timeoutMs: 30_000 },
      tools: { timeoutMs: 5_000 },
      budget: { requestUsd: 0.25, userDailyUsd: 2, monthlyUsd: 200, timezone: 'UTC', alertRatio: 0.8 },
    });
    expect(config.storeUrl).toMatch(/^sqlite:\/\/.*data\/store\.sqlite$/);
    expect(config.encryptionKeyRequired).toBe(false);
  });

  it('requires ENCRYPTION_KEY with a shared Redis store and says how to make one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cfg-'));
    await expect(bootstrap({ env: { DATA_DIR: dir, STORE_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'silent' }, logger: silentLogger() })).rejects.toMatchObject({
      name: 'ConfigError',
      variables: ['ENCRYPTION_KEY'],
      message: expect.stringMatching(/openssl rand -hex 32/),
    });
    expect(() => loadConfig({ ENCRYPTION_KEY: 'too-short' })).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
  });

  it('runs on the shared Redis store when STORE_URL and ENCRYPTION_KEY are set', async () => {
    const model = new ScriptedModel('gpt-4o-mini', [answer('from redis')]);
    h = await EngineHarness.create({ model, env: { STORE_URL: 'redis://127.0.0.1:6379', ENCRYPTION_KEY: 'cd'.repeat(32) } });
    // Namespaced per data dir would be ideal; a unique thread keeps this run apart from others.
    const conv = h.conversation(`redis-${Date.now()}-${Math.random()}`);
    expect((await h.send('hello', { conversation: conv })).reply).toBe('from redis');
    expect(await h.engine.isActiveConversation(conv)).toBe(true);
  });
});

describe('extension point', () => {
  it('loads defineTool exports from TOOLS_DIR and lets them replace built-ins by name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tools-'));
    const defineToolPath = path.resolve('src/tools/define-tool.ts');
    await writeFile(
      path.join(dir, 'warranty.ts'),
      `import { z } from 'zod';
       import { defineTool } from ${JSON.stringify(defineToolPath)};
       export const warranty = defineTool({
         name: 'check_warranty', description: 'Warranty status of a serial number',
         input: z.object({ serial: z.string() }), permission: 'member',
         execute: async ({ serial }) => ({ serial, covered: true }),
       });
       export default [defineTool({ name: 'ping', description: 'ping', input: z.object({}), permission: 'guest', execute: async () => 'pong' })];
       export const notATool = 42;`,
    );
    const tools = await loadToolsFromDir(dir);
    expect(tools.map((t) => t.name).sort()).toEqual(['check_warranty', 'ping']);
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'check_warranty', args: { serial: 'SN1' } }), (req) => answer(JSON.stringify(lastToolResult(req)))]);
    h = await EngineHarness.create({ model, env: { TOOLS_DIR: dir } });
    expect((await h.send('is SN1 covered?', { caller: users.alice })).reply).toBe('{"serial":"SN1","covered":true}');
    await expect(loadToolsFromDir(path.join(dir, 'missing'))).rejects.toMatchObject({ variables: ['TOOLS_DIR'] });
  });
});

describe('commands', () => {
  it('reports status to everyone, costs per role, and help', async () => {
    h = await EngineHarness.create({ model: new ScriptedModel('gpt-4o-mini', [answer('hi')]) });
    await h.send('hello');
    const status = await h.engine.command({ name: 'status', args: [], caller: users.alice });
    expect(status.ok).toBe(true);
    expect(status.text).toMatch(/Turns: 1, errors: 0/);
    expect(status.text).toMatch(/Pending approvals: 0/);
    const ownCost = await h.engine.command({ name: 'cost', args: [], caller: users.alice });
    expect(ownCost.sections.map((s) => s.title)).toEqual(['Your usage today']);
    const refused = await h.engine.command({ name: 'cost', args: ['all'], caller: users.dana });
    expect(refused.ok).toBe(false);
    const all = await h.engine.command({ name: 'cost', args: ['all'], caller: users.root });
    expect(all.sections.map((s) => s.title)).toEqual(['Your usage today', 'Month to date', 'Top users this month', 'By model', 'By day']);
    expect(all.text).toContain('test:U_ALICE');
    const help = await h.engine.command({ name: 'help', args: [], caller: users.guest });
    expect(help.text).toMatch(/support handback/);
    const handback = await h.engine.command({ name: 'handback', args: [], caller: users.dana });
    expect(handback.ok).toBe(false);
  });
});
