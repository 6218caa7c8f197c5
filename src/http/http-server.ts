import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../errors';
import type { Logger } from '../ports';

/**
 * One route (or a family of them): answers the request and returns true, or
 * returns false to let the next handler try. Handlers run in the order added.
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpServerOptions {
  /** Interface to bind, e.g. `127.0.0.1` (loopback only) or `0.0.0.0`. */
  host: string;
  /** Port; 0 picks a free one (see `HttpServer.port`). */
  port: number;
  routes?: RouteHandler[];
  logger?: Logger;
}

/** The process's one HTTP server: /health, /metrics, the Slack endpoint, the dashboard. */
export interface HttpServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly host: string;
  /** `http://host:port`, for banners and tests. */
  readonly url: string;
  /** Add a handler after the ones already there (platform endpoints, dashboard). */
  addRoute(handler: RouteHandler): void;
  /** Stop listening and end idle keep-alive connections. */
  close(): Promise<void>;
}

/** Start listening; rejects if the port cannot be bound (e.g. taken). */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const routes = [...(options.routes ?? [])];
  const server = createServer((req, res) => void dispatch(routes, req, res, options.logger));
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    host: options.host,
    url: `http://${hostInUrl}:${port}`,
    addRoute: (handler) => void routes.push(handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function dispatch(routes: readonly RouteHandler[], req: IncomingMessage, res: ServerResponse, logger: Logger | undefined): Promise<void> {
  try {
    for (const route of routes) if (await route(req, res)) return;
    sendJson(res, 404, { error: 'not_found' });
  } catch (error) {
    logger?.error({ path: pathOf(req), err: describeError(error) }, 'http handler failed');
    if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
    else res.end();
  }
}

/** The request path without the query string. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** Answer with a JSON body, never cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
