import { z } from 'zod';
import { defineTool } from '../../../src/index';
import { resolveScope } from '../customers';
import { chargesForCustomer, type ChargeRow } from '../records';
import { usd } from '../money';
import { customerArg } from './arguments';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({
  customer: customerArg,
  limit: z.number().int().min(1).max(50).optional().describe('How many recent invoices (default 10)'),
});

/** One charge on an invoice. `possibleDuplicate` marks the later of two identical same-day charges. */
export interface ChargeView {
  id: string;
  createdAt: string;
  amountUsd: number;
  description: string;
  refundedUsd: number;
  refundableUsd: number;
  possibleDuplicate: boolean;
  /** The earlier charge this one repeats. */
  duplicateOf?: string;
}

/** One invoice with its charges. */
export interface InvoiceView {
  id: string;
  issuedAt: string;
  description: string;
  amountUsd: number;
  status: string;
  orderId: string | null;
  charges: ChargeView[];
}

/** What `list_invoices` returns. A caller with no account gets empty lists. */
export type ListInvoicesResult =
  | {
      found: true;
      customer: { id: string; name: string } | null;
      invoices: InvoiceView[];
      /** Every flagged charge, so nobody has to scan the invoices for them. */
      possibleDuplicates: ChargeView[];
      subscriptions: Array<{ id: string; plan: string; status: string; priceUsd: number; interval: string; renewsOn: string }>;
    }
  | { found: false; message: string };

/** Same amount, same description, same UTC day: the later one is probably a double capture. */
export function findDuplicates(charges: readonly ChargeRow[]): Map<string, string> {
  const firstByKey = new Map<string, string>();
  const duplicates = new Map<string, string>();
  for (const c of [...charges].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
    const key = `${c.amount_cents}|${c.description}|${c.created_at.slice(0, 10)}`;
    const first = firstByKey.get(key);
    if (first) duplicates.set(c.id, first);
    else firstByKey.set(key, c.id);
  }
  return duplicates;
}

/** `list_invoices`: invoices, charges (duplicates flagged) and subscriptions of one customer. */
export function createListInvoicesTool({ db }: HelpdeskToolDeps) {
  return defineTool<typeof input, ListInvoicesResult>({
    name: 'list_invoices',
    description:
      'List recent invoices with their card charges and active subscriptions. Charges that look like a double charge ' +
      '(same amount, same description, same day) are flagged with possibleDuplicate and listed in possibleDuplicates.',
    input,
    permission: 'member',
    approval: 'none',
    readOnly: true,
    describe: () => 'List invoices and charges',
    async execute(args, ctx) {
      const scope = await resolveScope(db, ctx.caller, args.customer);
      if (!scope.ok) return { found: false, message: scope.message };
      const customer = scope.customer;
      if (!customer) {
        if (scope.seesEveryone) return { found: false, message: 'Give a customer id or email to list their invoices.' };
        return { found: true, customer: null, invoices: [], possibleDuplicates: [], subscriptions: [] };
      }

      const invoices = await db.all<{ id: string; issued_at: string; description: string; amount_cents: number; status: string; order_id: string | null }>(
        `SELECT id, issued_at, description, amount_cents, status, order_id FROM invoices
         WHERE customer_id = ? ORDER BY issued_at DESC, id DESC LIMIT ?`,
        [customer.id, args.limit ?? 10],
      );
      const charges = await chargesForCustomer(db, customer.id);
      const duplicates = findDuplicates(charges);
      const views = new Map<string, ChargeView>(
        charges.map((c) => {
          const duplicateOf = duplicates.get(c.id);
          const view: ChargeView = {
            id: c.id,
            createdAt: c.created_at,
            amountUsd: usd(c.amount_cents),
            description: c.description,
            refundedUsd: usd(c.refunded_cents),
            refundableUsd: usd(c.amount_cents - c.refunded_cents),
            possibleDuplicate: duplicateOf !== undefined,
            ...(duplicateOf ? { duplicateOf } : {}),
          };
          return [c.id, view];
        }),
      );
      const subscriptions = await db.all<{ id: string; plan: string; status: string; price_cents: number; billing_interval: string; current_period_end: string }>(
        `SELECT id, plan, status, price_cents, billing_interval, current_period_end FROM subscriptions WHERE customer_id = ? ORDER BY id`,
        [customer.id],
      );

      return {
        found: true,
        customer: { id: customer.id, name: customer.name },
        invoices: invoices.map((i) => ({
          id: i.id,
          issuedAt: i.issued_at,
          description: i.description,
          amountUsd: usd(i.amount_cents),
          status: i.status,
          orderId: i.order_id,
          charges: charges.filter((c) => c.invoice_id === i.id).flatMap((c) => views.get(c.id) ?? []),
        })),
        possibleDuplicates: [...views.values()].filter((v) => v.possibleDuplicate),
        subscriptions: subscriptions.map((s) => ({
          id: s.id,
          plan: s.plan,
          status: s.status,
          priceUsd: usd(s.price_cents),
          interval: s.billing_interval,
          renewsOn: s.current_period_end,
        })),
      };
    },
  });
}
