import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSamples, valueOf } from '../observability/prometheus-text';
import { removeWorkspaces, startConsoleProcess, type ConsoleProcess } from './console-process';

afterAll(() => removeWorkspaces());

/** The URL the start banner prints for the HTTP server. */
async function bannerUrl(proc: ConsoleProcess): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const m = /http: {3}(http:\/\/\S+) \(\/health, \/metrics/.exec(proc.stderr());
    if (m) return m[1] as string;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no http line in the banner; stderr:\n${proc.stderr()}`);
}

describe('console mode HTTP server', () => {
  it('mounts the dashboard and prints a working one-time sign-in link', async () => {
    const proc = startConsoleProcess({ args: ['--user', 'carol'] });
    try {
      const url = await bannerUrl(proc);
      const link = /dashboard: (http:\/\/\S+login\?token=\S+)/.exec(proc.stderr())?.[1];
      expect(link).toBeDefined();
      expect((await fetch(`${url}/dashboard`)).status).toBe(401);
      const signIn = await fetch(link!, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const page = await fetch(`${url}/dashboard`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      proc.child.stdin.end();
      await proc.exited;
    }
  }, 30_000);

  it('serves /health and /metrics on 127.0.0.1 while the console runs (npm start with no credentials)', async () => {
    const proc = startConsoleProcess({ args: ['--user', 'carol'] });
    try {
      const url = await bannerUrl(proc);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      proc.send('Where is my order ORD-1007?');
      await proc.waitFor('ORD-1007 is processing');

      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: { ok: true }, model: { ok: true } });

      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      const s = parseSamples(await metrics.text());
      expect(valueOf(s, 'support_turns_total', { platform: 'console', outcome: 'answered' })).toBe(1);
      expect(valueOf(s, 'support_tool_calls_total', { tool: 'look_up_order', outcome: 'ok' })).toBe(1);
      expect(valueOf(s, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      proc.child.stdin.end();
    }
    expect((await proc.exited).code).toBe(0);
  }, 30_000);

  it('takes a free port when PORT is taken, and says so in the banner', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const proc = startConsoleProcess({ env: { PORT: String(taken) } });
    try {
      const url = await bannerUrl(proc);
      expect(url).not.toBe(`http://127.0.0.1:${taken}`);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      proc.child.stdin.end();
      await proc.exited;
      blocker.close();
    }
  }, 30_000);
});
