import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppDashboard, type Dashboard } from '../../adapters/dashboard/index';
import type { OpsScenario } from '../ops/ops-scenario';

/** The dashboard of a running bot mounted on a plain node:http server, over a scenario's engine. */
export interface DashboardServer {
  dashboard: Dashboard;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboardServer(s: OpsScenario, options: { token?: string; host?: string; pollMs?: number } = {}): Promise<DashboardServer> {
  const dashboard = await createAppDashboard({ app: s.h.app, env: { DASHBOARD_TOKEN: options.token ?? '' }, now: () => s.clock.now(), ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
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
