import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ToolError } from '../../../src/index';
import { defineTool } from '../../../src/index';
import { maskEmail, requesterTag, resolveScope } from '../customers';
import { customerArg } from './arguments';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({ customer: customerArg });

/** How long a reset link works; matches the help-center article. */
export const RESET_LINK_MINUTES = 30;

/** What `reset_password` returns. Never the password, never the link or its token. */
export interface ResetPasswordResult {
  sent: true;
  /** Masked address on file, e.g. `a•••••@example.com`. */
  sentTo: string;
  expiresAt: string;
  expiresInMinutes: number;
  /** True when a retry of the same call found the link already sent. */
  alreadySent: boolean;
}

/**
 * `reset_password`: email a reset link to the address on file. The requester
 * confirms first (approval `requester`), so nobody resets an account by
 * typing into someone else's chat. Only a hash of the token is stored.
 */
export function createResetPasswordTool({ db }: HelpdeskToolDeps) {
  return defineTool<typeof input, ResetPasswordResult>({
    name: 'reset_password',
    description: "Email a password reset link to the address on the customer's account. The link never appears in chat.",
    input,
    permission: 'member',
    // Your own account: you confirm. Someone else's (staff acting for a customer): an admin must approve.
    approval: (args) => (args.customer ? 'admin' : 'requester'),
    // A repeat with the same key finds the recorded reset and sends nothing new.
    idempotent: true,
    describe: (args) =>
      args.customer
        ? `Email a password reset link to the address on file for customer ${args.customer}`
        : 'Email a password reset link to the address on file for your account',
    async execute(args, ctx) {
      const scope = await resolveScope(db, ctx.caller, args.customer);
      if (!scope.ok) throw new ToolError('not_allowed', scope.message);
      const customer = scope.customer;
      if (!customer) throw new ToolError('no_account', 'There is no customer account linked to you, so no reset link was sent.');

      return db.transaction(async () => {
        const existing = await db.get<{ expires_at: string }>(`SELECT expires_at FROM password_resets WHERE idempotency_key = ?`, [ctx.idempotencyKey]);
        if (existing) return result(customer.email, existing.expires_at, true);

        // Timed out while waiting: the caller has given up, so send nothing (throwing rolls back).
        ctx.signal.throwIfAborted();
        const token = randomBytes(32).toString('base64url');
        const createdAt = ctx.now();
        const expiresAt = new Date(createdAt + RESET_LINK_MINUTES * 60_000).toISOString();
        // The demo has no mail server: recording the reset stands in for sending the email.
        await db.run(
          `INSERT INTO password_resets (idempotency_key, customer_id, token_hash, sent_to, requested_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [ctx.idempotencyKey, customer.id, createHash('sha256').update(token).digest('hex'), customer.email, requesterTag(ctx.caller), new Date(createdAt).toISOString(), expiresAt],
        );
        return result(customer.email, expiresAt, false);
      });
    },
  });
}

function result(email: string, expiresAt: string, alreadySent: boolean): ResetPasswordResult {
  return { sent: true, sentTo: maskEmail(email), expiresAt, expiresInMinutes: RESET_LINK_MINUTES, alreadySent };
}
