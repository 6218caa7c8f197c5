import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { ConfigError, PlatformError, pathOf } from '../../src/index';
import type { ChannelBehaviour, Engine, Logger, RouteHandler } from '../../src/index';
import { registerActionHandlers } from './action-handlers';
import { SLACK_EVENTS_PATH } from './app-requirements';
import { BackgroundWork } from './background-work';
import { boltLogger } from './bolt-logger';
import { registerCommandHandler } from './command-handler';
import { type SlackConfig, slackConfigFromEnv } from './config';
import { registerAssistantHandlers } from './assistant-handlers';
import { registerEditHandlers } from './edit-handlers';
import { registerEventHandlers } from './event-handlers';
import { registerFeedbackHandlers } from './feedback-handlers';
import { guardSlackRequests, slackProcessEventErrorHandler } from './request-guard';
import { SlackApi, type SlackIdentity } from './slack-api';
import { SlackChannel, type SlackChannelOptions } from './slack-channel';
import { SlackRoleResolver } from './slack-roles';

export { slackConfigFromEnv, slackEnabled, type SlackConfig } from './config';
export { SlackChannel } from './slack-channel';
export { SlackRoleResolver } from './slack-roles';
export { SLACK_BOT_EVENTS, SLACK_BOT_SCOPES, SLACK_COMMAND, SLACK_METHOD_SCOPES } from './app-requirements';

/** Options for {@link createSlackAdapter}. Tuning knobs have production defaults. */
export interface SlackAdapterOptions {
  engine: Engine;
  config: SlackConfig;
  logger: Logger;
  /** Clock for role caching. */
  now?: () => number;
  /** How long roles from Slack are cached. Default 5 minutes. */
  roleTtlMs?: number;
  /** Longest 429 Retry-After to wait out. Default 10 s. */
  maxRateLimitWaitMs?: number;
  /** Injected wait, so tests can observe rate-limit pauses. */
  sleep?: (ms: number) => Promise<void>;
  /** How long an unused "working" placeholder lingers after the engine stops. Default 2 s. */
  placeholderGraceMs?: number;
  /** Show "working on it" only when the answer takes longer than this. Default 1 s. */
  placeholderDelayMs?: number;
  /**
   * The process's HTTP server: when given, `POST /slack/events` is mounted on
   * it (signatures still checked by Bolt) and the adapter opens no port of its own.
   */
  server?: { addRoute(handler: RouteHandler): void; readonly port: number };
  /** Stream replies as they are written. Default true. */
  streaming?: boolean;
  /** Buffering and limits of streamed replies (see {@link SlackChannelOptions.streamTuning}). */
  streamTuning?: SlackChannelOptions['streamTuning'];
  /** Per-channel behaviour (AGENT_CONFIG `channels:`): channels set to `respond: all` answer every question. Default: mentions everywhere. */
  channels?: ChannelBehaviour;
}

/** A running (or startable) Slack adapter. */
export interface SlackAdapter {
  /** The `Channel` the engine posts through (attached to the engine on start). */
  readonly channel: SlackChannel;
  /** Connect: `auth.test`, then listen (HTTP) or open the socket (Socket Mode). Returns the bound HTTP port. */
  start(): Promise<{ port: number }>;
  /** Stop receiving, wait for in-flight work (bounded), retire placeholders. */
  stop(): Promise<void>;
  /** Resolve when no acknowledged request is still being worked on. */
  idle(timeoutMs?: number): Promise<boolean>;
  /** Started and not stopped (for /health). */
  connected(): boolean;
}

/** Build the Slack adapter; nothing touches the network until `start()`. */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { engine, config } = options;
  const logger = options.logger.child({ platform: 'slack' });
  const api = new SlackApi({
    token: config.botToken,
    apiUrl: config.apiUrl,
    logger,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs,
    sleep: options.sleep,
  });
  const work = new BackgroundWork({ logger });
  const channel = new SlackChannel({
    api,
    logger,
    background: work,
    oncallChannel: config.oncallChannel,
    placeholderGraceMs: options.placeholderGraceMs,
    placeholderDelayMs: options.placeholderDelayMs,
    ...(options.streaming !== undefined ? { streaming: options.streaming } : {}),
    ...(options.streamTuning ? { streamTuning: options.streamTuning } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  let app: App | undefined;
  let healthServer: Server | undefined;
  // Mounted on the shared server: its route stays registered, so it answers 503 once stopped.
  let mounted: HTTPReceiver | undefined;

  const health = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ status: 'ok', platform: 'slack', mode: config.mode, inFlight: work.size }));
  };

  return {
    channel,
    async start() {
      if (app) throw new Error('Slack adapter already started');
      const identity = await whoAmI(api);
      const roles = new SlackRoleResolver({
        api,
        teamId: identity.teamId,
        enterpriseId: identity.enterpriseId,
        staffUsergroup: config.staffUsergroup,
        logger,
        now: options.now,
        ttlMs: options.roleTtlMs,
      });
      channel.useIdentifier((sender) => roles.identify(sender.userId, sender.teamId));
      const authorize = async () => ({ botToken: config.botToken, botUserId: identity.userId, botId: identity.botId, teamId: identity.teamId });
      const bolt = boltLogger(logger);
      let httpReceiver: HTTPReceiver | undefined;
      if (config.mode === 'socket') {
        const receiver = new SocketModeReceiver({
          appToken: config.appToken ?? '',
          logger: bolt,
          installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } },
        });
        app = new App({ receiver, authorize, logger: bolt, convoStore: false });
      } else {
        httpReceiver = new HTTPReceiver({
          signingSecret: config.signingSecret ?? '',
          endpoints: SLACK_EVENTS_PATH,
          customRoutes: [{ path: '/health', method: ['GET'], handler: health }],
          // Ack first, work after: Slack's 3-second rule.
          processBeforeResponse: false,
          processEventErrorHandler: slackProcessEventErrorHandler(logger),
          logger: bolt,
        });
        // Bodies that are valid JSON but not objects would crash Bolt's receiver: refuse them first.
        httpReceiver.requestListener = guardSlackRequests(httpReceiver.requestListener, { logger });
        app = new App({ receiver: httpReceiver, authorize, logger: bolt, convoStore: false });
      }
      // Track each request from the moment the receiver hands it over: the HTTP ack can reach
      // Slack (or a test) before Bolt has run the listener that starts the real work.
      const processEvent = app.processEvent.bind(app);
      app.processEvent = (event) => work.track(processEvent(event));
      // Listeners and the engine's channel are in place before the first request can arrive.
      const deps = { engine, channel, roles, api, identity, work, logger, respondsToAll: respondsToAll(options.channels, config.oncallChannel, logger) };
      registerEventHandlers(app, deps);
      registerAssistantHandlers(app, deps, config.suggestedPrompts);
      registerActionHandlers(app, deps);
      registerEditHandlers(app, deps);
      registerFeedbackHandlers(app, deps);
      registerCommandHandler(app, deps);
      app.error(async (error) => {
        logger.error({ error: error.message, code: (error as { code?: string }).code }, 'slack listener error');
      });
      engine.attach(channel);
      let port: number;
      try {
        if (httpReceiver && options.server) {
          mounted = httpReceiver;
          options.server.addRoute(slackRoute(() => mounted));
          port = options.server.port;
        } else if (options.server) {
          port = options.server.port;
          await app.start();
        } else if (httpReceiver) {
          const server = await httpReceiver.start(config.port);
          port = (server.address() as AddressInfo).port;
        } else {
          healthServer = createServer((req, res) => {
            if (req.method === 'GET' && req.url?.split('?')[0] === '/health') health(req, res);
            else res.writeHead(404).end();
          });
          port = await listen(healthServer, config.port);
          await app.start();
        }
      } catch (error) {
        // E.g. the port is taken: leave nothing half-started behind.
        healthServer?.close();
        healthServer = undefined;
        app = undefined;
        throw error;
      }
      logger.info({ mode: config.mode, port, team: identity.teamId, bot: identity.userId }, 'slack adapter started');
      return { port };
    },
    async stop() {
      const running = app;
      app = undefined;
      const wasMounted = mounted !== undefined;
      mounted = undefined;
      // A mounted receiver never listened, so there is nothing of Bolt's to stop.
      if (running && !wasMounted) await running.stop().catch((error: unknown) => logger.warn({ error: String(error) }, 'slack receiver stop failed'));
      if (healthServer) await new Promise<void>((resolve) => healthServer?.close(() => resolve()));
      healthServer = undefined;
      if (!(await work.idle(10_000))) logger.warn({ inFlight: work.size }, 'slack stopped with work still running');
      await channel.close();
    },
    idle: (timeoutMs) => work.idle(timeoutMs),
    connected: () => app !== undefined,
  };
}

/** Hand Slack's requests on the shared server to Bolt's listener, which verifies their signatures. */
function slackRoute(receiver: () => HTTPReceiver | undefined): RouteHandler {
  return (req, res) => {
    if (req.method !== 'POST' || pathOf(req) !== SLACK_EVENTS_PATH) return false;
    const current = receiver();
    if (!current) {
      res.writeHead(503, { 'retry-after': '5' }).end();
      return true;
    }
    current.requestListener(req, res);
    return true;
  };
}

/**
 * Start the Slack adapter from the environment: HTTP mode (Events API,
 * interactivity and `/support` on `POST /slack/events`, `GET /health`) or
 * Socket Mode when `SLACK_APP_TOKEN` is set. `PORT=0` binds a free port.
 */
export async function startSlack(options: {
  engine: Engine;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** The process's HTTP server to mount on, instead of opening PORT itself. */
  server?: SlackAdapterOptions['server'];
  /** Per-channel behaviour (AGENT_CONFIG `channels:`). */
  channels?: ChannelBehaviour;
}): Promise<{ stop(): Promise<void>; port: number; connected(): boolean }> {
  const adapter = createSlackAdapter({
    engine: options.engine,
    config: slackConfigFromEnv(options.env),
    logger: options.logger,
    ...(options.server ? { server: options.server } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const { port } = await adapter.start();
  return { port, stop: () => adapter.stop(), connected: () => adapter.connected() };
}

/**
 * Whether a channel's top-level messages are questions for the bot (`respond: all`).
 * Never in an on-call channel: staff talk there, and the bot's own notices land there.
 */
function respondsToAll(channels: ChannelBehaviour | undefined, oncallChannel: string | undefined, logger: Logger): (channelId: string) => boolean {
  if (!channels) return () => false;
  const oncall = new Set([...(oncallChannel ? [oncallChannel] : []), ...channels.oncallIds('slack')]);
  for (const id of oncall) {
    if (channels.respondMode('slack', id) === 'all') logger.warn({ channel: id }, 'respond: all ignored in an on-call channel; it answers mentions only');
  }
  return (channelId) => !oncall.has(channelId) && channels.respondMode('slack', channelId) === 'all';
}

async function whoAmI(api: SlackApi): Promise<SlackIdentity> {
  try {
    return await api.authTest();
  } catch (error) {
    if (error instanceof PlatformError && ['slack_invalid_auth', 'slack_not_authed', 'slack_account_inactive', 'slack_token_revoked'].includes(error.code)) {
      throw new ConfigError(`SLACK_BOT_TOKEN was rejected by Slack (${error.code.slice(6)})`, ['SLACK_BOT_TOKEN'], { cause: error });
    }
    throw error;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}
