import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** What each registered tool does; shared by every session's server instance. */
export interface TestTool {
  name: string;
  description: string;
  input: Record<string, z.ZodType>;
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
  run: (args: Record<string, unknown>) => string;
}

/**
 * A real Streamable HTTP MCP server built with the SDK, for tests: one
 * McpServer per session, the same tools in each, tools can be added later
 * (clients get tools/list_changed), and it can be stopped and started again
 * on the same port to play an outage.
 */
export class HttpMcpServer {
  readonly calls: Array<{ tool: string; args: Record<string, unknown> }> = [];
  readonly authHeaders: string[] = [];
  private readonly tools: TestTool[] = [];
  private readonly sessions = new Map<string, { server: McpServer; transport: StreamableHTTPServerTransport }>();
  private http: Server | undefined;
  port = 0;

  constructor(tools: TestTool[]) {
    this.tools.push(...tools);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  async start(port = this.port): Promise<this> {
    this.http = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.http!.listen(port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  /** An outage: every connection dropped, nothing listening. */
  async stop(): Promise<void> {
    for (const { transport } of this.sessions.values()) await transport.close().catch(() => undefined);
    this.sessions.clear();
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http = undefined;
  }

  /** Add a tool while clients are connected; they are told the list changed. */
  addTool(tool: TestTool): void {
    this.tools.push(tool);
    for (const { server } of this.sessions.values()) this.register(server, tool);
  }

  private register(server: McpServer, tool: TestTool): void {
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.input, annotations: tool.annotations }, async (args: Record<string, unknown>) => {
      this.calls.push({ tool: tool.name, args });
      return { content: [{ type: 'text' as const, text: tool.run(args) }] };
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.authHeaders.push(String(req.headers.authorization ?? ''));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    const sessionId = req.headers['mcp-session-id'];
    let session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (!session && req.method === 'POST' && isInitializeRequest(body)) {
      const server = new McpServer({ name: 'billing-test', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
      for (const tool of this.tools) this.register(server, tool);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void this.sessions.set(id, { server, transport }),
      });
      await server.connect(transport);
      session = { server, transport };
    }
    if (!session) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'No session' }, id: null }));
      return;
    }
    await session.transport.handleRequest(req, res, body);
  }
}
