import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** What the app sent back for one envelope. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/**
 * Slack's Socket Mode side: the WebSocket `apps.connections.open` points to.
 * Greets with `hello`, pushes envelopes (`events_api`, `interactive`,
 * `slash_commands`) and collects the app's acks by `envelope_id`.
 */
export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly waiting = new Map<string, (ack: SocketAck) => void>();
  private readonly tickets = new Set<string>();

  /** A one-time connection URL, as `apps.connections.open` returns it. */
  issueUrl(port: number): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0SUPPORT`;
  }

  /** Upgrade requests for `/link/` with a valid ticket; anything else is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => {
        const ack = JSON.parse(String(data)) as SocketAck;
        this.waiting.get(ack.envelope_id)?.(ack);
        this.waiting.delete(ack.envelope_id);
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'sim', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0SUPPORT' } }));
    });
  }

  /** Open connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Push one envelope to the (first) connected app and wait for its ack. */
  send(type: 'events_api' | 'interactive' | 'slash_commands', payload: object, options: { retryAttempt?: number; timeoutMs?: number } = {}): Promise<SocketAck> {
    const ws = [...this.sockets][0];
    if (!ws) return Promise.reject(new Error('no Socket Mode connection'));
    const envelopeId = randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${type} within ${options.timeoutMs ?? 3_000} ms`)), options.timeoutMs ?? 3_000);
      this.waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      ws.send(JSON.stringify(envelope));
    });
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }
}
