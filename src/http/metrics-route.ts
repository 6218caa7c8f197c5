import { createHash, timingSafeEqual } from 'node:crypto';
import type { SupportMetrics } from '../observability/support-metrics';
import { pathOf, type RouteHandler } from './http-server';

/**
 * `GET /metrics`: the Prometheus text exposition. With a `token`
 * (`METRICS_TOKEN`), only scrapes that send `Authorization: Bearer <token>`
 * are answered (Prometheus: `authorization: { credentials: … }`); others get 401.
 */
export function metricsRoute(metrics: SupportMetrics, options: { token?: string | undefined } = {}): RouteHandler {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (req, res) => {
    if (req.method !== 'GET' || pathOf(req) !== '/metrics') return false;
    if (expected && !timingSafeEqual(digest(bearer(req.headers.authorization) ?? ''), expected)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' });
      res.end('unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n');
      return true;
    }
    const body = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(body);
    return true;
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
