import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/ports';
import { alice, bob, openFixture, toolContext, type HelpdeskFixture } from './helpdesk-fixture';

let f: HelpdeskFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

/** Start a write, then abort its signal while it is still reading (as a timeout would). */
async function abortedMidway(fixture: HelpdeskFixture, name: string, args: unknown, who: Caller, key: string): Promise<unknown> {
  const tool = fixture.tool(name);
  const controller = new AbortController();
  const running = tool.execute(tool.input.parse(args), { ...toolContext(who, key), signal: controller.signal });
  controller.abort();
  return running;
}

describe('built-in tools and repeated or abandoned side effects', () => {
  it('declares lookups read-only and the writers idempotent (they de-duplicate on the key)', async () => {
    f = await openFixture();
    const flags = Object.fromEntries(f.helpdesk.tools.map((t) => [t.name, { readOnly: t.readOnly === true, idempotent: t.idempotent === true }]));
    expect(flags).toEqual({
      look_up_order: { readOnly: true, idempotent: false },
      list_invoices: { readOnly: true, idempotent: false },
      check_service_status: { readOnly: true, idempotent: false },
      search_knowledge_base: { readOnly: true, idempotent: false },
      create_ticket: { readOnly: false, idempotent: true },
      issue_refund: { readOnly: false, idempotent: true },
      reset_password: { readOnly: false, idempotent: true },
    });
    // Declared idempotent, so each must really answer a repeat from the first call.
    expect(await f.run('create_ticket', { subject: 'App crashes', description: 'Crashes on start' }, alice, 'k1')).toMatchObject({ alreadyCreated: false });
    expect(await f.run('create_ticket', { subject: 'App crashes', description: 'Crashes on start' }, alice, 'k1')).toMatchObject({ alreadyCreated: true });
    expect(await f.run('reset_password', {}, alice, 'k2')).toMatchObject({ alreadySent: false });
    expect(await f.run('reset_password', {}, alice, 'k2')).toMatchObject({ alreadySent: true });
  });

  it('a refund whose signal is aborted (timed out) while it runs pays nothing', async () => {
    f = await openFixture();
    const args = { chargeId: 'ch_3006', amountUsd: 29, reason: 'Duplicate charge' };
    await expect(abortedMidway(f, 'issue_refund', args, alice, 'timed-out')).rejects.toThrow();
    const invoices = (await f.run('list_invoices', {}, alice)) as { possibleDuplicates: Array<{ id: string; refundedUsd: number }> };
    expect(invoices.possibleDuplicates).toMatchObject([{ id: 'ch_3006', refundedUsd: 0 }]);
    // Nothing was recorded under the key either: a later run with it really refunds.
    expect(await f.run('issue_refund', args, alice, 'timed-out')).toMatchObject({ alreadyProcessed: false });
  });

  it('a ticket or password reset whose signal is aborted while it runs records nothing', async () => {
    f = await openFixture();
    const ticket = { subject: 'App crashes', description: 'Crashes on start' };
    await expect(abortedMidway(f, 'create_ticket', ticket, alice, 'ticket-key')).rejects.toThrow();
    expect(await f.run('create_ticket', ticket, alice, 'ticket-key')).toMatchObject({ alreadyCreated: false });
    await expect(abortedMidway(f, 'reset_password', {}, alice, 'reset-key')).rejects.toThrow();
    expect(await f.run('reset_password', {}, alice, 'reset-key')).toMatchObject({ alreadySent: false });
  });

  it("never returns another person's ticket when two callers' calls share an id", async () => {
    f = await openFixture();
    // Model servers that omit call ids get `call_1_0` in every conversation.
    await f.run('create_ticket', { subject: 'Alice private issue', description: 'details' }, alice, 'call_1_0');
    const bobs = f.run('create_ticket', { subject: 'Bob issue', description: 'details' }, bob, 'call_1_0');
    await expect(bobs).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });
});
