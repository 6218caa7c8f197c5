import { hasRole, type Caller, type Role } from '../../src/index';
import type { HelpdeskDatabase } from './database';

/** Staff and admins can see every customer's records; others only their own. */
export function seesEveryone(role: Role): boolean {
  return hasRole(role, 'staff');
}

/** A customer as the tools see it. */
export interface CustomerRecord {
  id: string;
  name: string;
  email: string;
}

/** Whose records a call may touch. */
export type CustomerScope =
  | {
      ok: true;
      /** The customer the call is about; undefined for a caller with no account (sees nothing). */
      customer: CustomerRecord | undefined;
      /** Staff and admins may read any customer's records. */
      seesEveryone: boolean;
    }
  | { ok: false; message: string };

/** The customer linked to this platform identity, if any. Unknown users get none, never someone else. */
export async function customerForCaller(db: HelpdeskDatabase, caller: Caller): Promise<CustomerRecord | undefined> {
  return db.get<CustomerRecord>(
    `SELECT c.id, c.name, c.email FROM identities i JOIN customers c ON c.id = i.customer_id
     WHERE i.platform = ? AND i.user_id = ?`,
    [caller.platform, caller.userId],
  );
}

/** A customer by id (`cus_…`) or email, for staff look-ups. */
export async function findCustomer(db: HelpdeskDatabase, reference: string): Promise<CustomerRecord | undefined> {
  const ref = reference.trim();
  return db.get<CustomerRecord>(`SELECT id, name, email FROM customers WHERE id = ? OR email = ? COLLATE NOCASE`, [ref, ref]);
}

/**
 * Decide whose records a call may use. Members and guests are pinned to their
 * own account whatever `customerArg` says; staff may name any customer.
 * Messages never echo the argument, since it may be an email address.
 */
export async function resolveScope(db: HelpdeskDatabase, caller: Caller, customerArg: string | undefined): Promise<CustomerScope> {
  const everyone = seesEveryone(caller.role);
  const own = await customerForCaller(db, caller);
  if (customerArg === undefined || customerArg.trim() === '') return { ok: true, customer: own, seesEveryone: everyone };
  const named = await findCustomer(db, customerArg);
  if (!everyone) {
    if (named && own && named.id === own.id) return { ok: true, customer: own, seesEveryone: false };
    return { ok: false, message: "Only staff can look at other customers' accounts." };
  }
  if (!named) return { ok: false, message: 'No customer matches that id or email.' };
  return { ok: true, customer: named, seesEveryone: true };
}

/** `alice@example.com` -> `a••••@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}${'•'.repeat(Math.max(3, Math.min(at - 1, 6)))}${email.slice(at)}`;
}

/** Who asked, as stored on tickets and refunds: `platform:userId`. */
export function requesterTag(caller: Caller): string {
  return `${caller.platform}:${caller.userId}`;
}
