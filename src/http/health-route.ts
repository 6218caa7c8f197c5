import type { Engine, Store } from '../ports';
import { pathOf, sendJson, type RouteHandler } from './http-server';

/** Whether a platform is connected right now (adapters register one each). */
export type PlatformProbe = () => boolean;

/** Platform probes by name; adapters add theirs once started. */
export class PlatformProbes {
  private readonly probes = new Map<string, PlatformProbe>();

  /** Register (or replace) the probe for `platform`. */
  set(platform: string, probe: PlatformProbe): void {
    this.probes.set(platform, probe);
  }

  /** Each platform's state now. */
  read(): Record<string, boolean> {
    return Object.fromEntries([...this.probes].map(([name, probe]) => [name, safely(probe)]));
  }
}

const safely = (probe: PlatformProbe) => {
  try {
    return probe();
  } catch {
    return false;
  }
};

export interface HealthOptions {
  engine: Engine;
  store: Store;
  platforms: PlatformProbes;
  /** Longest wait for the store before it counts as unreachable. Default 2 s. */
  storeTimeoutMs?: number;
}

/** The body of `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  version: string;
  uptimeSeconds: number;
  store: { ok: boolean; error?: string };
  model: { ok: boolean; breaker: string };
  platforms: Record<string, boolean>;
}

/**
 * `GET /health`: 200 when the bot can answer (store reachable, model breaker
 * not open, every platform connected), 503 otherwise, with the details as
 * JSON. The store check is one key read.
 */
export function healthRoute(options: HealthOptions): RouteHandler {
  return async (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || pathOf(req) !== '/health') return false;
    const report = await checkHealth(options);
    sendJson(res, report.status === 'ok' ? 200 : 503, report);
    return true;
  };
}

/** Check every dependency once. */
export async function checkHealth(options: HealthOptions): Promise<HealthReport> {
  // The status report reads the store too: when it fails, the store check says why.
  const [store, status] = await Promise.all([probeStore(options.store, options.storeTimeoutMs ?? 2_000), options.engine.status().catch(() => undefined)]);
  const breaker = status ? (status.breakers.find((b) => b.name === 'model')?.state ?? 'closed') : 'unknown';
  const model = { ok: breaker === 'closed' || breaker === 'half-open', breaker };
  const platforms = options.platforms.read();
  const ok = store.ok && model.ok && Object.values(platforms).every(Boolean);
  return { status: ok ? 'ok' : 'unavailable', version: status?.version ?? 'unknown', uptimeSeconds: Math.round((status?.uptimeMs ?? 0) / 1000), store, model, platforms };
}

async function probeStore(store: Store, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([store.get('health:probe'), timeout]);
    return { ok: true };
  } catch (error) {
    // The error class only: messages may hold connection strings.
    return { ok: false, error: error instanceof Error ? (error.message.startsWith('no answer within') ? error.message : error.name) : 'error' };
  } finally {
    clearTimeout(timer);
  }
}
