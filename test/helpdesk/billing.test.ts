import { afterEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors';
import { refundApproval } from '../../plugins/helpdesk/index';
import { alice, bob, openFixture, sam, type HelpdeskFixture } from './helpdesk-fixture';

interface Charge {
  id: string;
  amountUsd: number;
  possibleDuplicate: boolean;
  duplicateOf?: string;
  refundableUsd: number;
}
interface Invoices {
  invoices: Array<{ id: string; charges: Charge[] }>;
  possibleDuplicates: Charge[];
}

describe('invoices and refunds', () => {
  let f: HelpdeskFixture | undefined;
  afterEach(async () => {
    await f?.cleanup();
    f = undefined;
  });

  it("flags the later of Alice's two identical same-day charges, and only that one", async () => {
    f = await openFixture();
    const result = (await f.run('list_invoices', {}, alice)) as Invoices;
    const charges = result.invoices.flatMap((i) => i.charges);
    expect(charges.filter((c) => c.possibleDuplicate).map((c) => c.id)).toEqual(['ch_3006']);
    expect(charges.find((c) => c.id === 'ch_3005')?.possibleDuplicate).toBe(false);
    expect(result.possibleDuplicates).toEqual([expect.objectContaining({ id: 'ch_3006', duplicateOf: 'ch_3005', amountUsd: 29, refundableUsd: 29 })]);
    // The same plan a month earlier is not a duplicate: different day.
    expect(charges.find((c) => c.id === 'ch_3004')?.possibleDuplicate).toBe(false);

    const bobs = (await f.run('list_invoices', {}, bob)) as Invoices;
    expect(bobs.possibleDuplicates).toEqual([]);
  });

  it('a retried refund with the same idempotency key pays once', async () => {
    f = await openFixture();
    const args = { chargeId: 'ch_3006', amountUsd: 29, reason: 'Duplicate charge' };
    const first = (await f.run('issue_refund', args, alice, 'call_abc')) as Record<string, unknown>;
    const retry = (await f.run('issue_refund', args, alice, 'call_abc')) as Record<string, unknown>;
    expect(first).toMatchObject({ refundId: 'REF-7002', amountUsd: 29, chargeId: 'ch_3006', alreadyProcessed: false });
    expect(retry).toMatchObject({ refundId: 'REF-7002', alreadyProcessed: true });

    const after = (await f.run('list_invoices', {}, alice)) as Invoices;
    expect(after.possibleDuplicates[0]).toMatchObject({ id: 'ch_3006', refundableUsd: 0 });
    // A new call (new key) cannot refund the same money again.
    await expect(f.run('issue_refund', args, alice, 'call_def')).rejects.toMatchObject({ code: 'already_refunded' });
  });

  it('concurrent calls with the same key still produce one refund', async () => {
    f = await openFixture();
    const fixture = f;
    const args = { chargeId: 'ch_3006', amountUsd: 10, reason: 'Duplicate charge' };
    const results = (await Promise.all([1, 2, 3].map(() => fixture.run('issue_refund', args, alice, 'same-key')))) as Array<{ refundId: string; alreadyProcessed: boolean }>;
    expect(new Set(results.map((r) => r.refundId)).size).toBe(1);
    expect(results.filter((r) => !r.alreadyProcessed)).toHaveLength(1);
    const after = (await fixture.run('list_invoices', {}, alice)) as Invoices;
    expect(after.possibleDuplicates[0]?.refundableUsd).toBe(19);
  });

  it('never refunds more than is left on the charge, and refunds by order use its charge', async () => {
    f = await openFixture();
    await expect(f.run('issue_refund', { chargeId: 'ch_3006', amountUsd: 29.01, reason: 'too much' }, alice)).rejects.toMatchObject({
      code: 'refund_exceeds_charge',
      message: 'Only $29.00 of charge ch_3006 can still be refunded.',
    });
    await expect(f.run('issue_refund', { orderId: 'ORD-1006', amountUsd: 1, reason: 'again' }, sam)).rejects.toBeInstanceOf(ToolError);
    const byOrder = (await f.run('issue_refund', { orderId: 'ORD-1004', amountUsd: 89, reason: 'Arrived broken' }, bob)) as Record<string, unknown>;
    expect(byOrder).toMatchObject({ chargeId: 'ch_3007', orderId: 'ORD-1004', amountUsd: 89 });
  });

  it('approval is staff up to the threshold and admin above it', async () => {
    f = await openFixture({ refundAdminThresholdUsd: 50 });
    const approval = f.tool('issue_refund').approval;
    expect(typeof approval).toBe('function');
    if (typeof approval !== 'function') return;
    const ctx = { caller: alice };
    expect(approval({ chargeId: 'ch_3006', amountUsd: 29, reason: 'dup' }, ctx)).toBe('staff');
    expect(approval({ chargeId: 'ch_3006', amountUsd: 50, reason: 'dup' }, ctx)).toBe('staff');
    expect(approval({ orderId: 'ORD-1001', amountUsd: 50.01, reason: 'x' }, ctx)).toBe('admin');
    expect(refundApproval({ amountUsd: 141 }, 100)).toBe('admin');
    expect(refundApproval({ amountUsd: 29 }, 10)).toBe('admin');
    expect(f.tool('issue_refund').describe?.({ chargeId: 'ch_3006', amountUsd: 29, reason: 'Duplicate charge' })).toBe(
      'Refund $29.00 for charge ch_3006 (reason: Duplicate charge)',
    );
  });

  it('declares permissions and approvals for every tool', async () => {
    f = await openFixture();
    const policy = Object.fromEntries(
      f.helpdesk.tools.map((t) => [t.name, [t.permission, typeof t.approval === 'function' ? 'fn' : t.approval]]),
    );
    expect(policy).toEqual({
      look_up_order: ['member', 'none'],
      list_invoices: ['member', 'none'],
      check_service_status: ['guest', 'none'],
      search_knowledge_base: ['guest', 'none'],
      create_ticket: ['member', 'none'],
      issue_refund: ['member', 'fn'],
      reset_password: ['member', 'fn'],
    });
    for (const t of f.helpdesk.tools) expect(typeof t.describe).toBe('function');
    // Resetting your own password is confirmed by you; staff resetting a customer's needs an admin.
    const reset = f.helpdesk.tools.find((t) => t.name === 'reset_password');
    const approval = reset?.approval;
    expect(typeof approval === 'function' && approval({}, { caller: alice })).toBe('requester');
    expect(typeof approval === 'function' && approval({ customer: 'bob@example.com' }, { caller: { ...alice, role: 'staff' } })).toBe('admin');
  });

  it('reports the desktop-app incident on the status page', async () => {
    f = await openFixture();
    const status = (await f.run('check_service_status', { component: 'desktop' }, { ...alice, role: 'guest' })) as Record<string, unknown>;
    expect(status).toMatchObject({
      overall: 'degraded',
      components: [{ name: 'Desktop app', status: 'degraded' }],
      activeIncidents: [{ id: 'INC-421', title: 'Desktop app 4.2.0 crashes on startup on Windows' }],
    });
  });
});
