import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpsArgs } from '../../ops/cli-args';
import { runOpsCommand } from '../../ops/commands';
import { openReadModel } from '../../src/ops/open-read-model';
import type { ReadModel } from '../../src/ops/read-model';
import { startDashboardServer, type DashboardServer } from '../dashboard/dashboard-server';
import { runOpsScenario, type OpsScenario } from './ops-scenario';
import { users } from '../support/engine-harness';

/** Outcomes in the ops CLI and the dashboard, read from what the real engine counted. */
let s: OpsScenario;
let rm: ReadModel;
let closeReader: () => Promise<void>;
let d: DashboardServer;

beforeAll(async () => {
  s = await runOpsScenario(Date.parse('2026-11-22T10:00:00Z'));
  const { h } = s;
  // The answered conversation is solved with a thumbs up; the escalated one is handed back by staff.
  await h.engine.feedback({ conversation: h.conversation('T-answered'), caller: users.alice, rating: 'up' });
  await h.engine.resolveConversation({ conversation: h.conversation('T-answered'), caller: users.alice });
  await h.engine.handBack({ conversation: h.conversation('T-escalated'), caller: users.dana });
  await h.app.audit.flush();
  ({ readModel: rm, close: closeReader } = await openReadModel(h.app.config, { now: () => s.clock.now() }));
  d = await startDashboardServer(s);
});
afterAll(async () => {
  await d?.close();
  await closeReader?.();
  await s?.h.close();
});

describe('outcomes for operators', () => {
  it('npm run ops -- outcomes: per day and per week, as a table and as JSON', async () => {
    const out = await runOpsCommand(rm, parseOpsArgs(['outcomes']));
    expect(out.text).toMatch(/^Per day\nPERIOD +ENDED +RESOLVED +ESCALATED/);
    // Two conversations ended: the answered one (two messages, so not first contact) solved, the escalated one handed back.
    expect(out.text).toMatch(/2026-11-22 +2 +1 +1 \(1 by a human\) +0 +50% +0% +50% +100% \(1\/1\) +\$0\.0000/);
    expect(out.text).toContain('Per ISO week');
    expect(out.text).toMatch(/2026-W47 +2 +1/);
    const data = out.data as { days: Array<{ period: string; costPerResolvedUsd?: number }>; weeks: Array<{ period: string }> };
    // Two answers of 100 prompt + 20 completion tokens at $0.15/$0.60 per 1M, over two resolved conversations.
    expect(data.days[0]?.costPerResolvedUsd).toBeCloseTo((2 * (100 * 0.15 + 20 * 0.6)) / 1e6 / 2, 9);
    expect(data.days.map((p) => p.period)).toEqual(['2026-11-22', '2026-11-21', '2026-11-20', '2026-11-19', '2026-11-18', '2026-11-17', '2026-11-16']);
    expect(data.weeks.map((p) => p.period)).toEqual(['2026-W47', '2026-W46', '2026-W45', '2026-W44']);
  });

  it('the dashboard has an Outcomes page with the same numbers', async () => {
    const login = await fetch(d.dashboard.signInUrl(d.origin) as string, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string;
    const res = await fetch(`${d.origin}/dashboard/outcomes`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<a href="/dashboard/outcomes" aria-current="page">Outcomes</a>');
    const today = /<tr data-period="2026-11-22">(.*?)<\/tr>/.exec(page)?.[1] ?? '';
    expect(today.replace(/<\/?td>/g, '|')).toContain('|2||1||1 (1 by a human)||0||50%||0%||50%||100% (1/1)||$0.0000|');
  });
});
