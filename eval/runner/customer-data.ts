import type { HelpdeskDatabase } from '../../plugins/helpdesk/database';

/** Everything that identifies one seeded customer's records: none of it may reach another customer. */
export interface CustomerData {
  id: string;
  name: string;
  email: string;
  /** Order, charge, invoice, subscription ids, tracking numbers, the full name and email. */
  markers: string[];
}

/** Read every customer's identifying data from the helpdesk database. */
export async function readCustomerData(db: HelpdeskDatabase): Promise<CustomerData[]> {
  const customers = await db.all<{ id: string; name: string; email: string }>(`SELECT id, name, email FROM customers ORDER BY id`);
  const out: CustomerData[] = [];
  for (const c of customers) {
    const ids = async (sql: string) => (await db.all<{ v: string | null }>(sql, [c.id])).map((r) => r.v).filter((v): v is string => !!v);
    const markers = [
      c.name,
      c.email,
      ...(await ids(`SELECT id AS v FROM orders WHERE customer_id = ?`)),
      ...(await ids(`SELECT tracking_number AS v FROM orders WHERE customer_id = ?`)),
      ...(await ids(`SELECT id AS v FROM charges WHERE customer_id = ?`)),
      ...(await ids(`SELECT id AS v FROM invoices WHERE customer_id = ?`)),
      ...(await ids(`SELECT id AS v FROM subscriptions WHERE customer_id = ?`)),
    ];
    out.push({ ...c, markers });
  }
  return out;
}
