import type { App, Env } from '../../src/index';
import { readerEncryptionKey } from '../../src/ops/open-read-model';
import { ReadModel } from '../../src/ops/read-model';
import { createSealer } from '../../src/sessions/sealer';
import { dashboardTokenFromEnv } from './config';
import { createDashboard, type Dashboard } from './create-dashboard';
import type { HealthView } from './page-overview';

/**
 * The dashboard for a running bot: reads the app's own store and audit log,
 * shows the engine's live status, takes DASHBOARD_TOKEN from `env`. The HTTP
 * server mounts the result; start.ts prints `signInUrl(origin)` when defined.
 */
export interface AppDashboardOptions {
  app: App;
  env: Env;
  now?: () => number;
  health?: () => Promise<HealthView>;
  /** Refresh interval of live regions and charts; default 5000 ms. */
  pollMs?: number;
}

export async function createAppDashboard(options: AppDashboardOptions): Promise<Dashboard> {
  const { app } = options;
  const now = options.now ?? (() => Date.now());
  // bootstrap() has already resolved (or generated) the key, so the reader finds the same one.
  const key = await readerEncryptionKey(app.config);
  const readModel = new ReadModel({ store: app.store, sealer: createSealer(key), auditLogPath: app.config.auditLogPath, budget: app.config.budget, now });
  const token = dashboardTokenFromEnv(options.env);
  return createDashboard({
    readModel,
    now,
    logger: app.logger,
    status: () => app.engine.status(),
    ...(token ? { token } : {}),
    ...(options.health ? { health: options.health } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
}
