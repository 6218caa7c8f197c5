import { z } from 'zod';
import { ToolError } from '../../../src/index';
import { defineTool } from '../../../src/index';
import { requesterTag, resolveScope } from '../customers';
import { getOrder } from '../records';
import { customerArg, orderIdArg } from './arguments';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({
  subject: z.string().trim().min(3).max(120).describe('One-line summary'),
  description: z.string().trim().min(1).max(4000).describe('What happened, what was tried, versions, order ids'),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().describe('Default normal'),
  orderId: orderIdArg.optional(),
  customer: customerArg,
});

/** What `create_ticket` returns. */
export interface CreateTicketResult {
  ticketId: string;
  status: 'open';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  subject: string;
  createdAt: string;
  /** True when a retry of the same call found the ticket already made. */
  alreadyCreated: boolean;
}

/** `create_ticket`: file a ticket for the caller (staff may file for a named customer). Idempotent per call. */
export function createCreateTicketTool({ db }: HelpdeskToolDeps) {
  return defineTool<typeof input, CreateTicketResult>({
    name: 'create_ticket',
    description: 'Open a support ticket for a person on our team to follow up by email. Use when the problem needs investigation.',
    input,
    permission: 'member',
    approval: 'none',
    // A repeat with the same key returns the ticket it already made.
    idempotent: true,
    opensTicket: true,
    describe: (args) => `Open a ${args.priority ?? 'normal'}-priority ticket: "${args.subject}"`,
    async execute(args, ctx) {
      const scope = await resolveScope(db, ctx.caller, args.customer);
      if (!scope.ok) throw new ToolError('not_allowed', scope.message);
      if (args.orderId) {
        const order = await getOrder(db, args.orderId);
        const visible = order && (scope.seesEveryone || order.customer_id === scope.customer?.id);
        if (!visible) throw new ToolError('not_found', `Order ${args.orderId} was not found on your account.`);
      }
      const priority = args.priority ?? 'normal';

      return db.transaction(async () => {
        const existing = await db.get<{ number: number; requester: string; priority: CreateTicketResult['priority']; subject: string; created_at: string }>(
          `SELECT number, requester, priority, subject, created_at FROM tickets WHERE idempotency_key = ?`,
          [ctx.idempotencyKey],
        );
        // Direct calls are keyed by the model's call id, which some servers reuse across conversations:
        // never hand one person's ticket to another as "already created".
        if (existing && existing.requester !== requesterTag(ctx.caller)) {
          throw new ToolError('idempotency_conflict', 'The ticket could not be filed because of a conflicting request id; nothing was filed. Please try again.');
        }
        if (existing) {
          return { ticketId: `TCK-${existing.number}`, status: 'open', priority: existing.priority, subject: existing.subject, createdAt: existing.created_at, alreadyCreated: true };
        }
        // Timed out while waiting: the caller has given up, so file nothing (throwing rolls back).
        ctx.signal.throwIfAborted();
        const createdAt = new Date(ctx.now()).toISOString();
        const { lastId } = await db.run(
          `INSERT INTO tickets (idempotency_key, customer_id, requester, subject, description, priority, status, order_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
          [ctx.idempotencyKey, scope.customer?.id ?? null, requesterTag(ctx.caller), args.subject, args.description, priority, args.orderId ?? null, createdAt],
        );
        return { ticketId: `TCK-${lastId}`, status: 'open', priority, subject: args.subject, createdAt, alreadyCreated: false };
      });
    },
  });
}
