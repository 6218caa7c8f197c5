import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpsArgs, UsageError } from '../../ops/cli-args';
import { runOpsCommand } from '../../ops/commands';
import type { AuditLine } from '../../src/ops/audit-reader';
import type { ReadModel } from '../../src/ops/read-model';
import { routeReport } from '../../src/ops/route-report';
import { runOpsScenario, scenarioReadModel, type OpsScenario } from './ops-scenario';

let s: OpsScenario;
let rm: ReadModel;

beforeAll(async () => {
  s = await runOpsScenario(Date.parse('2026-11-22T10:00:00Z'));
  rm = await scenarioReadModel(s);
});
afterAll(async () => s?.h.close());

describe('routes per specialist and hand-overs over time', () => {
  it('counts first routes per specialist (how they were decided) and hand-overs, per day', async () => {
    const r = await rm.routes();
    expect(r.specialists).toEqual([
      { specialist: 'orders', routed: 2, by: { rules: 2 }, handOversIn: 0, handOversOut: 1 },
      { specialist: 'billing', routed: 1, by: { rules: 1 }, handOversIn: 0, handOversOut: 0 },
      { specialist: 'delivery', routed: 0, by: {}, handOversIn: 1, handOversOut: 0 },
    ]);
    expect(r.perDay).toHaveLength(14);
    expect(r.perDay[0]).toEqual({ day: '2026-11-22', routed: 2, handOvers: 1, bySpecialist: { orders: 2, delivery: 1, billing: 1 } });
    expect(r.perDay.slice(1).every((d) => d.routed === 0 && d.handOvers === 0)).toBe(true);
  });

  it('npm run ops -- routes prints both tables; --days is checked', async () => {
    const out = await runOpsCommand(rm, parseOpsArgs(['routes', '--days', '3']));
    expect(out.text).toMatch(/^Per specialist \(last 3 days\)\nSPECIALIST +ROUTED +HOW +HAND-OVERS IN +HAND-OVERS OUT\n[- ]+\norders +2 +rules 2 +0 +1/);
    expect(out.text).toMatch(/2026-11-22 +2 +1 +orders 2, billing 1, delivery 1/);
    expect(out.text).toContain('2026-11-20');
    await expect(runOpsCommand(rm, parseOpsArgs(['routes', '--days', '0']))).rejects.toThrow(new UsageError('--days must be a positive whole number'));
    await expect(runOpsCommand(rm, parseOpsArgs(['routes', '--days', '5000']))).rejects.toThrow(/--days must be at most 366/);
  });

  it('ignores route lines outside the window and malformed fields', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    const line = (at: number, fields: Record<string, unknown>): AuditLine => ({ event: 'route', timestamp: new Date(at).toISOString(), at, ...fields });
    const r = routeReport(
      [
        line(now, { specialists: ['billing'], by: 'model' }),
        line(now - 20 * 86_400_000, { specialists: ['billing'], by: 'rules' }),
        line(now, { specialists: 'billing', by: 7 }),
        line(now, { specialists: ['orders', 42], from: ['billing'], by: 'transfer' }),
        { event: 'model_call', timestamp: new Date(now).toISOString(), at: now },
      ],
      { now, days: 2, timezone: 'UTC' },
    );
    expect(r.specialists).toEqual([
      { specialist: 'billing', routed: 1, by: { model: 1 }, handOversIn: 0, handOversOut: 1 },
      { specialist: 'orders', routed: 0, by: {}, handOversIn: 1, handOversOut: 0 },
    ]);
    expect(r.perDay.map((d) => [d.day, d.routed, d.handOvers])).toEqual([
      ['2026-11-22', 1, 1],
      ['2026-11-21', 0, 0],
    ]);
  });
});
