import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, makeWorkspace, removeWorkspaces } from '../console/console-process';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { SlackSimulator } from '../simulators/slack/web-api';
import { seedWorkspace, IDS, SIGNING_SECRET } from '../slack/harness';
import { freePort, killGroup, portIsFree, spawnGroup, waitForEmptyGroup, type GroupProcess } from './process-tree';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST_START = path.join(ROOT, 'dist/start.js');
const started: GroupProcess[] = [];

/** `node dist/start.js`, as `npm run start:prod` runs it, in its own process group. */
function startCompiled(env: Record<string, string> = {}): GroupProcess {
  const workspace = makeWorkspace();
  const proc = spawnGroup(process.execPath, [DIST_START], { cwd: workspace.cwd, env: childEnv(workspace, env) });
  started.push(proc);
  return proc;
}

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build', '-s'], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: build.status, stderr: build.stderr }).toMatchObject({ status: 0 });
}, 60_000);

afterEach(() => {
  // Whatever a failed test left behind.
  for (const proc of started.splice(0)) if (proc.child.pid) killGroup(proc.child.pid);
});
afterAll(() => removeWorkspaces());

describe('production build (node dist/start.js)', () => {
  it('SIGTERM in console mode with stdin open exits 0 within the deadline and leaves nothing running', async () => {
    const proc = startCompiled({ SHUTDOWN_TIMEOUT_MS: '5000' });
    proc.send('Where is my order ORD-1001?');
    await proc.waitFor('Estimated delivery');
    const sentAt = performance.now();
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.atMs - sentAt).toBeLessThan(5_000);
    expect(await waitForEmptyGroup(proc.child.pid!)).toEqual([]);
  }, 40_000);

  it('with Slack: SIGTERM closes the HTTP receiver, frees the port and exits 0', async () => {
    const sim = await new SlackSimulator().start();
    seedWorkspace(sim);
    try {
      const port = await freePort();
      const proc = startCompiled({
        SLACK_BOT_TOKEN: sim.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: sim.apiUrl,
        SLACK_ONCALL_CHANNEL: IDS.oncall,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      await proc.waitFor('running slack');
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
      expect(await waitForEmptyGroup(proc.child.pid!)).toEqual([]);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      await sim.close();
    }
  }, 40_000);

  it('past SHUTDOWN_TIMEOUT_MS, a turn stuck on the model is abandoned: logged, exit 1, nothing left running', async () => {
    const model = await new OpenAISimulator({ apiKey: 'sk-test-shutdown', latencyMs: 60_000 }).start();
    try {
      const proc = startCompiled({ OPENAI_API_KEY: 'sk-test-shutdown', OPENAI_BASE_URL: model.baseUrl, SHUTDOWN_TIMEOUT_MS: '1000' });
      proc.send('Where is my order ORD-1001?');
      await waitUntil(() => model.completions().length > 0);
      const sentAt = performance.now();
      proc.child.kill('SIGTERM');
      const exit = await proc.exited;
      expect(exit.code).toBe(1);
      expect(exit.atMs - sentAt).toBeLessThan(1_000 + 1_500);
      expect(proc.stderr()).toMatch(/shutdown did not finish within SHUTDOWN_TIMEOUT_MS=1000; abandoned 1 in-flight call\(s\): turn console /);
      expect(proc.stderr()).not.toContain('sk-test-shutdown');
      expect(await waitForEmptyGroup(proc.child.pid!)).toEqual([]);
    } finally {
      await model.close();
    }
  }, 40_000);
});

describe('npm start', () => {
  it('SIGTERM to npm start reaches the bot: npm, the shell and node all exit, nothing is left running', async () => {
    const workspace = makeWorkspace();
    // The bot's stdin stays open for as long as this `sleep` runs, whatever happens to npm: only the signal can stop it.
    const keepStdinOpen = spawn('sleep', ['120'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const proc = spawnGroup('npm', ['--prefix', ROOT, 'start', '-s'], { cwd: workspace.cwd, env: childEnv(workspace), stdinFrom: keepStdinOpen.stdout });
      started.push(proc);
      await proc.waitFor('running console');
      proc.child.kill('SIGTERM');
      await proc.exited;
      expect(await waitForEmptyGroup(proc.child.pid!, 10_000)).toEqual([]);
    } finally {
      keepStdinOpen.kill();
    }
  }, 40_000);
});

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
