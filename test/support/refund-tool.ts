import { z } from 'zod';
import { defineTool } from '../../src/tools/define-tool';

/** `issue_refund` that a staff member must approve; each executed amount is pushed to `log`. */
export function staffRefundTool(log: number[] = []) {
  return defineTool({
    name: 'issue_refund',
    description: 'Refund an amount',
    input: z.object({ amount: z.number().positive() }),
    permission: 'member',
    approval: 'staff',
    describe: ({ amount }) => `Refund $${amount.toFixed(2)}`,
    execute: async ({ amount }) => {
      log.push(amount);
      return { refunded: amount };
    },
  });
}
