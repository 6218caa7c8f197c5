import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { GatewayDispatchEvents, GatewayOpcodes, type GatewayReadyDispatchData } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreateJson, userJson } from './payloads';
import type { World } from './world';

/** One dispatched event as kept for resumes: replayed by sequence number. */
interface SentEvent {
  op: GatewayOpcodes.Dispatch;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  events: SentEvent[];
  socket: WebSocket | undefined;
}

export interface GatewayOptions {
  world: World;
  token: string;
  /** Milliseconds between heartbeats asked of the client (Discord: ~41 s). */
  heartbeatIntervalMs: number;
  /** Whether the app may use privileged intents (Message Content); false → close 4014 as Discord does. */
  privilegedIntents: boolean;
  /** Base ws:// URL of this server, known once it listens. */
  baseUrl: () => string;
}

const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15); // GuildMembers, GuildPresences, MessageContent

/**
 * Discord's gateway v10 over plain JSON text frames (no zlib; a client asking
 * for compression is refused loudly): HELLO, IDENTIFY → READY + GUILD_CREATE,
 * heartbeats, RESUME with replay by sequence number, RECONNECT.
 */
export class GatewaySimulator {
  /** URLs of every connection, in order (first identify, then resumes). */
  readonly connections: string[] = [];
  identifies = 0;
  resumes = 0;
  heartbeats = 0;
  private session: Session | undefined;
  private server: WebSocketServer | undefined;

  constructor(private readonly options: GatewayOptions) {}

  /** Serve WebSocket upgrades on the HTTP server (any path: resume URLs differ). */
  attach(server: Server): void {
    this.server = new WebSocketServer({ server });
    this.server.on('connection', (socket, request) => this.onConnection(socket, request.url ?? '/'));
  }

  /** Intents of the connected session (0 before IDENTIFY). */
  get intents(): number {
    return this.session?.intents ?? 0;
  }

  /** True while a session has an open socket. */
  get connected(): boolean {
    return this.session?.socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Send an event to the bot, as Discord does, if its intents ask for it.
   * While disconnected the event is only kept, to be replayed on RESUME.
   */
  dispatch(t: string, d: unknown, requiredIntent?: number): void {
    const session = this.session;
    if (!session) return;
    if (requiredIntent !== undefined && (session.intents & requiredIntent) === 0) return;
    const event: SentEvent = { op: GatewayOpcodes.Dispatch, t, s: ++session.seq, d };
    session.events.push(event);
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(event));
  }

  /** Close the bot's socket with `code` (4000: unknown error, which clients resume from). */
  dropConnection(code = 4000): void {
    this.session?.socket?.close(code, 'Simulated disconnect');
  }

  /** Ask the bot to reconnect and resume (op 7), as Discord does before moving a session. */
  requestReconnect(): void {
    this.session?.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
  }

  async close(): Promise<void> {
    for (const client of this.server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onConnection(socket: WebSocket, url: string): void {
    this.connections.push(url);
    const query = new URL(url, 'ws://localhost').searchParams;
    if (query.get('v') !== '10') return socket.close(4012, 'Invalid API version');
    if (query.get('encoding') !== 'json' || query.has('compress')) return socket.close(4002, 'This simulator speaks uncompressed JSON only');
    let authenticated = false;
    const send = (payload: unknown) => socket.send(JSON.stringify(payload));
    send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
    socket.on('message', (data) => {
      let payload: { op: number; d: unknown };
      try {
        payload = JSON.parse(data.toString());
      } catch {
        return socket.close(4002, 'Decode error');
      }
      const d = (payload.d ?? {}) as { token?: unknown; compress?: unknown; intents?: unknown; session_id?: unknown; seq?: unknown };
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          this.heartbeats += 1;
          return send({ op: GatewayOpcodes.HeartbeatAck, d: null });
        case GatewayOpcodes.Identify:
          if (authenticated) return socket.close(4005, 'Already authenticated');
          if (d.token !== this.options.token) return socket.close(4004, 'Authentication failed');
          if (d.compress === true) return socket.close(4002, 'This simulator does not compress payloads');
          if (!this.options.privilegedIntents && (Number(d.intents) & PRIVILEGED_INTENTS) !== 0) return socket.close(4014, 'Disallowed intent(s)');
          authenticated = true;
          return this.identify(socket, Number(d.intents));
        case GatewayOpcodes.Resume:
          if (d.token !== this.options.token || d.session_id !== this.session?.id) {
            // Not resumable: tell the client to identify afresh.
            return send({ op: GatewayOpcodes.InvalidSession, d: false });
          }
          authenticated = true;
          return this.resume(socket, Number(d.seq));
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.RequestGuildMembers:
          if (!authenticated) return socket.close(4003, 'Not authenticated');
          return;
        default:
          return socket.close(4001, 'Unknown opcode');
      }
    });
    socket.on('close', () => {
      if (this.session?.socket === socket) this.session.socket = undefined;
    });
  }

  private identify(socket: WebSocket, intents: number): void {
    const { world } = this.options;
    this.identifies += 1;
    this.session = { id: randomBytes(16).toString('hex'), intents, seq: 0, events: [], socket };
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: { ...userJson(world.bot), verified: true, mfa_enabled: false, flags: 0 as never },
      guilds: [...world.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: this.session.id,
      // Real Discord hands out a different host for resumes; a distinct path proves the client follows it.
      resume_gateway_url: `${this.options.baseUrl()}/resume`,
      shard: [0, 1],
      application: { id: world.applicationId, flags: 0 as never, flags_new: '0' },
    };
    this.dispatch(GatewayDispatchEvents.Ready, ready);
    for (const guild of world.guilds.values()) this.dispatch(GatewayDispatchEvents.GuildCreate, guildCreateJson(world, guild));
  }

  private resume(socket: WebSocket, seq: number): void {
    const session = this.session!;
    this.resumes += 1;
    session.socket = socket;
    for (const event of session.events) if (event.s > seq) socket.send(JSON.stringify(event));
    this.dispatch(GatewayDispatchEvents.Resumed, {});
  }
}
