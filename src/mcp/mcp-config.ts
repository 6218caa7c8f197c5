import { z } from 'zod';
import { readConfigFile, type ConfigFile } from '../channel-config/config-file';
import { ConfigError } from '../errors';

const approval = z.enum(['none', 'requester', 'staff', 'admin']);
const role = z.enum(['guest', 'member', 'staff', 'admin']);
const serverName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,23}$/i, 'server names are letters, digits, _ and - (at most 24)');

const stdioServer = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});
const httpServer = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
});
const serverSchema = z.union([stdioServer.strict(), httpServer.strict()]).and(
  z.object({
    /** Give up connecting after this long at start (the bot starts anyway and keeps trying). */
    connectTimeoutMs: z.number().int().positive().default(5_000),
  }),
);

/** Per tool or glob over namespaced names (`billing__*`): later rules override earlier ones. */
const toolRule = z
  .object({
    match: z.string().min(1),
    role: role.optional(),
    approval: approval.optional(),
    timeoutMs: z.number().int().positive().optional(),
    idempotent: z.boolean().optional(),
    include: z.boolean().optional(),
  })
  .strict();

export const mcpConfigSchema = z
  .object({
    servers: z.record(serverName, z.unknown()).default({}),
    tools: z.array(toolRule).default([]),
    /** Per-channel behaviour, read by src/channel-config (same file). */
    channels: z.unknown().optional(),
  })
  .strict();

export type McpServerConfig = (z.infer<typeof stdioServer> | z.infer<typeof httpServer>) & { connectTimeoutMs: number };
export type McpToolRule = z.infer<typeof toolRule>;
export interface McpConfig {
  servers: Record<string, McpServerConfig>;
  tools: McpToolRule[];
}

/**
 * Read MCP_CONFIG (YAML or JSON): the MCP servers and the policy their tools
 * run under. `${NAME}` references are filled from `env` (see readConfigFile).
 */
export async function loadMcpConfig(file: string, env: Record<string, string | undefined>, variable = 'MCP_CONFIG'): Promise<McpConfig> {
  return parseMcpConfig(await readConfigFile(file, env, variable));
}

/** The MCP part of the configuration file (`servers`, `tools`); throws a ConfigError naming what is wrong. */
export function parseMcpConfig(file: ConfigFile): McpConfig {
  const parsed = mcpConfigSchema.safeParse(file.data ?? {});
  if (!parsed.success) throw new ConfigError(`${file.where}: ${describeIssues(parsed.error)}`, [file.variable]);
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, value] of Object.entries(parsed.data.servers)) {
    const server = serverSchema.safeParse(value);
    if (!server.success) throw new ConfigError(`${file.where}: servers.${name}: ${describeIssues(server.error)} (give either command/args/env or url/headers)`, [file.variable]);
    servers[name] = server.data as McpServerConfig;
  }
  return { servers, tools: parsed.data.tools };
}

/** zod issues as `path: message; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
