import type { HelpdeskDatabase } from './database';
import { usd } from './money';

/** An order row as stored. */
export interface OrderRow {
  id: string;
  customer_id: string;
  customer_name: string;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  placed_at: string;
  total_cents: number;
  carrier: string | null;
  tracking_number: string | null;
  shipped_at: string | null;
  eta: string | null;
  delivered_at: string | null;
}

/** A charge with how much of it was already refunded. */
export interface ChargeRow {
  id: string;
  customer_id: string;
  invoice_id: string;
  amount_cents: number;
  description: string;
  created_at: string;
  refunded_cents: number;
  order_id: string | null;
}

/** Shipping details as tools return them. */
export interface ShippingView {
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  estimatedDelivery: string | null;
  deliveredAt: string | null;
}

/** An order as `look_up_order` returns it. */
export interface OrderView {
  id: string;
  status: OrderRow['status'];
  placedAt: string;
  totalUsd: number;
  customer: { id: string; name: string };
  items: Array<{ name: string; quantity: number; unitPriceUsd: number }>;
  shipping: ShippingView | null;
  payment: { chargeId: string; paidUsd: number; refundedUsd: number; refundableUsd: number } | null;
}

const ORDER_SELECT = `SELECT o.*, c.name AS customer_name FROM orders o JOIN customers c ON c.id = o.customer_id`;
const CHARGE_SELECT = `SELECT ch.*, i.order_id AS order_id,
  COALESCE((SELECT SUM(r.amount_cents) FROM refunds r WHERE r.charge_id = ch.id), 0) AS refunded_cents
  FROM charges ch JOIN invoices i ON i.id = ch.invoice_id`;

/** One order by id (any customer; callers scope it). */
export function getOrder(db: HelpdeskDatabase, orderId: string): Promise<OrderRow | undefined> {
  return db.get<OrderRow>(`${ORDER_SELECT} WHERE o.id = ?`, [orderId]);
}

/** A customer's orders, newest first. */
export function listOrders(db: HelpdeskDatabase, customerId: string, limit: number): Promise<OrderRow[]> {
  return db.all<OrderRow>(`${ORDER_SELECT} WHERE o.customer_id = ? ORDER BY o.placed_at DESC LIMIT ?`, [customerId, limit]);
}

/** One charge by id with its refunded total (any customer; callers scope it). */
export function getCharge(db: HelpdeskDatabase, chargeId: string): Promise<ChargeRow | undefined> {
  return db.get<ChargeRow>(`${CHARGE_SELECT} WHERE ch.id = ?`, [chargeId]);
}

/** Charges paying for an order, oldest first. */
export function chargesForOrder(db: HelpdeskDatabase, orderId: string): Promise<ChargeRow[]> {
  return db.all<ChargeRow>(`${CHARGE_SELECT} WHERE i.order_id = ? ORDER BY ch.created_at`, [orderId]);
}

/** A customer's charges, oldest first. */
export function chargesForCustomer(db: HelpdeskDatabase, customerId: string): Promise<ChargeRow[]> {
  return db.all<ChargeRow>(`${CHARGE_SELECT} WHERE ch.customer_id = ? ORDER BY ch.created_at`, [customerId]);
}

/** Items, shipping and payment for one order. */
export async function orderView(db: HelpdeskDatabase, row: OrderRow): Promise<OrderView> {
  const items = await db.all<{ name: string; quantity: number; unit_price_cents: number }>(
    `SELECT name, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY position`,
    [row.id],
  );
  const [charge] = await chargesForOrder(db, row.id);
  return {
    id: row.id,
    status: row.status,
    placedAt: row.placed_at,
    totalUsd: usd(row.total_cents),
    customer: { id: row.customer_id, name: row.customer_name },
    items: items.map((i) => ({ name: i.name, quantity: i.quantity, unitPriceUsd: usd(i.unit_price_cents) })),
    shipping:
      row.status === 'cancelled'
        ? null
        : {
            carrier: row.carrier,
            trackingNumber: row.tracking_number,
            shippedAt: row.shipped_at,
            estimatedDelivery: row.delivered_at ? null : row.eta,
            deliveredAt: row.delivered_at,
          },
    payment: charge
      ? {
          chargeId: charge.id,
          paidUsd: usd(charge.amount_cents),
          refundedUsd: usd(charge.refunded_cents),
          refundableUsd: usd(charge.amount_cents - charge.refunded_cents),
        }
      : null,
  };
}
