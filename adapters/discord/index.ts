import { Events, RESTEvents, type Client } from 'discord.js';
import { ConfigError, PlatformError, describeError } from '../../src/index';
import type { ChannelBehaviour, Engine, Logger } from '../../src/index';
import { discordConfigFromEnv, type DiscordConfig } from './config';
import { DiscordChannel } from './discord-channel';
import { createDiscordClient } from './discord-client';
import { DiscordRoleResolver } from './discord-roles';
import { createInteractionHandler } from './interaction-handler';
import { createMessageHandler } from './message-handler';

export { discordConfigFromEnv, isDiscordConfigured, type DiscordConfig } from './config';
export { DiscordChannel } from './discord-channel';

/** What `startDiscord` needs; the optional knobs exist for tests. */
export interface StartDiscordOptions {
  engine: Engine;
  /** Environment (DISCORD_* variables); passed in so tests use their own. */
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Clock for the role cache and the streaming interval. */
  now?: () => number;
  /** How long a member's role is trusted before Discord is asked again (default 60 s). */
  roleCacheTtlMs?: number;
  /** Typing re-send interval (default 8 s; Discord shows typing for ~10 s). */
  typingIntervalMs?: number;
  /** Give up connecting after this long (default 30 s). */
  readyTimeoutMs?: number;
  /** How long `stop()` waits for messages being handled (default 10 s). */
  drainTimeoutMs?: number;
  /** Per-channel behaviour (AGENT_CONFIG `channels:`): channels with an entry are served, `respond: all` ones answer every question. */
  channels?: ChannelBehaviour;
}

/** A running Discord adapter. */
export interface DiscordAdapter {
  /** Stop taking events, let handlers in flight finish, then disconnect. */
  stop(): Promise<void>;
  /** Logged in and not stopping (for /health). */
  connected(): boolean;
}

/**
 * Connect the bot to Discord and route its events to the engine. Resolves
 * once the gateway is ready and guilds are cached; rejects with a
 * `ConfigError` for a bad token. Without the Message Content intent (Discord
 * closes the gateway with 4014) it connects again without it and warns: the
 * bot then reads only mentions and DMs, so `respond: all` channels answer
 * mentions only and follow-ups in threads need a mention.
 */
export async function startDiscord(options: StartDiscordOptions): Promise<DiscordAdapter> {
  const config = discordConfigFromEnv(options.env);
  const logger = options.logger.child({ platform: 'discord' });
  try {
    return await connect(options, config, logger, true);
  } catch (error) {
    if (!(error instanceof MessageContentRefusedError)) throw error;
    const respondAll = [...servedChannels(config, options.channels)].filter((id) => options.channels?.respondMode('discord', id) === 'all');
    logger.warn(
      { respondAllChannels: respondAll },
      'Discord refused the Message Content intent (enable it under Bot → Privileged Gateway Intents in the Developer Portal): answering mentions and DMs only; respond: all channels answer mentions only and follow-ups in threads need a mention',
    );
    return connect(options, config, logger, false);
  }
}

/** Channels where the bot serves questions: DISCORD_SUPPORT_CHANNELS and channels with their own entry, never an on-call channel. */
function servedChannels(config: DiscordConfig, channels: ChannelBehaviour | undefined): Set<string> {
  const oncall = new Set([...(config.oncallChannelId ? [config.oncallChannelId] : []), ...(channels?.oncallIds('discord') ?? [])]);
  return new Set([...config.supportChannelIds, ...(channels?.channelIds('discord') ?? [])].filter((id) => !oncall.has(id)));
}

async function connect(options: StartDiscordOptions, config: DiscordConfig, logger: Logger, messageContent: boolean): Promise<DiscordAdapter> {
  const client = createDiscordClient(config, { messageContent });
  const roles = new DiscordRoleResolver({
    client,
    staffRoleIds: config.staffRoleIds,
    guildIds: () => dmGuildIds(client, config),
    logger,
    ttlMs: options.roleCacheTtlMs,
    now: options.now,
  });
  const channel = new DiscordChannel({ rest: client.rest, oncallChannelId: config.oncallChannelId, logger, typingIntervalMs: options.typingIntervalMs, roles, now: options.now });
  const served = servedChannels(config, options.channels);
  const channels = options.channels;
  const onMessage = createMessageHandler({
    engine: options.engine,
    roles,
    channel,
    supportChannelIds: served,
    respondsToAll: (channelId) => messageContent && channels?.respondMode('discord', channelId) === 'all',
    readsContent: messageContent,
    logger,
  });
  const onInteraction = createInteractionHandler({ engine: options.engine, roles, logger });

  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work
      .catch((error: unknown) => logger.error({ error: describeError(error) }, 'discord event handler failed'))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  client.on(Events.MessageCreate, (message) => {
    if (!stopping) track(onMessage(message));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!stopping) track(onInteraction(interaction));
  });
  watchConnection(client, logger);

  options.engine.attach(channel);
  try {
    const ready = waitUntilReady(client, options.readyTimeoutMs ?? 30_000);
    await Promise.all([client.login(config.token), ready]);
  } catch (error) {
    await client.destroy();
    throw loginError(error);
  }
  checkSetup(client, config, served, logger);
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, messageContent }, 'discord connected');

  return {
    connected: () => !stopping && client.isReady(),
    async stop() {
      stopping = true;
      channel.stopAllTyping();
      const drained = Promise.allSettled([...inFlight]);
      const timeout = new Promise((resolve) => setTimeout(resolve, options.drainTimeoutMs ?? 10_000).unref());
      await Promise.race([drained, timeout]);
      await client.destroy();
      logger.info({}, 'discord disconnected');
    },
  };
}

/**
 * Guilds whose membership gives a role to someone writing in DMs. Only guilds
 * the operator chose (DISCORD_GUILD_ID, else the support channels' guilds):
 * being the owner of some other server the bot was invited to grants nothing.
 */
function dmGuildIds(client: Client, config: DiscordConfig): string[] {
  if (config.guildIds.length > 0) return [...config.guildIds];
  const ids = new Set<string>();
  for (const channelId of config.supportChannelIds) {
    const found = client.channels.cache.get(channelId);
    if (found && 'guildId' in found && typeof found.guildId === 'string') ids.add(found.guildId);
  }
  return [...ids];
}

/** Rate limits are handled by discord.js's REST queue; surface them so they are seen, not swallowed. */
function watchConnection(client: Client, logger: Logger): void {
  client.rest.on(RESTEvents.RateLimited, (info) => {
    // Not `url` or `majorParameter`: for interaction webhooks they contain the interaction token.
    logger.warn(
      { event: 'rateLimited', route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global, scope: info.scope, limit: info.limit },
      'discord rate limited; request queued until the limit resets',
    );
  });
  client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord warning'));
  client.on(Events.Error, (error) => logger.error({ error: describeError(error) }, 'discord client error'));
  client.on(Events.ShardError, (error, shardId) => logger.warn({ shardId, error: describeError(error) }, 'discord gateway error'));
  client.on(Events.ShardReconnecting, (shardId) => logger.warn({ shardId }, 'discord gateway reconnecting'));
  client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'discord gateway resumed'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.error({ shardId, code: event.code }, 'discord gateway closed for good'));
}

/** Resolves on ClientReady; rejects on an unrecoverable gateway close or after `timeoutMs`. */
function waitUntilReady(client: Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new PlatformError('discord_ready_timeout', `Discord did not become ready within ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => finish();
    const onDisconnect = (event: { code: number }) => finish(gatewayCloseError(event.code));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      client.off(Events.ClientReady, onReady);
      client.off(Events.ShardDisconnect, onDisconnect);
      if (error) reject(error);
      else resolve();
    };
    client.once(Events.ClientReady, onReady);
    client.on(Events.ShardDisconnect, onDisconnect);
  });
}

function gatewayCloseError(code: number): Error {
  if (code === 4004) return new ConfigError('Discord rejected DISCORD_BOT_TOKEN (gateway close 4004)', ['DISCORD_BOT_TOKEN']);
  if (code === 4014) {
    return new MessageContentRefusedError(
      'Discord refused the Message Content intent (gateway close 4014): enable it in the Developer Portal under Bot → Privileged Gateway Intents',
      ['DISCORD_BOT_TOKEN'],
    );
  }
  return new PlatformError(`discord_gateway_${code}`, `Discord closed the gateway with code ${code}`);
}

/** Gateway close 4014: the Message Content intent is not enabled for this application. */
class MessageContentRefusedError extends ConfigError {}

function loginError(error: unknown): Error {
  if ((error as { code?: unknown } | null)?.code === 'TokenInvalid') {
    return new ConfigError('Discord rejected DISCORD_BOT_TOKEN', ['DISCORD_BOT_TOKEN'], { cause: error });
  }
  return error instanceof Error ? error : new PlatformError('discord_login_failed', describeError(error));
}

/** Warn about configuration that will quietly do nothing. */
function checkSetup(client: Client, config: DiscordConfig, served: ReadonlySet<string>, logger: Logger): void {
  if (served.size === 0) logger.warn({}, 'DISCORD_SUPPORT_CHANNELS is empty (and no channel has its own entry in AGENT_CONFIG): only DMs will be served');
  for (const id of served) {
    if (!client.channels.cache.has(id)) logger.warn({ channelId: id }, 'support channel not visible to the bot (wrong id, or missing View Channel)');
  }
  if (config.oncallChannelId !== undefined && !client.channels.cache.has(config.oncallChannelId)) {
    logger.warn({ channelId: config.oncallChannelId }, 'on-call channel not visible to the bot');
  }
  const actual = client.application?.id;
  if (config.applicationId !== undefined && actual !== undefined && actual !== config.applicationId) {
    logger.warn({ configured: config.applicationId, actual }, 'DISCORD_APPLICATION_ID does not match the bot token; slash commands may be registered to the wrong app');
  }
}
