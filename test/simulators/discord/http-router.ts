import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answered the way Discord does: `{ code, message }` (plus `errors` for form errors). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

/** What the bot sent, for assertions. `at` is epoch ms when it arrived. */
export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  /** The route pattern it matched, e.g. `/channels/:channelId/messages`. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  status: number;
  at: number;
}

/** A failure to inject: the next `times` matching requests get it instead of the real answer. */
export interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  code: number;
  message: string;
  times: number;
  /** Seconds; makes the fault a 429 with `retry-after` and exhausted `x-ratelimit-*` headers. */
  retryAfter?: number;
}

type Handler = (req: ApiRequest) => unknown;

/** A per-route bucket, as Discord keeps them: `limit` requests per fixed window, per major parameter. */
export interface RouteLimit {
  limit: number;
  windowMs: number;
  /** The bucket's major parameter, e.g. the channel id for message routes. */
  key: (params: Record<string, string>) => string;
}
interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  keys: string[];
  auth: boolean;
  handler: Handler;
  limit?: RouteLimit;
}

export const API_PREFIX = '/api/v10';

/**
 * A tiny router answering like Discord's REST API v10: JSON bodies, snowflake
 * ids, `Bot` authorization, per-route `x-ratelimit-*` headers, error JSON.
 */
export class ApiRouter {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: Fault[] = [];
  private listeners: (() => void)[] = [];
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly token: string) {}

  /** Register a route; `auth: false` for interaction callbacks and webhooks, which Discord authenticates by token in the URL. */
  add(method: string, pattern: string, handler: Handler, options: { auth?: boolean; limit?: RouteLimit } = {}): void {
    const keys: string[] = [];
    const source = pattern.replace(/[.@]/g, (c) => `\\${c}`).replace(/:(\w+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), keys, auth: options.auth ?? true, handler, ...(options.limit ? { limit: options.limit } : {}) });
  }

  /** Queue a failure for matching requests. */
  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Resolves on the next recorded request (used by waiters). */
  onRequest(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const raw = await readBody(req);
    let status = 200;
    let payload: unknown;
    let route: Route | undefined;
    let params: Record<string, string> = {};
    let body: unknown;
    const headers: Record<string, string> = {};
    try {
      body = parseBody(raw, req.headers['content-type']);
      for (const candidate of this.routes) {
        const match = candidate.method === method ? candidate.regex.exec(path) : null;
        if (!match) continue;
        route = candidate;
        params = Object.fromEntries(candidate.keys.map((key, i) => [key, decodeURIComponent(match[i + 1]!)]));
        break;
      }
      if (!url.pathname.startsWith(API_PREFIX) || !route) throw new ApiError(404, 0, '404: Not Found');
      if (route.auth && req.headers.authorization !== `Bot ${this.token}`) throw new ApiError(401, 0, '401: Unauthorized');
      Object.assign(headers, route.limit ? this.spend(route, route.limit, params) : bucketHeaders(route.pattern, 5, 4, 1));
      const fault = this.takeFault(method, path);
      if (fault) throw fault;
      payload = await route.handler({ method, path, params, query: url.searchParams, body });
      if (payload === undefined) status = 204;
    } catch (error) {
      if (error instanceof RateLimited) {
        status = 429;
        Object.assign(headers, bucketHeaders(route?.pattern ?? path, error.limit, 0, error.retryAfter), { 'retry-after': String(error.retryAfter), 'x-ratelimit-scope': 'user' });
        payload = { message: 'You are being rate limited.', retry_after: error.retryAfter, global: false, code: 0 };
      } else if (error instanceof ApiError) {
        status = error.status;
        payload = { message: error.message, code: error.code, ...error.extra };
      } else {
        status = 500;
        payload = { message: '500: Internal Server Error', code: 0 };
      }
    }
    this.requests.push({ method, path, route: route?.pattern ?? path, params, query: url.searchParams, body, status, at: Date.now() });
    res.writeHead(status, payload === undefined ? headers : { ...headers, 'content-type': 'application/json' });
    res.end(payload === undefined ? undefined : JSON.stringify(payload));
    for (const listener of this.listeners) listener();
  }

  /** Count a request against its bucket: real `x-ratelimit-*` headers, or a 429 once the window is spent. */
  private spend(route: Route, limit: RouteLimit, params: Record<string, string>): Record<string, string> {
    const key = `${route.method} ${route.pattern} ${limit.key(params)}`;
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= limit.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetAfter = (window.startedAt + limit.windowMs - now) / 1000;
    if (window.count >= limit.limit) throw new RateLimited(resetAfter, limit.limit);
    window.count += 1;
    return bucketHeaders(route.pattern, limit.limit, limit.limit - window.count, resetAfter);
  }

  private takeFault(method: string, path: string): Error | undefined {
    const fault = this.faults.find((f) => f.times > 0 && (f.method === undefined || f.method === method) && f.path.test(path));
    if (!fault) return undefined;
    fault.times -= 1;
    return fault.retryAfter === undefined ? new ApiError(fault.status, fault.code, fault.message) : new RateLimited(fault.retryAfter);
  }
}

class RateLimited extends Error {
  constructor(
    readonly retryAfter: number,
    readonly limit = 5,
  ) {
    super('rate limited');
  }
}

function bucketHeaders(route: string, limit: number, remaining: number, resetAfter: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': ((Date.now() + resetAfter * 1000) / 1000).toFixed(3),
    'x-ratelimit-reset-after': resetAfter.toFixed(3),
    'x-ratelimit-bucket': Buffer.from(route).toString('hex').slice(0, 32),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (!contentType?.startsWith('application/json')) {
    // The bot never uploads files; multipart here would mean an unexpected code path.
    throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
  }
}
