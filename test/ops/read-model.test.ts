import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EncryptionKeyMismatchError } from '../../src/ops/sealed-records';
import { ReadModel } from '../../src/ops/read-model';
import { createSealer } from '../../src/sessions/sealer';
import { runOpsScenario, scenarioReadModel, type OpsScenario } from './ops-scenario';

let s: OpsScenario;
let rm: ReadModel;

beforeAll(async () => {
  s = await runOpsScenario(Date.parse('2026-11-22T10:00:00Z'));
  rm = await scenarioReadModel(s);
});
afterAll(async () => s?.h.close());

describe('ops read model over a real engine', () => {
  it('lists the paused refund as waiting, with who may decide and its age', async () => {
    const { pending, decided } = await rm.approvals();
    expect(decided).toEqual([]);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ id: s.approvalId, toolName: 'issue_refund', action: 'Refund $120.00 on order ORD-1042', requester: { userId: 'U_BOB' }, status: 'pending', sessionId: s.refundSession });
    expect(pending[0]?.deciders).toMatch(/staff/i);
    expect(pending[0]?.ageMs).toBe(60_000);
  });

  it('lists the escalation as open with its trigger', async () => {
    const rows = await rm.escalations();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: s.escalationId, status: 'open', trigger: 'user_request', customer: { userId: 'U_GUEST' }, sessionId: s.escalatedSession });
  });

  it('lists conversations with outcome, steps and cost, and filters by user', async () => {
    const rows = await rm.conversations();
    const byId = new Map(rows.map((r) => [r.sessionId, r]));
    expect(byId.get(s.answeredSession)).toMatchObject({ outcome: 'answered', turns: 2, steps: 2 });
    expect(byId.get(s.answeredSession)?.costUsd).toBeGreaterThan(0);
    expect(byId.get(s.refundSession)).toMatchObject({ outcome: 'waiting_approval', steps: 1 });
    expect(byId.get(s.escalatedSession)?.outcome).toBe('with_human');
    expect((await rm.conversations({ user: 'U_BOB' })).map((r) => r.sessionId)).toEqual([s.refundSession]);
    expect(await rm.conversations({ since: s.clock.now() + 1 })).toEqual([]);
  });

  it('decrypts a transcript on the server and redacts personal data', async () => {
    const t = await rm.transcript(s.answeredSession);
    const text = JSON.stringify(t);
    expect(t?.entries.find((e) => e.role === 'user')?.text).toBe('Hi, my email is [REDACTED_EMAIL]. Where is my order ORD-1001?');
    expect(t?.entries.some((e) => e.role === 'assistant' && e.text.includes('ORD-1001 shipped'))).toBe(true);
    expect(text).not.toContain('alice@example.com');
    expect(await rm.transcript('test:W1:C1:nope')).toBeUndefined();
  });

  it('reports spend today and this month against the budgets', async () => {
    const cost = await rm.cost();
    expect(cost.day).toBe('2026-11-22');
    expect(cost.todayUsd).toBeGreaterThan(0);
    expect(cost.monthUsd).toBeCloseTo(cost.todayUsd, 6);
    expect(cost.byModel.map((l) => l.label)).toEqual(['gpt-4o-mini']);
    expect(cost.topUsers.map((l) => l.label).sort()).toEqual(['test:U_ALICE', 'test:U_BOB']);
    expect(cost.limits).toEqual({ requestUsd: 0.25, userDailyUsd: 2, monthlyUsd: 200 });
  });

  it('searches the audit log by event, user and tool without exposing sealed text', async () => {
    const inbound = await rm.searchAudit({ event: 'inbound_message' });
    expect(inbound).toHaveLength(4);
    expect(inbound.every((l) => l.text_sealed === '[sealed]')).toBe(true);
    expect((await rm.searchAudit({ userId: 'U_BOB', event: 'approval_requested' })).map((l) => l.tool_name)).toEqual(['issue_refund']);
    expect(await rm.searchAudit({ tool: 'issue_refund', since: s.clock.now() + 1 })).toEqual([]);
  });

  it('derives turns, outcomes and latency per hour from the audit log', async () => {
    const series = await rm.series('24h');
    expect(series).toHaveLength(24);
    const last = series.at(-1);
    expect(last).toMatchObject({ turns: 4, solved: 2, escalated: 1, failed: 0, errorRate: 0 });
    expect(last?.p50Ms).toBe(400);
    const summary = await rm.summary();
    expect(summary).toMatchObject({ pendingApprovals: 1, openEscalations: 1, conversations: 3, turnsLast24h: 4 });
    expect((await rm.series('30d')).at(-1)?.turns).toBe(4);
  });

  it('says the key is wrong instead of showing nothing', async () => {
    const wrong = new ReadModel({ store: s.h.app.store, sealer: createSealer(randomBytes(32)), auditLogPath: s.h.app.config.auditLogPath, budget: s.h.app.config.budget, now: () => s.clock.now() });
    await expect(wrong.approvals()).rejects.toBeInstanceOf(EncryptionKeyMismatchError);
    await expect(wrong.conversations()).rejects.toThrow(/same ENCRYPTION_KEY/);
  });
});
