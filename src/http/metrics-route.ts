import type { SupportMetrics } from '../observability/support-metrics';
import { pathOf, type RouteHandler } from './http-server';

/** `GET /metrics`: the Prometheus text exposition. */
export function metricsRoute(metrics: SupportMetrics): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' || pathOf(req) !== '/metrics') return false;
    const body = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(body);
    return true;
  };
}
