import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../ports';
import type { McpServerConfig } from './mcp-config';

export interface McpServerConnectionOptions {
  name: string;
  config: McpServerConfig;
  logger: Logger;
  /** Called with the server's tools whenever they change (empty while it is down). */
  onTools: (tools: readonly Tool[], state: 'up' | 'down') => void;
  /** First reconnect delay; doubles (with jitter) up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  version: string;
}

/** Text content of a tool result, plus whether the server flagged it as an error. */
export interface McpCallResult {
  text: string;
  isError: boolean;
}

/**
 * One MCP server: connect (stdio child or Streamable HTTP), list its tools,
 * follow `tools/list_changed`, and reconnect with backoff and jitter when it
 * drops. Its tools are withdrawn while it is down.
 */
export class McpServerConnection {
  private client: Client | undefined;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<boolean> | undefined;

  constructor(private readonly options: McpServerConnectionOptions) {}

  get name(): string {
    return this.options.name;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connect once; false (and a retry scheduled) if the server is not there within its connect timeout. */
  start(): Promise<boolean> {
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<McpCallResult> {
    const client = this.client;
    if (!client) throw new Error(`MCP server ${this.options.name} is not connected`);
    let result;
    try {
      result = await client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: timeoutMs });
    } catch (error) {
      // A JSON-RPC error is the server answering; anything else (refused, reset) means it is gone.
      if (!(error instanceof McpError) && !signal.aborted) this.dropped(client);
      throw error;
    }
    const parts = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: string }>) : [];
    const text = parts.map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type} content omitted]`)).join('\n');
    return { text, isError: result.isError === true };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private transport(): Transport {
    const config = this.options.config;
    if ('command' in config) {
      return new StdioClientTransport({
        command: config.command,
        args: config.args,
        // The server gets what the file gives it, plus PATH to find its runtime; not our whole environment.
        env: { ...(process.env.PATH ? { PATH: process.env.PATH } : {}), ...config.env },
        ...(config.cwd ? { cwd: config.cwd } : {}),
        stderr: 'ignore',
      });
    }
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  }

  private async connect(): Promise<boolean> {
    if (this.stopped) return false;
    const client = new Client(
      { name: 'support-agent', version: this.options.version },
      {
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (error) this.options.logger.warn({ server: this.options.name, err: error.message }, 'MCP tool list refresh failed');
              else if (tools && this.client === client) this.options.onTools(tools, 'up');
            },
          },
        },
      },
    );
    const transport = this.transport();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.options.config.connectTimeoutMs} ms`)), this.options.config.connectTimeoutMs);
      });
      await Promise.race([client.connect(transport), timeout]);
      const { tools } = await Promise.race([client.listTools(), timeout]);
      if (this.stopped) {
        await client.close().catch(() => undefined);
        return false;
      }
      this.client = client;
      this.attempt = 0;
      client.onclose = () => this.dropped(client);
      this.options.logger.info({ server: this.options.name, tools: tools.length }, 'MCP server connected');
      this.options.onTools(tools, 'up');
      return true;
    } catch (error) {
      await client.close().catch(() => undefined);
      // The URL and command are configuration, safe to log; headers and env (secrets) never are.
      this.options.logger.warn({ server: this.options.name, err: error instanceof Error ? error.message : String(error) }, 'MCP server unavailable; will retry');
      this.scheduleRetry();
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private dropped(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.close().catch(() => undefined);
    if (this.stopped) return;
    this.options.logger.warn({ server: this.options.name }, 'MCP server disconnected; its tools are withdrawn until it is back');
    this.options.onTools([], 'down');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = Math.min((this.options.initialBackoffMs ?? 1_000) * 2 ** this.attempt, this.options.maxBackoffMs ?? 30_000);
    this.attempt += 1;
    // Full jitter, so replicas do not reconnect in lockstep.
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.retryTimer = setTimeout(() => void this.start(), delay);
    this.retryTimer.unref();
  }
}
