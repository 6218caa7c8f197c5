import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoHelpdesk, HELPDESK_DB_FILE } from '../../plugins/helpdesk/index';
import { openHelpdeskDatabase } from '../../plugins/helpdesk/database';
import { alice, openFixture, SEED_NOW, type HelpdeskFixture } from './helpdesk-fixture';

const TABLES = ['customers', 'identities', 'orders', 'order_items', 'subscriptions', 'invoices', 'charges', 'refunds', 'tickets', 'service_components', 'incidents'];

async function counts(dir: string): Promise<Record<string, number>> {
  const db = await openHelpdeskDatabase(path.join(dir, HELPDESK_DB_FILE));
  try {
    const out: Record<string, number> = {};
    for (const table of TABLES) out[table] = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? -1;
    return out;
  } finally {
    await db.close();
  }
}

describe('demo helpdesk seeding', () => {
  let fixture: HelpdeskFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('creates helpdesk.sqlite in the data dir with the seven tools', async () => {
    fixture = await openFixture();
    expect(existsSync(path.join(fixture.dir, 'helpdesk.sqlite'))).toBe(true);
    expect(fixture.helpdesk.tools.map((t) => t.name).sort()).toEqual(
      ['check_service_status', 'create_ticket', 'issue_refund', 'list_invoices', 'look_up_order', 'reset_password', 'search_knowledge_base'],
    );
    expect(fixture.helpdesk.tools.some((t) => t.name === 'escalate_to_human')).toBe(false);
  });

  it('is idempotent: a restart neither duplicates the seed nor loses new records', async () => {
    fixture = await openFixture();
    const first = await counts(fixture.dir);
    expect(first.orders).toBe(7);
    expect(first.charges).toBe(11);

    const ticket = (await fixture.run('create_ticket', { subject: 'Lamp flickers', description: 'It flickers.' }, alice)) as { ticketId: string };
    await fixture.helpdesk.close();

    // Restart later in time: seed dates must not move, and the new ticket must still be there.
    const again = await createDemoHelpdesk({ dataDir: fixture.dir, refundAdminThresholdUsd: 100, now: () => SEED_NOW + 30 * 86_400_000 });
    fixture.helpdesk = again;
    const second = await counts(fixture.dir);
    expect(second).toEqual({ ...first, tickets: (first.tickets ?? 0) + 1 });

    const order = (await fixture.run('look_up_order', { orderId: 'ORD-1001' }, alice)) as { order: { placedAt: string } };
    expect(order.order.placedAt).toBe('2025-06-06T10:12:00.000Z');
    const db = await openHelpdeskDatabase(path.join(fixture.dir, HELPDESK_DB_FILE));
    const row = await db.get<{ subject: string }>(`SELECT subject FROM tickets WHERE number = ?`, [Number(ticket.ticketId.slice(4))]);
    await db.close();
    expect(row?.subject).toBe('Lamp flickers');
  });

  it('maps console, Slack and Discord identities of one person to the same customer', async () => {
    fixture = await openFixture();
    for (const who of [alice, { ...alice, platform: 'slack', userId: 'U0DEMOALICE' }, { ...alice, platform: 'discord', userId: '100000000000000001' }]) {
      const result = (await fixture.run('list_invoices', {}, who)) as { customer: { id: string } | null };
      expect(result.customer?.id).toBe('cus_alice');
    }
  });
});
