import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolSpec } from '../../src/tools/define-tool';
import { openFixture, type HelpdeskFixture } from './helpdesk-fixture';

describe('tool input schemas', () => {
  let f: HelpdeskFixture;
  beforeAll(async () => {
    f = await openFixture();
  });
  afterAll(async () => f.cleanup());

  const rejects = (name: string, args: unknown) => expect(f.tool(name).input.safeParse(args).success, JSON.stringify(args)).toBe(false);
  const parses = (name: string, args: unknown) => f.tool(name).input.parse(args);

  it('look_up_order accepts ORD ids in any case and rejects anything else', () => {
    expect(parses('look_up_order', { orderId: ' ord-1001 ' })).toEqual({ orderId: 'ORD-1001' });
    expect(parses('look_up_order', {})).toEqual({});
    rejects('look_up_order', { orderId: '1001' });
    rejects('look_up_order', { orderId: "ORD-1001' OR 1=1" });
    rejects('look_up_order', { orderId: 42 });
    rejects('look_up_order', { customer: '' });
  });

  it('issue_refund needs a charge or order, a positive whole-cent amount and a reason', () => {
    expect(parses('issue_refund', { chargeId: 'CH_3006', amountUsd: 29, reason: 'Duplicate' })).toEqual({ chargeId: 'ch_3006', amountUsd: 29, reason: 'Duplicate' });
    expect(parses('issue_refund', { orderId: 'ORD-1001', amountUsd: 0.1 + 0.2, reason: 'float' })).toMatchObject({ amountUsd: 0.1 + 0.2 });
    rejects('issue_refund', { amountUsd: 29, reason: 'no target' });
    rejects('issue_refund', { chargeId: 'ch_3006', amountUsd: -5, reason: 'negative' });
    rejects('issue_refund', { chargeId: 'ch_3006', amountUsd: 0, reason: 'zero' });
    rejects('issue_refund', { chargeId: 'ch_3006', amountUsd: 1.005, reason: 'fraction of a cent' });
    rejects('issue_refund', { chargeId: 'ch_3006', amountUsd: '29', reason: 'string amount' });
    rejects('issue_refund', { chargeId: 'ch_3006', amountUsd: 29 });
    rejects('issue_refund', { chargeId: 'card 4242', amountUsd: 29, reason: 'bad id' });
  });

  it('create_ticket, search_knowledge_base, list_invoices and check_service_status validate their fields', () => {
    rejects('create_ticket', { subject: '', description: 'x' });
    rejects('create_ticket', { subject: 'Fine subject', description: '' });
    rejects('create_ticket', { subject: 'Fine subject', description: 'x', priority: 'critical' });
    rejects('create_ticket', { subject: 'x'.repeat(121), description: 'x' });
    rejects('search_knowledge_base', { query: 'a' });
    rejects('search_knowledge_base', { query: 'refund', limit: 9 });
    rejects('list_invoices', { limit: 0 });
    rejects('check_service_status', { component: '' });
    expect(parses('reset_password', {})).toEqual({});
  });

  it('every tool produces a JSON schema the model can be given', () => {
    for (const tool of f.helpdesk.tools) {
      const spec = toolSpec(tool);
      expect(spec.parameters).toMatchObject({ type: 'object' });
      expect(spec.description.length).toBeGreaterThan(20);
    }
    expect(toolSpec(f.tool('issue_refund')).parameters).toMatchObject({ required: expect.arrayContaining(['amountUsd', 'reason']) });
  });
});
