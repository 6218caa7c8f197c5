import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpsScenario, type OpsScenario } from '../ops/ops-scenario';
import { startDashboardServer, type DashboardServer } from './dashboard-server';

let s: OpsScenario;
let d: DashboardServer;

beforeAll(async () => {
  s = await runOpsScenario(Date.parse('2026-11-22T10:00:00Z'));
  d = await startDashboardServer(s);
});
afterAll(async () => {
  await d?.close();
  await s?.h.close();
});

const tokenOf = (url: string) => new URL(url).searchParams.get('token') as string;

async function signIn(): Promise<string> {
  const res = await fetch(d.dashboard.signInUrl(d.origin) as string, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') as string).split(';')[0] as string;
}

describe('dashboard access', () => {
  it('answers 401 without a session, with a wrong token and on the API, and leaks nothing', async () => {
    const bodies: string[] = [];
    for (const [path, init] of [
      ['/dashboard', {}],
      ['/dashboard/approvals', {}],
      [`/dashboard/conversations/${encodeURIComponent(s.answeredSession)}`, {}],
      ['/dashboard/login?token=wrong', {}],
      ['/dashboard/approvals', { headers: { cookie: 'dashboard_session=forged' } }],
      ['/dashboard/login', { method: 'POST', body: 'token=wrong', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ] as const) {
      const res = await fetch(`${d.origin}${path}`, { redirect: 'manual', ...init });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      bodies.push(await res.text());
    }
    const api = await fetch(`${d.origin}/dashboard/api/series?window=24h`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'sign in required' });
    const all = bodies.join('\n');
    for (const secret of [s.approvalId, s.escalationId, 'Bob', 'Alice', 'ORD-', 'issue_refund', 'REDACTED', '$']) expect(all).not.toContain(secret);
  });

  it('signs in with the generated token (link or form) into an HttpOnly, SameSite=Strict session cookie', async () => {
    const url = d.dashboard.signInUrl(d.origin) as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?token=[\w-]{32}$/);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('/dashboard');
    expect(res.headers.get('set-cookie')).toMatch(/^dashboard_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/dashboard; Max-Age=43200$/);
    const form = await fetch(`${d.origin}/dashboard/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ token: tokenOf(url) }),
    });
    expect(form.status).toBe(303);
    const page = await fetch(`${d.origin}/dashboard/approvals`, { headers: { cookie: (form.headers.get('set-cookie') as string).split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-approval="${s.approvalId}"`);
  });

  it('expires sessions and stays read-only', async () => {
    const cookie = await signIn();
    const post = await fetch(`${d.origin}/dashboard/approvals`, { method: 'POST', headers: { cookie } });
    expect(post.status).toBe(405);
    s.clock.advance(12 * 3_600_000 + 1);
    try {
      expect((await fetch(`${d.origin}/dashboard`, { headers: { cookie } })).status).toBe(401);
    } finally {
      s.clock.advance(-(12 * 3_600_000 + 1));
    }
  });

  it('serves uPlot itself and renders a redacted transcript', async () => {
    const cookie = await signIn();
    const uplot = await fetch(`${d.origin}/dashboard/static/uplot.js`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain('uPlot');
    const transcript = await (await fetch(`${d.origin}/dashboard/conversations/${encodeURIComponent(s.answeredSession)}`, { headers: { cookie } })).text();
    expect(transcript).toContain('Hi, my email is [REDACTED_EMAIL]. Where is my order ORD-1001?');
    expect(transcript).not.toContain('alice@example.com');
  });

  it('shows routes per specialist and hand-overs per day (page and JSON)', async () => {
    const cookie = await signIn();
    const page = await (await fetch(`${d.origin}/dashboard/routes`, { headers: { cookie } })).text();
    expect(page).toContain('<a href="/dashboard/routes" aria-current="page">Routes</a>');
    expect(page).toMatch(/<tr data-key="orders"><td>orders<\/td><td>2<\/td><td>rules 2<\/td><td>0<\/td><td>1<\/td><\/tr>/);
    expect(page).toMatch(/<tr data-key="delivery"><td>delivery<\/td><td>0<\/td><td>-<\/td><td>1<\/td><td>0<\/td><\/tr>/);
    const api = (await (await fetch(`${d.origin}/dashboard/api/routes`, { headers: { cookie } })).json()) as { perDay: Array<{ handOvers: number }> };
    expect(api.perDay[0]).toMatchObject({ routed: 2, handOvers: 1 });
    expect((await fetch(`${d.origin}/dashboard/api/routes`)).status).toBe(401);
  });

  it('leaves other paths to the server it is mounted in', async () => {
    expect((await fetch(`${d.origin}/health`)).status).toBe(404);
  });
});

describe('dashboard without DASHBOARD_TOKEN', () => {
  it('refuses clients that are not on loopback; with a token it serves them', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) throw new Error('this test needs a non-loopback IPv4 interface');
    const open = await startDashboardServer(s, { host: '0.0.0.0' });
    const withToken = await startDashboardServer(s, { host: '0.0.0.0', token: 'a-long-configured-dashboard-token' });
    try {
      const refused = await fetch(`http://${external}:${open.port}/dashboard/login?token=${tokenOf(open.dashboard.signInUrl(open.origin) as string)}`, { redirect: 'manual' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(withToken.dashboard.signInUrl(withToken.origin)).toBeUndefined();
      expect(withToken.dashboard.loopbackOnly).toBe(false);
      const allowed = await fetch(`http://${external}:${withToken.port}/dashboard/login?token=a-long-configured-dashboard-token`, { redirect: 'manual' });
      expect(allowed.status).toBe(303);
    } finally {
      await open.close();
      await withToken.close();
    }
  });
});
