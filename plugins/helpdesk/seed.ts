import type { HelpdeskDatabase, SqlValue } from './database';

/** Bump to reseed a fresh database differently; an existing file keeps its data. */
export const HELPDESK_SEED_VERSION = 1;

const DAY_MS = 86_400_000;

/**
 * Seed the demo data once. Dates are relative to the first start so the demo
 * looks current on a fresh machine; later starts find `seed_version` and leave
 * everything (including tickets and refunds made since) alone.
 */
export async function seedHelpdesk(db: HelpdeskDatabase, now: number): Promise<boolean> {
  return db.transaction(async () => {
    const seeded = await db.get<{ value: string }>(`SELECT value FROM meta WHERE key = 'seed_version'`);
    if (seeded) return false;

    const midnight = Math.floor(now / DAY_MS) * DAY_MS;
    /** ISO time `days` from today's UTC midnight at hh:mm:ss. */
    const at = (days: number, hh = 12, mm = 0, ss = 0) =>
      new Date(midnight + days * DAY_MS + ((hh * 60 + mm) * 60 + ss) * 1000).toISOString();
    const insert = async (table: string, rows: SqlValue[][]) => {
      for (const row of rows) {
        await db.run(`INSERT INTO ${table} VALUES (${row.map(() => '?').join(', ')})`, row);
      }
    };

    await insert('customers', [
      ['cus_alice', 'Alice Martin', 'alice@example.com', at(-400)],
      ['cus_bob', 'Bob Okafor', 'bob@example.com', at(-210)],
      ['cus_carol', 'Carol Diaz', 'carol@example.com', at(-45)],
    ]);
    await insert('identities', [
      ['console', 'alice', 'cus_alice'],
      ['slack', 'U0DEMOALICE', 'cus_alice'],
      ['discord', '100000000000000001', 'cus_alice'],
      ['console', 'bob', 'cus_bob'],
      ['slack', 'U0DEMOBOB', 'cus_bob'],
      ['discord', '100000000000000002', 'cus_bob'],
      ['console', 'carol', 'cus_carol'],
      ['slack', 'U0DEMOCAROL', 'cus_carol'],
      ['discord', '100000000000000003', 'cus_carol'],
    ]);

    // id, customer, status, placed, total, carrier, tracking, shipped, eta, delivered
    await insert('orders', [
      ['ORD-1001', 'cus_alice', 'shipped', at(-4, 10, 12), 14100, 'UPS', '1Z999AA10123456784', at(-2, 16, 40), at(2).slice(0, 10), null],
      ['ORD-1002', 'cus_alice', 'delivered', at(-30, 9, 5), 4500, 'USPS', '9400111899223344556677', at(-28, 11), at(-25).slice(0, 10), at(-25, 14, 22)],
      ['ORD-1003', 'cus_alice', 'processing', at(-1, 18, 30), 3900, null, null, null, at(4).slice(0, 10), null],
      ['ORD-1004', 'cus_bob', 'shipped', at(-3, 8, 45), 8900, 'FedEx', '771234567890', at(-1, 13, 5), at(1).slice(0, 10), null],
      ['ORD-1005', 'cus_bob', 'delivered', at(-60, 15, 0), 1900, 'USPS', '9400111899220011223344', at(-59, 10), at(-56).slice(0, 10), at(-56, 12, 10)],
      ['ORD-1006', 'cus_bob', 'cancelled', at(-12, 20, 15), 6400, null, null, null, null, null],
      ['ORD-1007', 'cus_carol', 'processing', at(0, 7, 50), 24900, null, null, null, at(5).slice(0, 10), null],
    ]);
    await insert('order_items', [
      ['ORD-1001', 1, 'AUD-200', 'Aurora Wireless Headphones', 1, 12900],
      ['ORD-1001', 2, 'CBL-USBC-2M', 'USB-C Charging Cable (2 m)', 1, 1200],
      ['ORD-1002', 1, 'LMP-DESK', 'Lumen Desk Lamp', 1, 4500],
      ['ORD-1003', 1, 'SLV-14', 'Laptop Sleeve 14"', 1, 3900],
      ['ORD-1004', 1, 'KEY-MX', 'Mechanical Keyboard', 1, 8900],
      ['ORD-1005', 1, 'PAD-XL', 'Mouse Pad XL', 1, 1900],
      ['ORD-1006', 1, 'CAM-HD', 'HD Webcam', 1, 6400],
      ['ORD-1007', 1, 'MON-27', '27" 4K Monitor', 1, 24900],
    ]);

    await insert('subscriptions', [
      ['SUB-301', 'cus_alice', 'Pro', 'active', 2900, 'month', at(-400), at(27).slice(0, 10)],
      ['SUB-302', 'cus_bob', 'Basic', 'active', 900, 'month', at(-210), at(12).slice(0, 10)],
    ]);

    // id, customer, order, subscription, description, amount, status, issued
    await insert('invoices', [
      ['INV-2001', 'cus_alice', 'ORD-1001', null, 'Order ORD-1001', 14100, 'paid', at(-4, 10, 12)],
      ['INV-2002', 'cus_alice', 'ORD-1002', null, 'Order ORD-1002', 4500, 'paid', at(-30, 9, 5)],
      ['INV-2003', 'cus_alice', 'ORD-1003', null, 'Order ORD-1003', 3900, 'paid', at(-1, 18, 30)],
      ['INV-2004', 'cus_alice', null, 'SUB-301', 'Pro plan, monthly', 2900, 'paid', at(-33, 9, 14)],
      ['INV-2005', 'cus_alice', null, 'SUB-301', 'Pro plan, monthly', 2900, 'paid', at(-3, 9, 14)],
      ['INV-2006', 'cus_bob', 'ORD-1004', null, 'Order ORD-1004', 8900, 'paid', at(-3, 8, 45)],
      ['INV-2007', 'cus_bob', 'ORD-1005', null, 'Order ORD-1005', 1900, 'paid', at(-60, 15, 0)],
      ['INV-2008', 'cus_bob', 'ORD-1006', null, 'Order ORD-1006', 6400, 'refunded', at(-12, 20, 15)],
      ['INV-2009', 'cus_bob', null, 'SUB-302', 'Basic plan, monthly', 900, 'paid', at(-18, 6, 0)],
      ['INV-2010', 'cus_carol', 'ORD-1007', null, 'Order ORD-1007', 24900, 'paid', at(0, 7, 50)],
    ]);
    // The deliberate double charge: Alice's latest Pro renewal was captured twice, 44 s apart.
    await insert('charges', [
      ['ch_3001', 'cus_alice', 'INV-2001', 14100, 'Order ORD-1001', at(-4, 10, 12, 30)],
      ['ch_3002', 'cus_alice', 'INV-2002', 4500, 'Order ORD-1002', at(-30, 9, 5, 20)],
      ['ch_3003', 'cus_alice', 'INV-2003', 3900, 'Order ORD-1003', at(-1, 18, 30, 40)],
      ['ch_3004', 'cus_alice', 'INV-2004', 2900, 'Pro plan, monthly', at(-33, 9, 14, 3)],
      ['ch_3005', 'cus_alice', 'INV-2005', 2900, 'Pro plan, monthly', at(-3, 9, 14, 3)],
      ['ch_3006', 'cus_alice', 'INV-2005', 2900, 'Pro plan, monthly', at(-3, 9, 14, 47)],
      ['ch_3007', 'cus_bob', 'INV-2006', 8900, 'Order ORD-1004', at(-3, 8, 45, 10)],
      ['ch_3008', 'cus_bob', 'INV-2007', 1900, 'Order ORD-1005', at(-60, 15, 0, 12)],
      ['ch_3009', 'cus_bob', 'INV-2008', 6400, 'Order ORD-1006', at(-12, 20, 15, 9)],
      ['ch_3010', 'cus_bob', 'INV-2009', 900, 'Basic plan, monthly', at(-18, 6, 0, 5)],
      ['ch_3011', 'cus_carol', 'INV-2010', 24900, 'Order ORD-1007', at(0, 7, 50, 30)],
    ]);
    await insert('refunds', [
      [7001, 'seed-refund-ORD-1006', 'cus_bob', 'ch_3009', 'ORD-1006', 6400, 'Order cancelled before shipping', 'system', at(-11, 9, 0)],
    ]);
    await insert('tickets', [
      [5001, 'seed-ticket-5001', 'cus_bob', 'console:bob', 'Keyboard arrived with a sticky key', 'The space bar on my old keyboard sticks.', 'normal', 'closed', 'ORD-1005', at(-50, 11, 0)],
    ]);

    await insert('service_components', [
      ['Web app', 1, 'operational', at(0, 6, 0)],
      ['Desktop app', 2, 'degraded', at(0, 6, 0)],
      ['Mobile app', 3, 'operational', at(0, 6, 0)],
      ['API', 4, 'operational', at(0, 6, 0)],
      ['Payments', 5, 'operational', at(0, 6, 0)],
      ['Shipping notifications', 6, 'operational', at(0, 6, 0)],
    ]);
    await insert('incidents', [
      [
        'INC-421',
        'Desktop app',
        'Desktop app 4.2.0 crashes on startup on Windows',
        'identified',
        'Version 4.2.0 of the desktop app can crash right after launch on Windows 10 and 11 when hardware acceleration is on. A fix ships in 4.2.1, rolling out now.',
        'Update to 4.2.1 (Help > Check for updates), or turn off Settings > Advanced > Hardware acceleration.',
        at(-1, 22, 10),
        null,
      ],
      ['INC-398', 'Payments', 'Delayed card payment confirmations', 'resolved', 'Card payment confirmations were delayed by up to 20 minutes.', null, at(-9, 13, 0), at(-9, 14, 5)],
    ]);

    await db.run(`INSERT INTO meta (key, value) VALUES ('seed_version', ?), ('seeded_at', ?)`, [
      String(HELPDESK_SEED_VERSION),
      new Date(now).toISOString(),
    ]);
    return true;
  });
}
