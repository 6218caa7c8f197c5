import { z } from 'zod';
import { ToolError } from '../../../src/index';
import type { ApprovalRequirement } from '../../../src/index';
import { defineTool } from '../../../src/index';
import { requesterTag, resolveScope } from '../customers';
import { cents, formatUsd, isWholeCents, usd } from '../money';
import { chargesForOrder, getCharge, type ChargeRow } from '../records';
import { chargeIdArg, orderIdArg } from './arguments';
import type { HelpdeskToolDeps } from './deps';

const input = z
  .object({
    chargeId: chargeIdArg.optional(),
    orderId: orderIdArg.optional(),
    amountUsd: z
      .number()
      .positive()
      .max(100_000)
      .refine(isWholeCents, 'Amount must be in whole cents')
      .describe('Amount to refund in USD; at most what is left to refund on the charge'),
    reason: z.string().trim().min(3).max(500).describe('Why, e.g. "Duplicate charge"'),
  })
  .refine((v) => v.chargeId !== undefined || v.orderId !== undefined, { message: 'Give a chargeId or an orderId', path: ['chargeId'] });

type RefundInput = z.infer<typeof input>;

/** What `issue_refund` returns once a refund exists. */
export interface IssueRefundResult {
  refundId: string;
  status: 'issued';
  amountUsd: number;
  chargeId: string;
  orderId: string | null;
  reason: string;
  createdAt: string;
  expectedArrival: string;
  /** True when this call's idempotency key had already produced the refund: nothing was paid twice. */
  alreadyProcessed: boolean;
}

/**
 * The refund policy's one setting: refunds above this many USD need an admin
 * instead of staff. Read from the environment by the helpdesk plugin.
 */
export const refundPolicySettings = z.object({
  REFUND_ADMIN_THRESHOLD_USD: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number({ error: 'must be a number' }).min(0, { error: 'must be at least 0' }).default(100),
  ),
});

/** Staff approve refunds; above the threshold an admin must. Decided from the arguments, before anything runs. */
export function refundApproval(args: Pick<RefundInput, 'amountUsd'>, adminThresholdUsd: number): Exclude<ApprovalRequirement, 'none' | 'requester'> {
  return args.amountUsd > adminThresholdUsd ? 'admin' : 'staff';
}

/**
 * `issue_refund`, with its whole policy here: members may request it (guests
 * may not); it runs only after a staff member other than the requester
 * approves, or an admin above `refundAdminThresholdUsd` (also when an approver
 * edits the amount over it); idempotent per call. The engine enforces all of it.
 */
export function createIssueRefundTool({ db, refundAdminThresholdUsd }: HelpdeskToolDeps) {
  return defineTool<typeof input, IssueRefundResult>({
    name: 'issue_refund',
    description:
      'Refund all or part of a card charge, by chargeId (from list_invoices) or orderId. ' +
      `A staff member must approve; refunds above ${formatUsd(refundAdminThresholdUsd)} need an admin.`,
    input,
    // Who may ask: members and up (guests are refused before anything runs).
    permission: 'member',
    // Who must approve: staff, or an admin above the threshold; checked again for edited arguments.
    approval: (args) => refundApproval(args, refundAdminThresholdUsd),
    // The UNIQUE idempotency key inside one transaction makes a repeat return the first refund.
    idempotent: true,
    describe: (args) =>
      `Refund ${formatUsd(args.amountUsd)} for ${args.chargeId ? `charge ${args.chargeId}` : `order ${args.orderId}`} (reason: ${args.reason})`,
    async execute(args, ctx) {
      const scope = await resolveScope(db, ctx.caller, undefined);
      if (!scope.ok) throw new ToolError('not_allowed', scope.message);
      const where = scope.seesEveryone ? 'on record' : 'on your account';

      return db.transaction(async () => {
        const done = await db.get<{ number: number; amount_cents: number; charge_id: string; order_id: string | null; reason: string; created_at: string }>(
          `SELECT number, amount_cents, charge_id, order_id, reason, created_at FROM refunds WHERE idempotency_key = ?`,
          [ctx.idempotencyKey],
        );
        if (done) return refundResult(done, true);

        let charge: ChargeRow | undefined;
        if (args.chargeId) {
          charge = await getCharge(db, args.chargeId);
          if (charge && args.orderId && charge.order_id !== args.orderId) charge = undefined;
        } else if (args.orderId) {
          const charges = await chargesForOrder(db, args.orderId);
          charge = charges.find((c) => c.amount_cents > c.refunded_cents) ?? charges[0];
        }
        const owned = charge && (scope.seesEveryone || charge.customer_id === scope.customer?.id);
        if (!charge || !owned) {
          throw new ToolError('not_found', `${args.chargeId ? `Charge ${args.chargeId}` : `Order ${args.orderId}`} was not found ${where}.`);
        }
        const left = charge.amount_cents - charge.refunded_cents;
        if (left <= 0) throw new ToolError('already_refunded', `Charge ${charge.id} has already been refunded in full.`);
        if (cents(args.amountUsd) > left) {
          throw new ToolError('refund_exceeds_charge', `Only ${formatUsd(usd(left))} of charge ${charge.id} can still be refunded.`);
        }

        // Timed out while waiting: the caller has given up, so pay nothing (throwing rolls back).
        ctx.signal.throwIfAborted();
        const createdAt = new Date(ctx.now()).toISOString();
        const row = { amount_cents: cents(args.amountUsd), charge_id: charge.id, order_id: charge.order_id, reason: args.reason, created_at: createdAt };
        const { lastId } = await db.run(
          `INSERT INTO refunds (idempotency_key, customer_id, charge_id, order_id, amount_cents, reason, requested_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [ctx.idempotencyKey, charge.customer_id, row.charge_id, row.order_id, row.amount_cents, row.reason, requesterTag(ctx.caller), createdAt],
        );
        return refundResult({ number: lastId, ...row }, false);
      });
    },
  });
}

function refundResult(
  row: { number: number; amount_cents: number; charge_id: string; order_id: string | null; reason: string; created_at: string },
  alreadyProcessed: boolean,
): IssueRefundResult {
  return {
    refundId: `REF-${row.number}`,
    status: 'issued',
    amountUsd: usd(row.amount_cents),
    chargeId: row.charge_id,
    orderId: row.order_id,
    reason: row.reason,
    createdAt: row.created_at,
    expectedArrival: '5 to 10 business days',
    alreadyProcessed,
  };
}
