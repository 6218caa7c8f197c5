/**
 * The demo helpdesk plugin: a seeded SQLite shop (customers, orders, invoices
 * with a deliberate double charge, subscriptions, tickets, refunds), a
 * markdown help center, the tools over them, its specialists and what the
 * offline model understands about it. Loaded by default (PLUGINS unset);
 * everything demo-specific lives in this folder, outside the engine.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, definePlugin, type Specialist, type ToolDefinition } from '../../src/index';
import { openHelpdeskDatabase } from './database';
import { loadKnowledgeBase } from './knowledge-base';
import { createHelpdeskSchema } from './schema';
import { seedHelpdesk } from './seed';
import { createCheckServiceStatusTool } from './tools/check-service-status';
import { createCreateTicketTool } from './tools/create-ticket';
import { createIssueRefundTool } from './tools/issue-refund';
import { createListInvoicesTool } from './tools/list-invoices';
import { createLookUpOrderTool } from './tools/look-up-order';
import { createResetPasswordTool } from './tools/reset-password';
import { createSearchKnowledgeBaseTool } from './tools/search-knowledge-base';
import type { HelpdeskToolDeps } from './tools/deps';
import { refundPolicySettings } from './tools/issue-refund';
import { demoSpecialists } from './specialists';
import { helpdeskOfflineIntents } from './offline/intents';

export interface DemoHelpdeskOptions {
  /** Directory for `helpdesk.sqlite`; created if missing. */
  dataDir: string;
  /** Refunds above this many USD need an admin's approval instead of staff. */
  refundAdminThresholdUsd: number;
  /** Clock used for seeding (demo dates are relative to the first start). */
  now?: () => number;
  /** Help-center folder; defaults to the articles shipped in `kb/`. */
  kbDir?: string;
}

export interface DemoHelpdesk {
  /** The built-in tools, ready for the registry. */
  tools: ToolDefinition[];
  /** The specialists conversations are routed to (billing, orders, account_security, technical). */
  specialists: Specialist[];
  /** Close the database (waits for running writes). */
  close(): Promise<void>;
}

/** File name of the demo database inside the data directory. */
export const HELPDESK_DB_FILE = 'helpdesk.sqlite';

/** Open (creating and seeding on first run) the demo helpdesk and build its tools. */
export async function createDemoHelpdesk(options: DemoHelpdeskOptions): Promise<DemoHelpdesk> {
  const now = options.now ?? Date.now;
  await mkdir(options.dataDir, { recursive: true });
  const kb = await loadKnowledgeBase(options.kbDir);
  const db = await openHelpdeskDatabase(path.join(options.dataDir, HELPDESK_DB_FILE));
  try {
    await createHelpdeskSchema(db);
    await seedHelpdesk(db, now());
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }

  const deps: HelpdeskToolDeps = { db, kb, refundAdminThresholdUsd: options.refundAdminThresholdUsd };
  const tools = [
    createLookUpOrderTool(deps),
    createListInvoicesTool(deps),
    createCheckServiceStatusTool(deps),
    createSearchKnowledgeBaseTool(deps),
    createCreateTicketTool(deps),
    createIssueRefundTool(deps),
    createResetPasswordTool(deps),
  ];
  return {
    tools,
    specialists: demoSpecialists,
    close: () => db.close(),
  };
}

/** The helpdesk as a plugin: its settings (REFUND_ADMIN_THRESHOLD_USD) come from the environment. */
const helpdeskPlugin = definePlugin({
  name: 'helpdesk',
  specialists: demoSpecialists,
  offlineIntents: helpdeskOfflineIntents,
  prompts: {
    welcome:
      "Hi! I'm the support assistant. Ask me about an order (e.g. *Where is my order ORD-1001?*), billing and refunds, account access or app problems — or say *human* to reach a person.",
    help: 'I can look up orders and invoices, search the help center, check service status, open tickets, and request refunds or password resets (a human approves those).',
  },
  async start({ env, dataDir, now }) {
    const settings = refundPolicySettings.safeParse(env);
    if (!settings.success) {
      const issue = settings.error.issues[0];
      throw new ConfigError(`Invalid configuration: REFUND_ADMIN_THRESHOLD_USD ${issue?.message ?? 'is invalid'}`, ['REFUND_ADMIN_THRESHOLD_USD']);
    }
    const helpdesk = await createDemoHelpdesk({ dataDir, refundAdminThresholdUsd: settings.data.REFUND_ADMIN_THRESHOLD_USD, now });
    return { tools: helpdesk.tools, stop: () => helpdesk.close() };
  },
});
export default helpdeskPlugin;

export { demoSpecialists } from './specialists';
export { helpdeskOfflineIntents } from './offline/intents';
export { DEMO_KB_DIR } from './knowledge-base';
export { refundApproval } from './tools/issue-refund';
export { findDuplicates } from './tools/list-invoices';
export type { LookUpOrderResult, OrderSummary } from './tools/look-up-order';
export type { ListInvoicesResult, ChargeView, InvoiceView } from './tools/list-invoices';
export type { ServiceStatusResult, IncidentView } from './tools/check-service-status';
export type { KnowledgeBaseResult } from './tools/search-knowledge-base';
export type { CreateTicketResult } from './tools/create-ticket';
export type { IssueRefundResult } from './tools/issue-refund';
export type { ResetPasswordResult } from './tools/reset-password';
export type { OrderView } from './records';
