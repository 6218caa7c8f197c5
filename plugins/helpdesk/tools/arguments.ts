import { z } from 'zod';

/** `ORD-1001`; case and surrounding spaces forgiven because people type ids by hand. */
export const orderIdArg = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^ORD-\d{4,8}$/, 'Order ids look like ORD-1001')
  .describe('Order id, e.g. ORD-1001');

/** `ch_3005`. */
export const chargeIdArg = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^ch_[a-z0-9]{1,32}$/, 'Charge ids look like ch_3005')
  .describe('Charge id from list_invoices, e.g. ch_3005');

/** Staff-only selector; members are always pinned to their own account. */
export const customerArg = z
  .string()
  .trim()
  .min(1)
  .max(254)
  .optional()
  .describe("Staff only: the customer's id (cus_…) or email. Leave out to use the caller's own account.");
