import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../../src/errors';
import { parseSince } from '../../src/ops/since';
import type { ReadModel } from '../../src/ops/read-model';
import type { Logger, StatusReport } from '../../src/ports';
import { DashboardAuth } from './auth';
import { layout, signInPage } from './layout';
import { auditBody, conversationsBody, costBody, transcriptBody } from './page-conversations';
import { approvalsBody, escalationsBody } from './page-lists';
import { overviewBody, type HealthView } from './page-overview';
import { outcomesBody } from './page-outcomes';
import { routesBody } from './page-routes';
import { staticAsset } from './static-assets';
import type { SafeHtml } from './html';

/** What the dashboard needs; everything is read-only. */
export interface DashboardDeps {
  readModel: ReadModel;
  /** DASHBOARD_TOKEN. Without one a token is generated for this process and only loopback clients are served. */
  token?: string;
  now: () => number;
  logger?: Logger;
  /** Live engine status (version, breakers) when mounted inside the running bot. */
  status?: () => Promise<StatusReport>;
  /** Live readiness (store, model, platforms) from the HTTP server's /health, when available. */
  health?: () => Promise<HealthView>;
  /** How often pages refresh their live regions and charts. Default 5000 ms. */
  pollMs?: number;
  /** How long a sign-in lasts. Default 12 h. */
  sessionTtlMs?: number;
}

/** A request handler for `/dashboard…`; resolves true when it answered the request, false to let others try. */
export interface Dashboard {
  (req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Sign-in link for the start banner, e.g. `http://127.0.0.1:3000/dashboard/login?token=…`; undefined when DASHBOARD_TOKEN is set. */
  signInUrl(origin: string): string | undefined;
  /** True without DASHBOARD_TOKEN: the server should bind loopback only (the handler also refuses other clients). */
  readonly loopbackOnly: boolean;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
const isLoopback = (address: string | undefined) => address === '::1' || /^(?:::ffff:)?127\./.test(address ?? '');

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Build the operator dashboard's request handler (server-rendered pages, a small script, uPlot charts). */
export function createDashboard(deps: DashboardDeps): Dashboard {
  const auth = new DashboardAuth({ token: deps.token, now: deps.now, ...(deps.sessionTtlMs !== undefined ? { sessionTtlMs: deps.sessionTtlMs } : {}) });
  const pollMs = deps.pollMs ?? 5_000;
  const rm = deps.readModel;

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
    res.end(body);
  };
  const page = (res: ServerResponse, title: string, current: string, body: SafeHtml) =>
    send(res, 200, 'text/html; charset=utf-8', layout({ title, current, body, pollMs, now: deps.now() }));
  const json = (res: ServerResponse, value: unknown) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(value));
  const unauthorized = (res: ServerResponse, url: URL, message?: string) =>
    url.pathname.startsWith('/dashboard/api/')
      ? send(res, 401, 'application/json; charset=utf-8', JSON.stringify({ error: 'sign in required' }))
      : send(res, 401, 'text/html; charset=utf-8', signInPage(message));

  const signIn = (res: ServerResponse, url: URL, token: string | undefined) => {
    const session = auth.signIn(token);
    if (!session) return unauthorized(res, url, token ? 'That token is not right.' : undefined);
    // Redirect so the token leaves the address bar and history.
    send(res, 303, 'text/plain; charset=utf-8', 'Signed in', { location: '/dashboard', 'set-cookie': session.cookie });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = (name: string) => (url.searchParams.get(name) ?? '').trim();
    if (path.startsWith('/dashboard/static/')) {
      const asset = await staticAsset(path.slice('/dashboard/static/'.length));
      if (!asset) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
      return send(res, 200, asset.type, asset.body, { 'cache-control': 'public, max-age=3600' });
    }
    if (path === '/dashboard/login') {
      if (req.method === 'POST') return signIn(res, url, new URLSearchParams(await readBody(req)).get('token') ?? undefined);
      return signIn(res, url, url.searchParams.get('token') ?? undefined);
    }
    if (!auth.isSignedIn(req.headers.cookie)) return unauthorized(res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'The dashboard is read-only', { allow: 'GET' });

    switch (path) {
      case '/dashboard': {
        const [summary, status, health] = await Promise.all([rm.summary(), deps.status?.(), deps.health?.()]);
        return page(res, 'Overview', path, overviewBody(summary, status, health));
      }
      case '/dashboard/outcomes':
        return page(res, 'Outcomes', path, outcomesBody(await rm.outcomes()));
      case '/dashboard/routes':
        return page(res, 'Routes', path, routesBody(await rm.routes()));
      case '/dashboard/cost':
        return page(res, 'Cost', path, costBody(await rm.cost()));
      case '/dashboard/approvals':
        return page(res, 'Approvals', path, approvalsBody(await rm.approvals()));
      case '/dashboard/escalations':
        return page(res, 'Escalations', path, escalationsBody(await rm.escalations()));
      case '/dashboard/conversations': {
        const since = q('since') ? parseSince(q('since'), deps.now()) : undefined;
        const rows = await rm.conversations({ ...(q('user') ? { user: q('user') } : {}), ...(since !== undefined ? { since } : {}) });
        return page(res, 'Conversations', path, conversationsBody(rows, { user: q('user'), since: q('since') }));
      }
      case '/dashboard/audit': {
        const since = q('since') ? parseSince(q('since'), deps.now()) : undefined;
        const error = q('since') && since === undefined ? `Cannot read the time "${q('since')}": use 1h, 1d or a date like 2026-11-22.` : undefined;
        const query = { event: q('event'), user: q('user'), tool: q('tool'), since: q('since') };
        const lines = await rm.searchAudit({
          ...(query.event ? { event: query.event } : {}),
          ...(query.user ? { userId: query.user } : {}),
          ...(query.tool ? { tool: query.tool } : {}),
          ...(since !== undefined ? { since } : {}),
          limit: 200,
        });
        return page(res, 'Audit log', path, auditBody(lines, query, error));
      }
      case '/dashboard/api/series': {
        const window = q('window') === '30d' ? '30d' : '24h';
        return json(res, await rm.series(window));
      }
      case '/dashboard/api/routes':
        return json(res, await rm.routes());
      case '/dashboard/api/summary':
        return json(res, await rm.summary());
    }
    if (path.startsWith('/dashboard/conversations/')) {
      const id = safeDecode(path.slice('/dashboard/conversations/'.length));
      const transcript = id === undefined ? undefined : await rm.transcript(id);
      if (transcript) return page(res, `Conversation with ${transcript.conversation.customer?.displayName ?? 'unknown'}`, '/dashboard/conversations', transcriptBody(transcript));
    }
    send(res, 404, 'text/plain; charset=utf-8', 'Not found');
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.local');
    if (url.pathname !== '/dashboard' && !url.pathname.startsWith('/dashboard/')) return false;
    if (auth.generated && !isLoopback(req.socket.remoteAddress)) {
      send(res, 403, 'text/plain; charset=utf-8', 'The dashboard is served on loopback only until DASHBOARD_TOKEN is set.');
      return true;
    }
    try {
      await route(req, res, url);
    } catch (error) {
      // The reason may name a key problem; it is shown only to signed-in operators, never customer data.
      deps.logger?.error({ err: describeError(error), path: url.pathname }, 'dashboard request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', auth.isSignedIn(req.headers.cookie) ? `The dashboard could not read the data: ${describeError(error)}` : 'Error');
      else res.end();
    }
    return true;
  };

  return Object.assign(handler, {
    signInUrl: (origin: string) => {
      const token = auth.generatedToken();
      return token === undefined ? undefined : `${origin.replace(/\/+$/, '')}/dashboard/login?token=${encodeURIComponent(token)}`;
    },
    loopbackOnly: auth.generated,
  });
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A small form body; anything beyond 4 KB is not a sign-in form. */
async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 4096) break;
  }
  return body;
}
