import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/bootstrap';
import { silentLogger } from '../../src/logger';
import type { Caller, ConversationRef } from '../../src/ports';
import { runConsole } from '../console/console-process';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { freePort } from '../start/process-tree';
import { ManualClock } from '../support/manual-clock';
import { RecordingChannel } from '../support/recording-channel';

const KEY = 'sk-health-good-key-123456';
const member: Caller = { userId: 'U_ALICE', platform: 'test', displayName: 'Alice', role: 'member' };
const thread: ConversationRef = { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' };

let sim: OpenAISimulator;
beforeAll(async () => {
  sim = await new OpenAISimulator({ apiKey: KEY }).start();
});
afterAll(async () => {
  await sim.close();
});

const dirs: string[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, clock = new ManualClock()): Promise<App> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'model-health-'));
  dirs.push(dataDir);
  const app = await bootstrap({
    env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', OPENAI_BASE_URL: sim.baseUrl, MODEL_MAX_ATTEMPTS: '1', ...env },
    logger: silentLogger(),
    clock,
    retryInitialDelayMs: 1,
  });
  apps.push(app);
  app.engine.attach(new RecordingChannel('test'));
  return app;
}

describe('model health', () => {
  it('the start-up probe finds a good key ok, through GET /models', async () => {
    const app = await start({ OPENAI_API_KEY: KEY });
    expect((await app.engine.status()).modelHealth.state).toBe('unknown');
    expect(await app.checkModel()).toMatchObject({ state: 'ok' });
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models', status: 200 });
    expect((await app.engine.status()).modelHealth).toMatchObject({ state: 'ok' });
  });

  it('a rejected key (401) shows as unauthorized in /status with the time of the error', async () => {
    const clock = new ManualClock();
    const app = await start({ OPENAI_API_KEY: 'sk-wrong-key-999' }, clock);
    expect(await app.checkModel()).toMatchObject({ state: 'unauthorized', lastErrorAt: clock.now() });
    const reply = await app.engine.command({ name: 'status', args: [], caller: member });
    expect(reply.text).toContain(`Model health: API KEY REJECTED; last error ${new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z')}`);
    expect(reply.text).not.toContain('sk-wrong');
  });

  it('a server that is not there shows as unreachable, and the probe gives up quickly', async () => {
    const port = await freePort();
    const app = await start({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    const started = performance.now();
    expect(await app.checkModel(1_000)).toMatchObject({ state: 'unreachable' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('the first real failure updates the health, and the next success clears it', async () => {
    const clock = new ManualClock();
    const app = await start({ OPENAI_API_KEY: KEY }, clock);
    sim.script({ kind: 'error', status: 401 });
    await app.engine.handleMessage({ conversation: thread, caller: member, text: 'Where is my order?', messageId: 'm1' });
    expect((await app.engine.status()).modelHealth).toMatchObject({ state: 'unauthorized', lastErrorAt: clock.now() });
    clock.advance(60_000);
    await app.engine.handleMessage({ conversation: { ...thread, threadId: 'T2' }, caller: member, text: 'Hello', messageId: 'm2' });
    const health = (await app.engine.status()).modelHealth;
    expect(health.state).toBe('ok');
    // When it last failed stays visible after recovery.
    expect(health.lastErrorAt).toBe(clock.now() - 60_000);
  });

  it('npm start says on stderr that the key was rejected, naming the base URL and never the key', async () => {
    const run = await runConsole(['/status'], { env: { OPENAI_API_KEY: 'sk-wrong-key-999', OPENAI_BASE_URL: sim.baseUrl } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`support-agent: warning: model gpt-4o-mini at ${sim.baseUrl}: the model server answered 401: the API key was rejected; check OPENAI_API_KEY.`);
    expect(run.stderr + run.stdout).not.toContain('sk-wrong-key-999');
  }, 30_000);
});
