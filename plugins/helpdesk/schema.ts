import type { HelpdeskDatabase } from './database';

/** Bump when the tables change shape; stored in `meta` so an old file can be migrated or rebuilt. */
export const HELPDESK_SCHEMA_VERSION = 1;

// Money is stored in integer cents; times are ISO-8601 UTC strings.
const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at TEXT NOT NULL
);

-- How a platform user (console name, Slack id, Discord id) maps to a customer.
CREATE TABLE IF NOT EXISTS identities (
  platform TEXT NOT NULL,
  user_id TEXT NOT NULL COLLATE NOCASE,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  PRIMARY KEY (platform, user_id)
);

CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  status TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled')),
  placed_at TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  carrier TEXT,
  tracking_number TEXT,
  shipped_at TEXT,
  eta TEXT,
  delivered_at TEXT
);

CREATE TABLE IF NOT EXISTS order_items (
  order_id TEXT NOT NULL REFERENCES orders(id),
  position INTEGER NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price_cents INTEGER NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE TABLE IF NOT EXISTS subscriptions (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  plan TEXT NOT NULL,
  status TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  billing_interval TEXT NOT NULL,
  started_at TEXT NOT NULL,
  current_period_end TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS invoices (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  order_id TEXT REFERENCES orders(id),
  subscription_id TEXT REFERENCES subscriptions(id),
  description TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  status TEXT NOT NULL,
  issued_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS charges (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  amount_cents INTEGER NOT NULL,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- The UNIQUE idempotency key is what stops a retried refund from paying twice.
CREATE TABLE IF NOT EXISTS refunds (
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  charge_id TEXT NOT NULL REFERENCES charges(id),
  order_id TEXT REFERENCES orders(id),
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tickets (
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT UNIQUE,
  customer_id TEXT REFERENCES customers(id),
  requester TEXT NOT NULL,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  priority TEXT NOT NULL,
  status TEXT NOT NULL,
  order_id TEXT,
  created_at TEXT NOT NULL
);

-- Only a hash of the token is kept: the link goes to the customer's inbox, never into the chat.
CREATE TABLE IF NOT EXISTS password_resets (
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  token_hash TEXT NOT NULL,
  sent_to TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS service_components (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('operational', 'degraded', 'partial_outage', 'major_outage')),
  updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  component TEXT NOT NULL REFERENCES service_components(name),
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  details TEXT NOT NULL,
  workaround TEXT,
  started_at TEXT NOT NULL,
  resolved_at TEXT
);
`;

/** Create the tables if they are missing (safe on every start). */
export async function createHelpdeskSchema(db: HelpdeskDatabase): Promise<void> {
  await db.exec(DDL);
  await db.run(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)`, [String(HELPDESK_SCHEMA_VERSION)]);
}
