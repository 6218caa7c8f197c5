import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HELPDESK_DB_FILE } from '../../plugins/helpdesk/index';
import { openHelpdeskDatabase, type HelpdeskDatabase } from '../../plugins/helpdesk/database';
import { bootstrap, silentLogger, type App } from '../../src/index';
import type { RecordedRefund } from './platform-driver';

/**
 * The engine as `npm start` builds it with no credentials: demo helpdesk,
 * offline model, SQLite store, sealed sessions and audit log, all in a fresh
 * temporary DATA_DIR. Plus a read-only look into the helpdesk's refunds.
 */
export interface DemoEngine {
  app: App;
  /** Refunds recorded for a charge, read from the helpdesk database itself. */
  refunds(chargeId: string): Promise<RecordedRefund[]>;
  close(): Promise<void>;
}

/** Bootstrap the demo engine on a new temporary DATA_DIR; `close()` removes it. */
export async function startDemoEngine(): Promise<DemoEngine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'contract-'));
  const { app, db } = await open(dataDir).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    app,
    async refunds(chargeId) {
      const rows = await db.all<{ charge_id: string; amount_cents: number }>(`SELECT charge_id, amount_cents FROM refunds WHERE charge_id = ? ORDER BY number`, [chargeId]);
      return rows.map((r) => ({ chargeId: r.charge_id, amountUsd: r.amount_cents / 100 }));
    },
    async close() {
      await db.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function open(dataDir: string): Promise<{ app: App; db: HelpdeskDatabase }> {
  const app = await bootstrap({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, logger: silentLogger(), retryInitialDelayMs: 1 });
  try {
    // A second connection of our own: the helpdesk's is private to its tools (WAL lets both in).
    return { app, db: await openHelpdeskDatabase(path.join(dataDir, HELPDESK_DB_FILE)) };
  } catch (error) {
    await app.close();
    throw error;
  }
}
