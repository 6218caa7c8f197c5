import type { App } from '../bootstrap';
import { healthRoute, PlatformProbes } from './health-route';
import { createHttpServer, type HttpServer, type RouteHandler } from './http-server';
import { metricsRoute } from './metrics-route';

/** The app's HTTP server with its probes, so adapters can mount routes and report their connection. */
export interface AppServer extends HttpServer {
  /** Platforms register whether they are connected; /health reports them. */
  readonly platforms: PlatformProbes;
}

/**
 * Start the one HTTP server of the process: `GET /health` and `GET /metrics`
 * (when metrics are on), then any `routes` given or added later.
 */
export async function startHttp(options: {
  app: App;
  host: string;
  port?: number;
  routes?: RouteHandler[];
  /** When the port is taken, take a free one instead of failing (local console runs; the banner shows the URL). */
  anyPortIfTaken?: boolean;
}): Promise<AppServer> {
  const { app } = options;
  const platforms = new PlatformProbes();
  const routes: RouteHandler[] = [healthRoute({ engine: app.engine, store: app.store, platforms }), ...(app.metrics ? [metricsRoute(app.metrics, { token: app.config.http.metricsToken })] : []), ...(options.routes ?? [])];
  const port = options.port ?? app.config.http.port;
  let server: HttpServer;
  try {
    server = await createHttpServer({ host: options.host, port, routes, logger: app.logger });
  } catch (error) {
    if (!options.anyPortIfTaken || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = await createHttpServer({ host: options.host, port: 0, routes, logger: app.logger });
    app.logger.warn({ wanted: port, port: server.port }, 'PORT is taken; the HTTP server uses a free port instead');
  }
  return Object.assign(server, { platforms });
}
