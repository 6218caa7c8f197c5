import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentMethods } from './agent-methods';
import { blockProblems } from './block-rules';
import { SocketModeHub } from './socket-mode';
import { type SimCall, type SimMessage, type SimResponse, SimWorkspace } from './state';

/** Who the simulated app is. */
export interface SlackSimulatorOptions {
  teamId?: string;
  teamDomain?: string;
  botToken?: string;
  /** App-level token accepted by `apps.connections.open` (Socket Mode). */
  appToken?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
}

/** A failure to inject into the next call(s) of a method. */
export interface InjectedFailure {
  /** `ok:false` error name, e.g. `channel_not_found`. */
  error?: string;
  /** HTTP 429 with this Retry-After (seconds). */
  retryAfter?: number;
  /** How many calls fail. Default 1. */
  times?: number;
  /** How many calls succeed before the failure starts. Default 0. */
  after?: number;
}

type Args = Record<string, unknown>;
type Result = Record<string, unknown>;

/**
 * A loopback Slack Web API owned by the tests. Answers the methods the bot
 * uses like Slack does (form or JSON bodies, `ok:false` errors, 429 with
 * Retry-After), records every call, and hosts `response_url` endpoints.
 */
export class SlackSimulator {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly workspace: SimWorkspace;
  readonly calls: SimCall[] = [];
  readonly responses: SimResponse[] = [];
  /** Extra time before answering a call, like a slow Slack (e.g. a cold `users.info`). */
  latency: ((method: string, args: Record<string, unknown>) => number) | undefined;
  /** Called after every answered Web API call (benchmarks time answers with it). */
  onCall: ((call: SimCall) => void) | undefined;
  /** Socket Mode connections opened through `apps.connections.open`. */
  readonly socketMode = new SocketModeHub();
  /** Streaming, assistant threads, reactions and modals. */
  readonly agent: AgentMethods;
  private readonly failures = new Map<string, InjectedFailure[]>();
  private server: Server | undefined;
  private port = 0;
  private responseSeq = 0;

  constructor(options: SlackSimulatorOptions = {}) {
    this.teamId = options.teamId ?? 'T0ACME';
    this.teamDomain = options.teamDomain ?? 'acme';
    this.botToken = options.botToken ?? 'xoxb-test-0000-simulated';
    this.appToken = options.appToken ?? 'xapp-1-A0SUPPORT-simulated';
    this.botUserId = options.botUserId ?? 'U0SUPBOT';
    this.botId = options.botId ?? 'B0SUPBOT';
    this.appId = options.appId ?? 'A0SUPPORT';
    this.workspace = new SimWorkspace(this.teamId);
    this.agent = new AgentMethods(this.workspace, { userId: this.botUserId, botId: this.botId });
  }

  /** Web API base URL (ends in `/`), for `SLACK_API_URL`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on('upgrade', (req, socket, head) => this.socketMode.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.socketMode.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Make the next call(s) to `method` fail. */
  failNext(method: string, failure: InjectedFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push({ times: 1, ...failure });
    this.failures.set(method, list);
  }

  /** A fresh response_url hosted here. */
  responseUrl(): string {
    this.responseSeq += 1;
    return `http://127.0.0.1:${this.port}/response/R${this.responseSeq}`;
  }

  /** Calls made to one method. */
  callsTo(method: string): SimCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Permalink of a message, formatted as Slack formats it. */
  permalink(message: SimMessage): string {
    const base = `https://${this.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
    return message.thread_ts && message.thread_ts !== message.ts ? `${base}?thread_ts=${message.thread_ts}&cid=${message.channel}` : base;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const contentType = String(req.headers['content-type'] ?? '');
    const args = parseBody(raw, contentType);
    if (url.pathname.startsWith('/response/')) return this.hostedResponse(url.pathname.slice('/response/'.length), args, res);
    if (!url.pathname.startsWith('/api/')) return send(res, 404, { ok: false, error: 'not_found' });
    const method = url.pathname.slice('/api/'.length);
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);

    const delayMs = this.latency?.(method, args) ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const failure = this.takeFailure(method);
    if (failure?.retryAfter !== undefined) {
      this.calls.push({ method, args, contentType, status: 429, ok: false, error: 'ratelimited' });
      res.setHeader('Retry-After', String(failure.retryAfter));
      return send(res, 429, { ok: false, error: 'ratelimited' });
    }
    let result: Result;
    if (failure?.error) result = { ok: false, error: failure.error };
    else if (token === undefined) result = { ok: false, error: 'not_authed' };
    else if (method === 'apps.connections.open') {
      // Only an app-level token may open a socket; bot tokens get Slack's error for that.
      result = token === this.appToken ? { ok: true, url: this.socketMode.issueUrl(this.port) } : { ok: false, error: token === this.botToken ? 'not_allowed_token_type' : 'invalid_auth' };
    }
    else if (token !== this.botToken) result = { ok: false, error: 'invalid_auth' };
    else result = this.handle(method, args);
    const call: SimCall = { method, args, contentType, status: 200, ok: result.ok === true, ...(result.ok ? {} : { error: String(result.error) }) };
    this.calls.push(call);
    this.onCall?.(call);
    send(res, 200, result);
  }

  private takeFailure(method: string): InjectedFailure | undefined {
    const list = this.failures.get(method);
    const first = list?.[0];
    if (!first) return undefined;
    if ((first.after ?? 0) > 0) {
      first.after = (first.after ?? 0) - 1;
      return undefined;
    }
    first.times = (first.times ?? 1) - 1;
    if (first.times <= 0) list!.shift();
    return first;
  }

  private handle(method: string, a: Args): Result {
    const ws = this.workspace;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, url: `https://${this.teamDomain}.slack.com/`, team: 'Acme', user: 'supportbot', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId, is_enterprise_install: false };
      case 'chat.postMessage': {
        const channel = ws.channels.get(str(a.channel) ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!channel.botMember) return { ok: false, error: 'not_in_channel' };
        const invalid = checkContent(a);
        if (invalid) return invalid;
        const thread = str(a.thread_ts);
        const message: SimMessage = { channel: channel.id, ts: ws.nextTs(), text: str(a.text) ?? '', user: this.botUserId, bot_id: this.botId, updates: 0, ...(thread ? { thread_ts: thread } : {}), ...(Array.isArray(a.blocks) ? { blocks: a.blocks } : {}) };
        ws.addMessage(message);
        return { ok: true, channel: channel.id, ts: message.ts, message: { ...message } };
      }
      case 'chat.update':
      case 'chat.delete': {
        if (!ws.channels.has(str(a.channel) ?? '')) return { ok: false, error: 'channel_not_found' };
        const message = ws.findMessage(str(a.channel) ?? '', str(a.ts) ?? '');
        if (!message) return { ok: false, error: 'message_not_found' };
        if (message.bot_id !== this.botId) return { ok: false, error: method === 'chat.update' ? 'cant_update_message' : 'cant_delete_message' };
        if (method === 'chat.delete') {
          message.deleted = true;
          return { ok: true, channel: message.channel, ts: message.ts };
        }
        const invalid = checkContent(a);
        if (invalid) return invalid;
        message.text = str(a.text) ?? message.text;
        if (Array.isArray(a.blocks)) message.blocks = a.blocks;
        message.updates += 1;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text, message: { ...message } };
      }
      case 'chat.postEphemeral': {
        const channel = ws.channels.get(str(a.channel) ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!ws.users.has(str(a.user) ?? '')) return { ok: false, error: 'user_not_found' };
        const invalid = checkContent(a);
        if (invalid) return invalid;
        const thread = str(a.thread_ts);
        ws.ephemerals.push({ channel: channel.id, user: str(a.user)!, text: str(a.text) ?? '', via: 'chat.postEphemeral', ...(thread ? { thread_ts: thread } : {}), ...(Array.isArray(a.blocks) ? { blocks: a.blocks } : {}) });
        return { ok: true, message_ts: ws.nextTs() };
      }
      case 'chat.getPermalink': {
        if (!ws.channels.has(str(a.channel) ?? '')) return { ok: false, error: 'channel_not_found' };
        const message = ws.findMessage(str(a.channel) ?? '', str(a.message_ts) ?? '');
        if (!message) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: message.channel, permalink: this.permalink(message) };
      }
      case 'users.info': {
        const user = ws.users.get(str(a.user) ?? '');
        return user ? { ok: true, user } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const group = ws.usergroups.get(str(a.usergroup) ?? '');
        return group ? { ok: true, users: [...group.users] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'usergroups.list':
        return { ok: true, usergroups: [...ws.usergroups.values()].map((g) => ({ id: g.id, team_id: this.teamId, handle: g.handle, name: g.name, is_usergroup: true, user_count: g.users.length })) };
      default:
        return this.agent.handle(method, a) ?? { ok: false, error: 'unknown_method' };
    }
  }

  private hostedResponse(id: string, body: Args, res: ServerResponse): void {
    this.responses.push({ id, body });
    if (body.response_type === 'ephemeral' || body.replace_original === false) {
      this.workspace.ephemerals.push({ channel: '?', user: '?', text: String(body.text ?? ''), via: 'response_url', ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}) });
    }
    const problems = body.blocks === undefined ? [] : blockProblems(body.blocks);
    if (problems.length > 0) return send(res, 400, { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } });
    send(res, 200, { ok: true });
  }
}

// Slack rejects what would not render: missing text, oversize text, invalid blocks.
function checkContent(a: Args): Result | undefined {
  const text = typeof a.text === 'string' ? a.text : '';
  if (text === '' && a.blocks === undefined) return { ok: false, error: 'no_text' };
  if (text.length > 40_000) return { ok: false, error: 'msg_too_long' };
  if (a.blocks !== undefined) {
    const problems = blockProblems(a.blocks);
    if (problems.length > 0) return { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } };
  }
  return undefined;
}

const STRUCTURED_ARGS = new Set(['blocks', 'attachments', 'chunks', 'prompts', 'loading_messages', 'view']);

function parseBody(raw: string, contentType: string): Args {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Args;
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The SDK JSON-encodes structured arguments inside form bodies.
    args[key] = STRUCTURED_ARGS.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
