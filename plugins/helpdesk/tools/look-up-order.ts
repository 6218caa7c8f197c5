import { z } from 'zod';
import { defineTool } from '../../../src/index';
import { resolveScope } from '../customers';
import { getOrder, listOrders, orderView, type OrderView } from '../records';
import { usd } from '../money';
import { customerArg, orderIdArg } from './arguments';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({
  orderId: orderIdArg.optional(),
  customer: customerArg,
});

/** A short line per order when no id was given. */
export interface OrderSummary {
  id: string;
  status: OrderView['status'];
  placedAt: string;
  totalUsd: number;
  estimatedDelivery: string | null;
}

/** What `look_up_order` returns. Someone else's order reads exactly like a missing one. */
export type LookUpOrderResult =
  | { found: true; order: OrderView }
  | { found: true; orders: OrderSummary[] }
  | { found: false; message: string };

/** `look_up_order`: status, items, shipping and payment of one order, or a list of the caller's orders. */
export function createLookUpOrderTool({ db }: HelpdeskToolDeps) {
  return defineTool<typeof input, LookUpOrderResult>({
    name: 'look_up_order',
    description:
      "Look up an order's status, items, shipping (carrier, tracking number, estimated delivery) and payment. " +
      "Without orderId, lists the customer's recent orders.",
    input,
    permission: 'member',
    approval: 'none',
    readOnly: true,
    describe: (args) => (args.orderId ? `Look up order ${args.orderId}` : 'List recent orders'),
    async execute(args, ctx) {
      const scope = await resolveScope(db, ctx.caller, args.customer);
      if (!scope.ok) return { found: false, message: scope.message };

      if (args.orderId) {
        const row = await getOrder(db, args.orderId);
        // Staff without a named customer may open any order; everyone else only their own.
        const visible = row !== undefined && ((scope.seesEveryone && !args.customer) || row.customer_id === scope.customer?.id);
        if (!row || !visible) {
          return { found: false, message: `Order ${args.orderId} was not found on ${scope.seesEveryone ? 'record' : 'your account'}.` };
        }
        return { found: true, order: await orderView(db, row) };
      }

      if (!scope.customer) {
        return scope.seesEveryone
          ? { found: false, message: 'Give an order id, or a customer id or email, to list orders.' }
          : { found: true, orders: [] };
      }
      const rows = await listOrders(db, scope.customer.id, 10);
      return {
        found: true,
        orders: rows.map((r) => ({
          id: r.id,
          status: r.status,
          placedAt: r.placed_at,
          totalUsd: usd(r.total_cents),
          estimatedDelivery: r.delivered_at || r.status === 'cancelled' ? null : r.eta,
        })),
      };
    },
  });
}
