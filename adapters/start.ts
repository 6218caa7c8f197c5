/**
 * `npm start`: build the engine once, then run every platform that has
 * credentials (Slack, Discord), or the console channel when none has (or
 * when CONSOLE=true). SIGINT/SIGTERM stop the adapters (no new work), let
 * in-flight turns finish, close the app (audit flushed, store closed) and
 * exit 0; past SHUTDOWN_TIMEOUT_MS they log what was abandoned and exit 1.
 * Configuration mistakes print one paragraph naming the variables and exit 1.
 */
import { existsSync } from 'node:fs';
import { bootstrap, checkHealth, ConfigError, describeError, ENGINE_ENV_NAMES, findUnknownVariables, loadDotEnv, startHttp, unknownVariableWarning, type App, type AppServer, type Env } from '../src/index';
import { DISCORD_ENV_NAMES, discordConfigFromEnv } from './discord/config';
import { CONSOLE_USAGE, parseConsoleOptions, startConsole, type ConsoleOptions } from './console';
import { trackEngineWork } from './in-flight-work';
import { installProcessGuard } from './process-guard';
import { shutdownWithDeadline } from './shutdown';
import { SLACK_ENV_NAMES, slackConfigFromEnv } from './slack/config';

/** Something started that must be stopped on the way out. */
interface RunningAdapter {
  name: string;
  stop(): Promise<void>;
}

const present = (value: string | undefined) => (value ?? '').trim() !== '';

/** Which channels to run, from the environment alone (decided before anything starts). */
function choosePlatforms(env: Env): { slack: boolean; discord: boolean; console: boolean } {
  // A bot token means Slack is wanted; a missing signing secret (or app token) is then an error to report, not a reason to fall back.
  const slack = present(env.SLACK_BOT_TOKEN);
  const discord = present(env.DISCORD_BOT_TOKEN);
  const flag = (env.CONSOLE ?? '').trim().toLowerCase();
  if (!['', 'true', 'false', '1', '0', 'yes', 'no'].includes(flag)) throw new ConfigError('CONSOLE must be true or false.', ['CONSOLE']);
  const forced = flag === 'true' || flag === '1' || flag === 'yes';
  return { slack, discord, console: forced || (!slack && !discord) };
}

/** Credentials in URLs (redis://user:pass@host) stay out of the banner. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/** What an operator needs to know at start-up, on stderr so stdout stays the conversation. */
function banner(app: App, channels: string[], consoleOptions: ConsoleOptions | undefined, http: AppServer | undefined, dashboardLink: string | undefined): string {
  const { config } = app;
  const model =
    app.model.mode === 'offline'
      ? 'offline mode: built-in rules, no AI calls. For a real model set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL) in the environment or .env.'
      : `${app.model.model} via ${config.openai.baseUrl ? withoutCredentials(config.openai.baseUrl) : 'the OpenAI API'}.`;
  const key = { env: 'from ENCRYPTION_KEY', file: 'from the data directory', generated: 'generated into the data directory' }[app.keyOrigin];
  const lines = [
    `support-agent ${app.version}: running ${channels.join(', ')}`,
    `  model:  ${model}`,
    `  data:   ${config.dataDir} (store ${withoutCredentials(config.storeUrl)}, encryption key ${key})`,
    `  audit:  ${config.auditLogPath}`,
  ];
  if (http) lines.push(`  http:   ${http.url} (/health, /metrics, /dashboard)`);
  if (dashboardLink) lines.push(`  dashboard: ${dashboardLink} (sign-in link for this run; set DASHBOARD_TOKEN for a fixed one)`);
  if (consoleOptions) {
    const { userId, role } = consoleOptions.speaker;
    lines.push(`  console: you are ${userId} (${role}); type /help for commands, /quit or Ctrl-D to leave.`);
  }
  return lines.join('\n');
}

/** One paragraph for a configuration mistake: what is wrong, where to fix it. No stack. */
function configErrorText(error: ConfigError): string {
  const names = [...new Set(error.variables)];
  const flags = names.filter((n) => n.startsWith('-'));
  const variables = names.filter((n) => !n.startsWith('-') && n !== '.env');
  const where = [
    variables.length > 0 ? `${variables.join(', ')} (environment or .env)` : '',
    flags.length > 0 ? `${flags.join(', ')} (command line)` : '',
    names.includes('.env') ? 'the .env file' : '',
  ].filter(Boolean);
  const message = /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
  return `support-agent cannot start: ${message} Fix ${where.join(' and ') || 'the configuration'} and start again.`;
}

/** Set once everything is serving; the process guard logs and keeps going from then on. */
let serving = false;
let appLogger: App['logger'] | undefined;

async function main(): Promise<number> {
  installProcessGuard({ logger: () => appLogger, started: () => serving });
  loadDotEnv();
  const env: Env = { ...process.env };
  for (const unknown of findUnknownVariables(env, [...ENGINE_ENV_NAMES, ...SLACK_ENV_NAMES, ...DISCORD_ENV_NAMES])) {
    process.stderr.write(`support-agent: warning: ${unknownVariableWarning(unknown)}\n`);
  }
  const argv = process.argv.slice(2);
  const consoleFlags = parseConsoleOptions(argv, env);
  if (consoleFlags.help) {
    process.stdout.write(`${CONSOLE_USAGE}\n`);
    return 0;
  }
  const platforms = choosePlatforms(env);
  // Platform settings are checked before anything is created or connected (e.g. a missing on-call channel).
  if (platforms.slack) slackConfigFromEnv(env);
  if (platforms.discord) discordConfigFromEnv(env);
  const consoleOptions = platforms.console ? consoleFlags : undefined;
  // In the console, stdout is the chat: logs go to stderr, and only warnings unless asked.
  const bootEnv: Env = platforms.console && !present(env.LOG_LEVEL) ? { ...env, LOG_LEVEL: 'warn' } : env;
  const app = await bootstrap({ env: bootEnv, ...(platforms.console ? { logDestination: 2 as const } : {}) });
  const { logger } = app;
  appLogger = logger;
  // Adapters get a counting wrapper, so a shutdown that runs out of time can say what it abandoned.
  const tracked = trackEngineWork(app.engine);
  const engine = tracked.engine;
  // Runs while the adapters connect; a dead model or a rejected key shows at start, not at the first question.
  const modelCheck = app.checkModel();

  const running: RunningAdapter[] = [];
  let shutdown: Promise<number> | undefined;
  /** Stop taking work (adapters, newest first), let in-flight work finish, close the stores: 0, or 1 past the deadline. */
  const stopEverything = (): Promise<number> =>
    (shutdown ??= (async () => {
      const timeoutMs = app.config.shutdownTimeoutMs;
      const outcome = await shutdownWithDeadline({
        timeoutMs,
        steps: [
          ...[...running].reverse().map((adapter) => ({ name: `stop ${adapter.name}`, run: () => adapter.stop() })),
          { name: 'finish in-flight turns and close the stores', run: () => app.close() },
        ],
        onStepError: (step, error) => logger.error({ step, err: describeError(error) }, 'shutdown step failed'),
      });
      if (outcome.completed) return 0;
      const abandoned = tracked.pending();
      logger.error({ timeoutMs, unfinished: outcome.unfinished, abandoned }, 'shutdown deadline passed; exiting with work unfinished');
      process.stderr.write(
        `support-agent: shutdown did not finish within SHUTDOWN_TIMEOUT_MS=${timeoutMs}; abandoned ${abandoned.length} in-flight call(s)${abandoned.length > 0 ? `: ${abandoned.join('; ')}` : ''}; unfinished: ${outcome.unfinished.join(', ')}.\n`,
      );
      return 1;
    })());

  let http: AppServer | undefined;
  let dashboardLink: string | undefined;
  try {
    // One server in every mode; loopback only unless a platform (or HTTP_HOST) needs it reachable. Stopped last.
    const platformConfigured = platforms.slack || platforms.discord;
    http = await startHttp({ app, host: app.config.http.host ?? (platformConfigured ? '0.0.0.0' : '127.0.0.1'), anyPortIfTaken: !platformConfigured });
    const server = http;
    running.push({ name: 'http', stop: () => server.close() });
    logger.info({ url: http.url }, 'http server listening');
    // The operator's view: read-only, behind DASHBOARD_TOKEN or a one-time sign-in link on loopback.
    const { createAppDashboard } = await import('./dashboard/index');
    const dashboard = await createAppDashboard({
      app,
      env,
      health: async () => {
        const report = await checkHealth({ engine: app.engine, store: app.store, platforms: server.platforms });
        const checks: Record<string, string> = { store: report.store.ok ? 'ok' : (report.store.error ?? 'unreachable'), model: report.model.breaker };
        for (const [name, up] of Object.entries(report.platforms)) checks[name] = up ? 'connected' : 'disconnected';
        return { ok: report.status === 'ok', checks };
      },
    });
    server.addRoute(dashboard);
    dashboardLink = dashboard.signInUrl(server.url.replace('0.0.0.0', '127.0.0.1'));
    if (platforms.slack) {
      // Loaded only when used: the platform SDKs take about a second each to import.
      const { startSlack } = await import('./slack');
      const slack = await startSlack({ engine, env, logger, server, channels: app.channels });
      running.push({ name: 'slack', stop: () => slack.stop() });
      server.platforms.set('slack', slack.connected);
      logger.info({ port: slack.port }, 'slack started');
    }
    if (platforms.discord) {
      const { startDiscord } = await import('./discord');
      const discord = await startDiscord({ engine, env, logger, channels: app.channels });
      running.push({ name: 'discord', stop: () => discord.stop() });
      server.platforms.set('discord', discord.connected);
    }
  } catch (error) {
    await stopEverything();
    throw error;
  }

  const channels = running.filter((r) => r.name !== 'http').map((r) => r.name);
  if (consoleOptions) channels.push('console');
  process.stderr.write(`${banner(app, channels, consoleOptions, http, dashboardLink)}\n`);
  // Reported when the probe answers, without holding up start-up.
  void modelCheck.then((health) => {
    if (health.state !== 'unauthorized' && health.state !== 'unreachable') return;
    const where = app.config.openai.baseUrl ? withoutCredentials(app.config.openai.baseUrl) : 'the OpenAI API (https://api.openai.com/v1)';
    const advice = health.state === 'unauthorized' ? 'check OPENAI_API_KEY' : 'check OPENAI_BASE_URL and that the server is up';
    process.stderr.write(`support-agent: warning: model ${app.model.model} at ${where}: ${health.lastError ?? health.state}; ${advice}. Customers get the fallback until it answers.\n`);
    logger.warn({ baseUrl: where, state: health.state }, 'model check failed at start');
  });
  logger.info({ channels, mode: app.model.mode, model: app.model.model, dataDir: app.config.dataDir }, 'support-agent started');

  const finished = new Promise<number>((resolve) => {
    const finish = () =>
      void stopEverything().then(resolve, (error: unknown) => {
        process.stderr.write(`support-agent: shutdown failed: ${describeError(error)}\n`);
        resolve(1);
      });
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        process.stderr.write(`${signal} again: exiting without waiting.\n`);
        process.exit(1);
      }
      signalled = true;
      logger.info({ signal, timeoutMs: app.config.shutdownTimeoutMs }, 'shutting down');
      finish();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (consoleOptions) {
      const terminal = startConsole({ engine, env, logger, options: consoleOptions });
      running.push({ name: 'console', stop: () => terminal.stop() });
      // Leaving the console (EOF, /quit, Ctrl-C at the prompt) ends the process, after everything read was handled.
      void terminal.done.then(finish);
    }
  });
  engine.start();
  serving = true;
  return finished;
}

/**
 * Let the event loop drain (buffered output is written), but never hang on a
 * lingering handle. After a missed shutdown deadline something is stuck by
 * definition, so the grace is short.
 */
function exitWith(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), code === 0 ? 2_000 : 300).unref();
}

main().then(
  (code) => exitWith(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${configErrorText(error)}\n`);
    } else {
      const detail = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace' ? (error as Error)?.stack ?? describeError(error) : describeError(error);
      process.stderr.write(`support-agent failed to start: ${detail}\n(set LOG_LEVEL=debug for the stack trace)\n`);
    }
    exitWith(1);
  },
);
