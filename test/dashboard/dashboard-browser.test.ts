import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../support/engine-harness';
import { runOpsScenario, type OpsScenario } from '../ops/ops-scenario';
import { startDashboardServer, type DashboardServer } from './dashboard-server';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve('test-output/dashboard');

let s: OpsScenario;
let d: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  // Recent (the browser judges cookie expiry by the real clock), and one minute into an hour: the scenario's
  // three minutes of turns then share one hourly bucket of the 24 h charts whatever the time of day. Started at
  // "ten minutes ago", a run between HH:07 and HH:10 split them, and the latest bucket held only the escalation.
  const hour = 3_600_000;
  s = await runOpsScenario(Math.floor((Date.now() - 10 * 60_000) / hour) * hour + 60_000);
  d = await startDashboardServer(s, { pollMs: 500 });
  await mkdir(SHOTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await d?.close();
  await s?.h.close();
});

async function signedInPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const token = new URL(d.dashboard.signInUrl(d.origin) as string).searchParams.get('token') as string;
  await page.goto(`${d.origin}/dashboard`);
  await page.getByLabel('Dashboard token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${d.origin}/dashboard`);
  return page;
}

describe('dashboard in headless Chromium', { timeout: 60_000 }, () => {
  it('requires sign-in: 401 and a form, no data', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${d.origin}/dashboard/approvals`);
    expect(response?.status()).toBe(401);
    await expect(page.getByRole('heading', { name: 'Sign in to the dashboard' }).isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain(s.approvalId);
    await page.getByLabel('Dashboard token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That token is not right.');
    await page.close();
  });

  it('draws the charts with data and updates live without a reload', async () => {
    const page = await signedInPage();
    const turns24h = page.locator('.chart[data-window="24h"][data-chart="turns"]');
    await expect.poll(async () => Number(await turns24h.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await turns24h.locator('canvas').count()).toBe(1);
    expect(await turns24h.getAttribute('aria-label')).toContain('Turns 4 in total');
    expect(await page.locator('.chart[data-window="30d"] canvas').count()).toBe(4);
    expect(await page.locator('.chart[data-window="24h"][data-chart="latency"]').getAttribute('aria-label')).toMatch(/p95 ms latest 400/);
    await expect(page.locator('.card').first().textContent()).resolves.toContain('Running');
    await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });

    // A new conversation while the page is open shows up without a reload.
    await page.evaluate('window.notReloaded = true');
    await s.h.send('Where is my order ORD-1001?', { conversation: s.h.conversation('T-live'), caller: users.bob });
    await s.h.app.audit.flush();
    await expect.poll(() => page.locator('[data-testid="turns-24h"]').textContent(), { timeout: 10_000 }).toBe('5');
    await expect.poll(() => turns24h.getAttribute('aria-label'), { timeout: 10_000 }).toContain('Turns 5 in total');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await page.close();
  });

  it('lists the pending approval and opens a redacted transcript', async () => {
    const page = await signedInPage();
    await page.getByRole('link', { name: 'Approvals' }).click();
    const row = page.locator(`tr[data-approval="${s.approvalId}"]`);
    await expect(row.textContent()).resolves.toContain('Refund $120.00 on order ORD-1042');
    await expect(row.textContent()).resolves.toContain('Bob');
    await page.screenshot({ path: path.join(SHOTS, 'approvals.png'), fullPage: true });

    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.getByRole('link', { name: 'Alice' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Conversation with Alice');
    const transcript = await page.locator('ol.transcript').textContent();
    expect(transcript).toContain('Hi, my email is [REDACTED_EMAIL]. Where is my order ORD-1001?');
    expect(transcript).toContain('ORD-1001 shipped on November 20 with UPS.');
    expect(await page.content()).not.toContain('alice@example.com');
    await page.screenshot({ path: path.join(SHOTS, 'transcript.png'), fullPage: true });
    await page.close();
  });

  it('shows cost against the budgets and searches the audit log', async () => {
    const page = await signedInPage();
    await page.getByRole('link', { name: 'Cost' }).click();
    await expect(page.locator('table', { hasText: 'Per model this month' }).textContent()).resolves.toContain('gpt-4o-mini');
    await expect(page.locator('meter').count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'cost.png'), fullPage: true });

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Event').fill('approval_requested');
    await page.getByLabel('Since').press('Enter');
    await page.waitForURL(/event=approval_requested/);
    const rows = page.locator('table.audit tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('issue_refund');
    await page.screenshot({ path: path.join(SHOTS, 'audit.png'), fullPage: true });
    await page.close();
  });

  it('shows which specialists conversations were routed to, and the hand-overs per day', async () => {
    const page = await signedInPage();
    await page.getByRole('link', { name: 'Routes' }).click();
    await page.waitForURL(`${d.origin}/dashboard/routes`);
    const specialists = page.locator('section#specialists table');
    await expect(specialists.locator('tbody tr').count()).resolves.toBe(3);
    // Earlier tests here add conversations, so counts are at least the scenario's.
    await expect(specialists.locator('tr[data-key="orders"] td').allTextContents()).resolves.toEqual(['orders', expect.stringMatching(/^[2-9]$/), expect.stringMatching(/^rules [2-9]$/), '0', '1']);
    const today = page.locator('section#route-days tbody tr').first();
    await expect(today.locator('td').nth(2).textContent()).resolves.toBe('1');
    await page.screenshot({ path: path.join(SHOTS, 'routes.png'), fullPage: true });
    await page.close();
  });

  it('is usable from the keyboard and on a phone', async () => {
    const page = await signedInPage({ width: 390, height: 844 });
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement && document.activeElement.textContent')).resolves.toBe('Overview');
    // Nothing wider than the phone's screen except inside scrollable tables.
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.goto(`${d.origin}/dashboard/escalations`);
    expect(Number(await page.evaluate('document.body.scrollWidth'))).toBeLessThanOrEqual(390);
    await page.goto(`${d.origin}/dashboard`);
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 10_000 }).toBe(8);
    await page.screenshot({ path: path.join(SHOTS, 'overview-phone.png'), fullPage: true });
    await page.close();
  });
});
