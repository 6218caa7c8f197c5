import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors';
import { alice, bob, caller, openFixture, sam, stranger, type HelpdeskFixture } from './helpdesk-fixture';

describe('data scoping by caller', () => {
  let f: HelpdeskFixture;
  beforeAll(async () => {
    f = await openFixture();
  });
  afterAll(async () => f.cleanup());

  it("a member sees their own order's status, items and shipping", async () => {
    const result = (await f.run('look_up_order', { orderId: 'ORD-1001' }, alice)) as { found: boolean; order: Record<string, unknown> };
    expect(result.found).toBe(true);
    expect(result.order).toMatchObject({
      id: 'ORD-1001',
      status: 'shipped',
      totalUsd: 141,
      shipping: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', estimatedDelivery: '2025-06-12' },
      payment: { chargeId: 'ch_3001', refundableUsd: 141 },
    });
  });

  it("someone else's order reads exactly like a missing one, with none of its data", async () => {
    const theirs = await f.run('look_up_order', { orderId: 'ORD-1004' }, alice);
    const missing = await f.run('look_up_order', { orderId: 'ORD-9999' }, alice);
    expect(theirs).toEqual({ found: false, message: 'Order ORD-1004 was not found on your account.' });
    expect(missing).toEqual({ found: false, message: 'Order ORD-9999 was not found on your account.' });
    expect(JSON.stringify(theirs)).not.toMatch(/FedEx|Keyboard|Bob/);
  });

  it('staff see any order and any customer, named by id or email', async () => {
    const order = (await f.run('look_up_order', { orderId: 'ORD-1004' }, sam)) as { found: boolean; order: { customer: { id: string } } };
    expect(order.found).toBe(true);
    expect(order.order.customer.id).toBe('cus_bob');
    const invoices = (await f.run('list_invoices', { customer: 'BOB@example.com' }, sam)) as { customer: { id: string }; invoices: unknown[] };
    expect(invoices.customer.id).toBe('cus_bob');
    expect(invoices.invoices.length).toBe(4);
    const byId = (await f.run('look_up_order', { customer: 'cus_carol' }, sam)) as { orders: Array<{ id: string }> };
    expect(byId.orders.map((o) => o.id)).toEqual(['ORD-1007']);
  });

  it('an admin who is also a customer still sees other customers’ orders', async () => {
    const adminAlice = { ...alice, role: 'admin' as const };
    const order = (await f.run('look_up_order', { orderId: 'ORD-1004' }, adminAlice)) as { found: boolean };
    expect(order.found).toBe(true);
  });

  it("members cannot name another customer, and the refusal never echoes the email", async () => {
    const result = (await f.run('list_invoices', { customer: 'bob@example.com' }, alice)) as { found: boolean; message: string };
    expect(result.found).toBe(false);
    expect(result.message).not.toContain('@');
    const own = (await f.run('list_invoices', { customer: 'alice@example.com' }, alice)) as { customer: { id: string } };
    expect(own.customer.id).toBe('cus_alice');
  });

  it('an unknown platform user is a customer with no records, never someone else', async () => {
    expect(await f.run('look_up_order', {}, stranger)).toEqual({ found: true, orders: [] });
    expect(await f.run('look_up_order', { orderId: 'ORD-1001' }, stranger)).toMatchObject({ found: false });
    expect(await f.run('list_invoices', {}, stranger)).toEqual({ found: true, customer: null, invoices: [], possibleDuplicates: [], subscriptions: [] });
    // Same user name on another platform is a different person.
    const slackAlice = caller('alice', 'member', 'slack');
    expect(await f.run('look_up_order', { orderId: 'ORD-1001' }, slackAlice)).toMatchObject({ found: false });
  });

  it('members cannot refund or ticket against orders that are not theirs', async () => {
    await expect(f.run('issue_refund', { orderId: 'ORD-1004', amountUsd: 10, reason: 'not mine' }, alice)).rejects.toThrow(
      'Order ORD-1004 was not found on your account.',
    );
    await expect(f.run('issue_refund', { chargeId: 'ch_3007', amountUsd: 10, reason: 'not mine' }, alice)).rejects.toBeInstanceOf(ToolError);
    await expect(f.run('create_ticket', { subject: 'About that', description: 'x', orderId: 'ORD-1004' }, alice)).rejects.toThrow('not found on your account');
    const ok = (await f.run('create_ticket', { subject: 'About that', description: 'x', orderId: 'ORD-1004' }, bob)) as { ticketId: string };
    expect(ok.ticketId).toMatch(/^TCK-\d+$/);
  });

  it('reset_password needs an account and never returns the link, token or full email', async () => {
    await expect(f.run('reset_password', {}, stranger)).rejects.toMatchObject({ code: 'no_account' });
    const result = (await f.run('reset_password', {}, alice, 'reset-1')) as Record<string, unknown>;
    expect(result).toMatchObject({ sent: true, sentTo: 'a••••@example.com', expiresInMinutes: 30, alreadySent: false });
    expect(JSON.stringify(result)).not.toMatch(/alice@|token|http/i);
    expect(await f.run('reset_password', {}, alice, 'reset-1')).toMatchObject({ alreadySent: true });
  });
});
