import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type Dashboard } from '../../adapters/dashboard/index';
import { readerEncryptionKey } from '../../src/ops/open-read-model';
import { ReadModel } from '../../src/ops/read-model';
import { createSealer } from '../../src/sessions/sealer';
import type { OpsScenario } from '../ops/ops-scenario';

/** The dashboard mounted on a plain node:http server over a scenario's data (a second reader of the bot's files). */
export interface DashboardServer {
  dashboard: Dashboard;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboardServer(s: OpsScenario, options: { token?: string; host?: string; pollMs?: number } = {}): Promise<DashboardServer> {
  const { config } = s.h.app;
  const now = () => s.clock.now();
  const readModel = new ReadModel({ store: s.h.app.store, sealer: createSealer(await readerEncryptionKey(config)), auditLogPath: config.auditLogPath, budget: config.budget, now });
  const dashboard = createDashboard({ readModel, now, ...(options.token ? { token: options.token } : {}), ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
  const server = http.createServer((req, res) => {
    void dashboard(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dashboard,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
