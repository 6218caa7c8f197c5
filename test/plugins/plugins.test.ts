import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/bootstrap';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import type { Env } from '../../src/config';
import type { AuditEvent, Caller } from '../../src/ports';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { lastToolResult } from '../simulators/openai/wire';
import { RecordingChannel } from '../support/recording-channel';

const ENGINE = JSON.stringify(path.resolve('src/index.ts'));
const alice: Caller = { userId: 'alice', platform: 'console', displayName: 'alice', role: 'member' };

/**
 * A team's plugin as it would write it: a tool with its policy, an offline
 * intent that calls it, a prompt line, a setting of its own (validated with
 * zod) and a stop that leaves a mark, so the test sees it was called.
 */
const WARRANTY_PLUGIN = `import { z } from 'zod';
import { answer, callTool, defineOfflineIntent, definePlugin, defineTool, problemReply, str } from ${ENGINE};

const checkWarranty = (years: number) => defineTool({
  name: 'check_warranty',
  description: 'Warranty status of a product by serial number.',
  input: z.object({ serial: z.string().min(3) }),
  permission: 'member',
  readOnly: true,
  execute: async ({ serial }) => ({ serial, covered: true, years }),
});

const warrantyIntent = defineOfflineIntent({
  name: 'warranty',
  keywords: ['warranty'],
  match: ({ normalized }) => {
    const serial = /\\bsn-\\d+\\b/.exec(normalized)?.[0];
    return /\\bwarranty\\b/.test(normalized) ? { serial: serial ?? 'unknown' } : undefined;
  },
  plan: ({ details, offered, done }) => {
    const result = done('check_warranty');
    if (!result) return offered.has('check_warranty') ? callTool('check_warranty', { serial: details.serial }) : answer('No warranty lookups here.');
    if (result.status !== 'ok') return answer(problemReply(result, 'check the warranty', offered));
    return answer(\`Serial \${str(result.data.serial)} is covered for \${result.data.years} years.\`);
  },
  capabilities: [{ tool: 'check_warranty', text: '- **Warranty** checks' }],
});

export default definePlugin({
  name: 'warranty',
  offlineIntents: [warrantyIntent],
  prompts: { system: 'WARRANTY-RULES: quote the serial number.' },
  async start({ env, dataDir }) {
    const settings = z.object({ WARRANTY_YEARS: z.coerce.number().int().min(1).default(2) }).parse(env);
    return {
      tools: [checkWarranty(settings.WARRANTY_YEARS)],
      stop: async () => { (await import('node:fs')).writeFileSync(dataDir + '/warranty-stopped', 'yes'); },
    };
  },
});
`;

describe('plugins (PLUGINS)', () => {
  let root: string;
  let app: App | undefined;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'plugins-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(root, { recursive: true, force: true });
  });

  async function writePlugin(folder: string, source: string, file = 'index.ts'): Promise<string> {
    const dir = path.join(root, folder);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, file), source);
    return dir;
  }

  let runs = 0;
  /** Each start gets its own data directory (and audit log) unless one is named. */
  async function start(env: Env, dataName = `data-${++runs}`): Promise<{ app: App; channel: RecordingChannel }> {
    app = await bootstrap({ env: { DATA_DIR: path.join(root, dataName), LOG_LEVEL: 'silent', ...env }, logger: silentLogger(), cwd: root, retryInitialDelayMs: 1 });
    const channel = new RecordingChannel('console');
    app.engine.attach(channel);
    return { app, channel };
  }

  const say = (a: App, text: string, thread = 'T1') =>
    a.engine.handleMessage({ conversation: { platform: 'console', workspaceId: 'local', channelId: 'C1', threadId: thread }, caller: alice, text, messageId: `m-${Math.random()}` });

  async function auditOf(a: App): Promise<AuditEvent[]> {
    await a.audit.flush();
    return (await readFile(a.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
  }

  it('a plugin from a folder (path relative to the working directory) adds a tool the offline model calls through its intent', async () => {
    await writePlugin('warranty', WARRANTY_PLUGIN);
    const { app: a } = await start({ PLUGINS: './warranty', WARRANTY_YEARS: '3' });
    const turn = await say(a, 'Is my warranty still valid? Serial SN-12345');
    expect(turn.reply).toBe('Serial sn-12345 is covered for 3 years.');
    const calls = (await auditOf(a)).filter((e) => e.event === 'tool_call');
    expect(calls.map((e) => e.tool_name)).toEqual(['check_warranty']);
    // No demo: PLUGINS names only this plugin.
    const hello = await say(a, 'hello', 'T2');
    expect(hello.reply).toContain('**Warranty** checks');
    expect(hello.reply).not.toContain('Orders');
    await a.close();
    expect(await readFile(path.join(a.config.dataDir, 'warranty-stopped'), 'utf8')).toBe('yes');
  });

  it('the same plugin tool is offered to and called by the OpenAI path, with the plugin prompt in the system message', async () => {
    const sim = await new OpenAISimulator({
      toolName: 'check_warranty',
      toolArguments: () => ({ serial: 'SN-777' }),
      answer: (req) => `Result: ${lastToolResult(req) ?? 'none'}`,
    }).start();
    try {
      const dir = await writePlugin('warranty', WARRANTY_PLUGIN);
      const { app: a } = await start({ PLUGINS: `helpdesk,${dir}`, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: sim.baseUrl, MODEL_MAX_ATTEMPTS: '1' });
      const turn = await say(a, 'Is my warranty still valid?');
      expect(turn.reply).toContain('"covered":true');
      // The first request that offers tools (a router request, if any, offers none).
      const first = sim.requests.map((r) => r.body).find((b) => (b?.tools?.length ?? 0) > 0);
      const tools = (first?.tools ?? []).map((t) => t.function.name);
      // Both plugins' tools are offered (the warranty message routes to `general`, which has every tool).
      expect(tools).toEqual(expect.arrayContaining(['check_warranty', 'look_up_order', 'issue_refund']));
      const system = first?.messages[0];
      expect(system && 'content' in system ? String(system.content) : '').toContain('WARRANTY-RULES');
    } finally {
      await app?.close();
      app = undefined;
      await sim.close();
    }
  });

  it('PLUGINS unset loads the demo helpdesk (its tools, welcome and help texts); PLUGINS=none and BUILTIN_TOOLS=none load nothing', async () => {
    const demo = await start({});
    expect((await say(demo.app, 'Where is my order ORD-1001?')).reply).toContain('ORD-1001');
    expect((await say(demo.app, '  ', 'T-empty')).reply).toMatch(/Ask me about an order/);
    expect((await demo.app.engine.command({ name: 'help', args: [], caller: alice })).text).toMatch(/I can look up orders and invoices/);
    await demo.app.close();
    for (const env of [{ PLUGINS: 'none' }, { BUILTIN_TOOLS: 'none' }]) {
      const bare = await start(env);
      const reply = (await say(bare.app, 'Where is my order ORD-1001?', `T-${JSON.stringify(env)}`)).reply ?? '';
      expect(reply).not.toContain('shipped');
      expect((await auditOf(bare.app)).some((e) => e.event === 'tool_call')).toBe(false);
      expect((await bare.app.engine.command({ name: 'help', args: [], caller: alice })).text).not.toMatch(/orders/);
      await bare.app.close();
    }
    app = undefined;
  });

  it('a plugin that throws while loading stops the start with an error naming it', async () => {
    await writePlugin('broken', `throw new Error('kaboom at import');\nexport default {};`);
    const failure = start({ PLUGINS: './broken' });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ variables: ['PLUGINS'], message: expect.stringMatching(/Plugin \.\/broken failed to load: kaboom at import/) });
  });

  it.each([
    ['no export', `export const nothing = 1;`, /Plugin \.\/bad exports no plugin/],
    ['a bad name', `export default { name: 'Bad Name' };`, /Plugin \.\/bad is invalid: name: must be lower-case/],
    ['a tool not made with defineTool', `export default { name: 'bad', tools: [{ name: 'x' }] };`, /Plugin \.\/bad is invalid: tools\.0: must be made with defineTool/],
    ['a misspelt part', `export default { name: 'bad', tool: [] };`, /Plugin \.\/bad is invalid: .*tool/],
    ['an offline intent without plan', `export default { name: 'bad', offlineIntents: [{ name: 'x' }] };`, /Plugin \.\/bad is invalid: offlineIntents\.0/],
    ['an empty welcome text', `export default { name: 'bad', prompts: { welcome: '' } };`, /Plugin \.\/bad is invalid: prompts\.welcome/],
    ['an invalid specialist', `export default { name: 'bad', specialists: [{ name: 'x' }] };`, /Plugin \.\/bad is invalid: specialists\.0/],
  ])('a plugin with %s stops the start naming it', async (_what, source, message) => {
    await writePlugin('bad', source, 'index.mjs');
    await expect(start({ PLUGINS: './bad' })).rejects.toMatchObject({ variables: ['PLUGINS'], message: expect.stringMatching(message) });
  });

  it('definePlugin rejects a bad shape when the module loads, naming the plugin', async () => {
    await writePlugin('early', `import { definePlugin } from ${ENGINE};\nexport default definePlugin({ name: 'early', tools: [42] });`);
    await expect(start({ PLUGINS: './early' })).rejects.toMatchObject({ message: expect.stringMatching(/Plugin \.\/early failed to load: Plugin early is invalid: tools\.0/) });
  });

  it('a plugin whose start throws or returns a bad part stops the start naming it, after stopping the plugins already started', async () => {
    await writePlugin('warranty', WARRANTY_PLUGIN);
    await writePlugin('failing', `import { definePlugin } from ${ENGINE};\nexport default definePlugin({ name: 'failing', start() { throw new Error('database unreachable'); } });`);
    await expect(start({ PLUGINS: './warranty,./failing' }, 'failing-run')).rejects.toMatchObject({ message: 'Plugin failing failed to start: database unreachable' });
    expect(existsSync(path.join(root, 'failing-run', 'warranty-stopped'))).toBe(true);

    await writePlugin('odd', `export default { name: 'odd', start: () => ({ tools: 'nope' }) };`, 'index.mjs');
    await expect(start({ PLUGINS: './odd' })).rejects.toMatchObject({ message: expect.stringMatching(/Plugin odd is invalid: start\(\) returned tools/) });
  });

  it('a plugin setting that does not parse names the plugin and the variable', async () => {
    await writePlugin('warranty', WARRANTY_PLUGIN);
    await expect(start({ PLUGINS: './warranty', WARRANTY_YEARS: 'many' })).rejects.toMatchObject({ message: expect.stringMatching(/Plugin warranty failed to start: .*WARRANTY_YEARS/s) });
    await expect(start({ REFUND_ADMIN_THRESHOLD_USD: 'lots' })).rejects.toMatchObject({
      variables: ['REFUND_ADMIN_THRESHOLD_USD'],
      message: expect.stringMatching(/Plugin helpdesk failed to start: .*REFUND_ADMIN_THRESHOLD_USD must be a number/),
    });
  });

  it('a missing path, a missing package and a plugin listed twice stop the start naming them', async () => {
    await expect(start({ PLUGINS: './nowhere' })).rejects.toMatchObject({ variables: ['PLUGINS'], message: expect.stringMatching(/Plugin \.\/nowhere: .*does not exist/) });
    await expect(start({ PLUGINS: 'no-such-support-plugin' })).rejects.toMatchObject({ message: expect.stringMatching(/Plugin no-such-support-plugin failed to load/) });
    await expect(start({ PLUGINS: 'helpdesk,helpdesk' })).rejects.toMatchObject({ message: 'Plugin helpdesk is listed twice' });
  });

  it("a plugin's knowledge folder answers through the help-center search, with a citation; KB_DIR wins over it", async () => {
    const dir = await writePlugin('docs', `export default { name: 'docs', knowledge: { dir: ${JSON.stringify(path.join(root, 'docs', 'kb'))} } };`, 'index.mjs');
    await mkdir(path.join(dir, 'kb'));
    await writeFile(path.join(dir, 'kb', 'warranty.md'), '---\ntitle: Warranty\nurl: https://help.example.com/warranty\n---\n# Refurbished laptops\nRefurbished laptops carry a 12-month warranty from the date of delivery.\n');
    const { app: a, channel } = await start({ PLUGINS: './docs' });
    await say(a, 'What warranty do refurbished laptops have?');
    const reply = channel.texts().at(-1) ?? '';
    expect(reply).toContain('12-month');
    expect(reply).toContain('Sources: [Warranty › Refurbished laptops](https://help.example.com/warranty)');
    await a.close();

    const other = path.join(root, 'team-kb');
    await mkdir(other);
    await writeFile(path.join(other, 'shipping.md'), '---\ntitle: Shipping\n---\n# Times\nOrders ship within two days.\n');
    const second = await start({ PLUGINS: './docs', KB_DIR: other });
    await say(second.app, 'What warranty do refurbished laptops have?');
    expect(second.channel.texts().at(-1)).not.toContain('12-month');
  });

  it('REFUND_ADMIN_THRESHOLD_USD still decides who approves a refund', async () => {
    const { app: a, channel } = await start({ REFUND_ADMIN_THRESHOLD_USD: '10' });
    await say(a, 'Why was I charged twice?');
    await say(a, 'yes please');
    expect(channel.approvals.map((v) => v.requirement)).toEqual(['admin']);
  });
});
