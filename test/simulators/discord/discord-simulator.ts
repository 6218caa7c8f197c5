import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChannelType, GatewayDispatchEvents, GatewayIntentBits, MessageFlags, type APIMessage } from 'discord.js';
import { GatewaySimulator } from './gateway';
import { ApiError, ApiRouter, type Fault, type RecordedRequest } from './http-router';
import { registerInteractionRoutes, type SimInteraction } from './interactions';
import { channelJson, memberJsonNoUser, messageJson, userJson } from './payloads';
import { registerRestRoutes } from './rest-routes';
import { SimulatorActions } from './simulator-actions';
import type { MessageBody } from './validate-message';
import { createWorld, type SimChannel, type World } from './world';

export type { RecordedRequest } from './http-router';
export type { SimInteraction } from './interactions';

export interface DiscordSimulatorOptions {
  token?: string;
  /** Gateway heartbeat interval asked of the client (default 41 250 ms, as Discord). */
  heartbeatIntervalMs?: number;
  /** Whether the app has the Message Content intent enabled in the portal (default true). */
  privilegedIntents?: boolean;
  /** How long an interaction may go unacknowledged (default 3000 ms, as Discord). */
  interactionWindowMs?: number;
  /** What `GET /gateway/bot` advertises instead of this server (to prove DISCORD_GATEWAY_URL wins). */
  advertisedGatewayUrl?: string;
  /** Message edits allowed per channel per window before a 429 (default 5 per 5 s, as Discord's bucket reports). */
  editLimit?: { limit: number; windowMs: number };
}

/** A message edit the bot made, when it arrived and what it sent. */
export interface RecordedEdit {
  messageId: string;
  at: number;
  status: number;
  body: unknown;
}

/** What the route modules need from the simulator. */
export interface SimulatorCore {
  world: World;
  gateway: GatewaySimulator;
  interactions: Map<string, SimInteraction>;
  interactionWindowMs: number;
  gatewayUrl: string;
  advertisedGatewayUrl: string;
  registeredCommands: Map<string, unknown[]>;
  editLimit: { limit: number; windowMs: number };
  channel(id: string): SimChannel;
  deleteMessage(channelId: string, messageId: string): void;
  botMessage(channelId: string, body: MessageBody, options?: { ephemeral?: boolean; loading?: boolean }): APIMessage;
  editMessage(channelId: string, messageId: string, body: MessageBody): APIMessage;
  createThread(channelId: string, messageId: string, name: string): SimChannel;
  deliver(message: APIMessage): void;
}

/**
 * A loopback Discord owned by the tests: REST API v10 and gateway v10 on one
 * port. Tests act as users (`actions`) and read what the bot did (`requests`,
 * messages, interactions); faults and disconnects are injected on demand.
 */
export class DiscordSimulator implements SimulatorCore {
  readonly world = createWorld();
  readonly token: string;
  readonly gateway: GatewaySimulator;
  readonly interactions = new Map<string, SimInteraction>();
  readonly interactionWindowMs: number;
  readonly registeredCommands = new Map<string, unknown[]>();
  readonly editLimit: { limit: number; windowMs: number };
  readonly actions: SimulatorActions;
  private readonly router: ApiRouter;
  private readonly server: Server;
  private port = 0;
  private readonly advertised: string | undefined;

  private constructor(options: DiscordSimulatorOptions) {
    this.token = options.token ?? `sim.${randomBytes(24).toString('base64url')}`;
    this.interactionWindowMs = options.interactionWindowMs ?? 3_000;
    this.advertised = options.advertisedGatewayUrl;
    this.editLimit = options.editLimit ?? { limit: 5, windowMs: 5_000 };
    this.router = new ApiRouter(this.token);
    this.gateway = new GatewaySimulator({
      world: this.world,
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: options.privilegedIntents ?? true,
      baseUrl: () => this.gatewayUrl,
    });
    registerRestRoutes(this.router, this);
    registerInteractionRoutes(this.router, this);
    this.server = createServer((req, res) => void this.router.handle(req, res));
    this.gateway.attach(this.server);
    this.actions = new SimulatorActions(this);
  }

  /** Start on a free loopback port. */
  static async start(options: DiscordSimulatorOptions = {}): Promise<DiscordSimulator> {
    const sim = new DiscordSimulator(options);
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    sim.port = (sim.server.address() as AddressInfo).port;
    return sim;
  }

  /** REST base for `DISCORD_API_URL`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** What `GET /gateway/bot` hands out. */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The gateway URL `GET /gateway/bot` returns (this server unless overridden). */
  get advertisedGatewayUrl(): string {
    return this.advertised ?? this.gatewayUrl;
  }

  /** Environment for the adapter, pointing at this simulator. */
  env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    const f = this.world.fixture;
    return {
      DISCORD_BOT_TOKEN: this.token,
      DISCORD_APPLICATION_ID: this.world.applicationId,
      DISCORD_SUPPORT_CHANNELS: f.supportChannelId,
      DISCORD_ONCALL_CHANNEL: f.oncallChannelId,
      DISCORD_STAFF_ROLES: f.staffRoleId,
      DISCORD_API_URL: this.apiUrl,
      ...overrides,
    };
  }

  /** Every REST request the bot made, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.router.requests;
  }

  /** Requests matching a method and a route pattern such as `/channels/:channelId/messages`. */
  requestsTo(method: string, route: string): RecordedRequest[] {
    return this.router.requests.filter((r) => r.method === method && r.route === route);
  }

  /** Every `PATCH` of a channel message (429s included), oldest first; `messageId` narrows to one message. */
  edits(messageId?: string): RecordedEdit[] {
    return this.requestsTo('PATCH', '/channels/:channelId/messages/:messageId')
      .filter((r) => messageId === undefined || r.params.messageId === messageId)
      .map((r) => ({ messageId: r.params.messageId!, at: r.at, status: r.status, body: r.body }));
  }

  /** Make the next matching request(s) fail with a Discord error. */
  failNext(fault: Omit<Fault, 'times' | 'retryAfter'> & { times?: number }): void {
    this.router.inject({ ...fault, times: fault.times ?? 1 });
  }

  /** Make the next matching request get a 429 with `retry-after` (seconds). */
  rateLimitNext(fault: { method?: string; path: RegExp; retryAfter: number }): void {
    this.router.inject({ ...fault, status: 429, code: 0, message: 'You are being rate limited.', times: 1 });
  }

  /** Messages in a channel, oldest first (ephemeral responses are not in channels). */
  messagesIn(channelId: string): APIMessage[] {
    return this.channel(channelId).messageIds.map((id) => this.world.messages.get(id)!);
  }

  /** Threads hanging from a channel. */
  threadsOf(channelId: string): SimChannel[] {
    return [...this.world.channels.values()].filter((c) => c.parentId === channelId);
  }

  channel(id: string): SimChannel {
    const channel = this.world.channels.get(id);
    if (!channel) throw new ApiError(404, 10003, 'Unknown Channel');
    return channel;
  }

  botMessage(channelId: string, body: MessageBody, options: { ephemeral?: boolean; loading?: boolean } = {}): APIMessage {
    const message = messageJson(this.world, {
      channelId: this.channel(channelId).id,
      author: this.world.bot,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: (body.components ?? []) as APIMessage['components'],
      flags: (body.flags ?? 0) | (options.ephemeral ? MessageFlags.Ephemeral : 0) | (options.loading ? MessageFlags.Loading : 0),
    });
    // Ephemeral messages exist only for the clicker; they are neither stored in the channel nor dispatched.
    if (!options.ephemeral) this.deliver(message);
    return message;
  }

  editMessage(channelId: string, messageId: string, body: MessageBody): APIMessage {
    const message = this.world.messages.get(messageId);
    if (!message || message.channel_id !== channelId) throw new ApiError(404, 10008, 'Unknown Message');
    if (message.author.id !== this.world.bot.id) throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
    if (body.content !== undefined) message.content = body.content;
    if (body.embeds !== undefined) message.embeds = body.embeds;
    if (body.components !== undefined) message.components = body.components as APIMessage['components'];
    message.edited_timestamp = new Date().toISOString();
    const channel = this.channel(channelId);
    this.gateway.dispatch(GatewayDispatchEvents.MessageUpdate, { ...message, ...(channel.guildId ? { guild_id: channel.guildId } : {}) }, intentFor(channel));
    return message;
  }

  deleteMessage(channelId: string, messageId: string): void {
    const message = this.world.messages.get(messageId);
    const channel = this.channel(channelId);
    if (!message || message.channel_id !== channelId) throw new ApiError(404, 10008, 'Unknown Message');
    this.world.messages.delete(messageId);
    channel.messageIds = channel.messageIds.filter((id) => id !== messageId);
    this.gateway.dispatch(GatewayDispatchEvents.MessageDelete, { id: messageId, channel_id: channelId, ...(channel.guildId ? { guild_id: channel.guildId } : {}) }, intentFor(channel));
  }

  createThread(channelId: string, messageId: string, name: string): SimChannel {
    const parent = this.channel(channelId);
    const starter = this.world.messages.get(messageId);
    if (!starter || starter.channel_id !== channelId) throw new ApiError(404, 10008, 'Unknown Message');
    if (parent.type !== ChannelType.GuildText) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    if (this.world.channels.has(messageId)) throw new ApiError(400, 160004, 'A thread has already been created for this message');
    // A thread started from a message takes the message's id, as on Discord.
    const thread: SimChannel = { id: messageId, type: ChannelType.PublicThread, name, guildId: parent.guildId, parentId: parent.id, ownerId: this.world.bot.id, recipientId: null, messageIds: [] };
    this.world.channels.set(thread.id, thread);
    this.gateway.dispatch(GatewayDispatchEvents.ThreadCreate, { ...channelJson(this.world, thread), newly_created: true }, GatewayIntentBits.Guilds);
    return thread;
  }

  /** Store a message and send MESSAGE_CREATE the way the gateway does (member, mentions, intents). */
  deliver(message: APIMessage): void {
    const channel = this.channel(message.channel_id);
    this.world.messages.set(message.id, message);
    channel.messageIds.push(message.id);
    const guild = channel.guildId ? this.world.guilds.get(channel.guildId) : undefined;
    const member = guild?.members.get(message.author.id);
    const mentions = message.mentions.map((u) => {
      const m = guild?.members.get(u.id);
      return m ? { ...u, member: memberJsonNoUser(m) } : u;
    });
    const botMentioned = message.mentions.some((u) => u.id === this.world.bot.id);
    // Without Message Content, Discord blanks content except in DMs, mentions and the bot's own messages.
    const contentVisible = (this.gateway.intents & GatewayIntentBits.MessageContent) !== 0 || !guild || botMentioned || message.author.id === this.world.bot.id;
    const event = {
      ...message,
      ...(contentVisible ? {} : { content: '', embeds: [], attachments: [], components: [] }),
      mentions,
      channel_type: channel.type,
      ...(guild ? { guild_id: guild.id } : {}),
      ...(member ? { member: memberJsonNoUser(member) } : {}),
    };
    this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, event, intentFor(channel));
  }

  /** The user as Discord's JSON, for building payloads. */
  userJson(userId: string) {
    const user = this.world.users.get(userId);
    if (!user) throw new Error(`unknown simulated user ${userId}`);
    return userJson(user);
  }

  /** Resolves when `predicate` holds after some request, or rejects after `timeoutMs`. */
  async waitForRequest(predicate: (r: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    const found = () => this.router.requests.find(predicate);
    const existing = found();
    if (existing) return existing;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no matching Discord request within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.router.onRequest(() => {
        const match = found();
        if (!match) return;
        clearTimeout(timer);
        stop();
        resolve(match);
      });
    });
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function intentFor(channel: SimChannel): number {
  return channel.type === ChannelType.DM ? GatewayIntentBits.DirectMessages : GatewayIntentBits.GuildMessages;
}
