import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http/http-server';
import { metricsRoute } from '../../src/http/metrics-route';
import { silentLogger } from '../../src/logger';
import { SupportMetrics } from '../../src/observability/support-metrics';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(token?: string): Promise<string> {
  server = await createHttpServer({ host: '127.0.0.1', port: 0, routes: [metricsRoute(new SupportMetrics(), { token })], logger: silentLogger() });
  return `${server.url}/metrics`;
}

describe('/metrics with METRICS_TOKEN', () => {
  it('answers only a scrape with the bearer token, and says how to authenticate otherwise', async () => {
    const url = await serve('s3cret-token');
    for (const authorization of [undefined, 'Bearer wrong', 'Basic czNjcmV0LXRva2Vu', 'Bearer s3cret-token-longer', 'Bearer ']) {
      const res = await fetch(url, { headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('support_');
    }
    const ok = await fetch(url, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('process_resident_memory_bytes');
  });

  it('is open without a token (the default, e.g. a scraper on the same host)', async () => {
    const res = await fetch(await serve());
    expect(res.status).toBe(200);
  });
});
