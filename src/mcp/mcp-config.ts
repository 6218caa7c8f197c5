import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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
    servers: z.record(serverName, z.unknown()),
    tools: z.array(toolRule).default([]),
  })
  .strict();

export type McpServerConfig = (z.infer<typeof stdioServer> | z.infer<typeof httpServer>) & { connectTimeoutMs: number };
export type McpToolRule = z.infer<typeof toolRule>;
export interface McpConfig {
  servers: Record<string, McpServerConfig>;
  tools: McpToolRule[];
}

/**
 * Read MCP_CONFIG (YAML or JSON). `${NAME}` anywhere in a string is replaced
 * by that environment variable, so secrets stay out of the file; a missing
 * one stops the start naming it (never its value).
 */
export async function loadMcpConfig(file: string, env: Record<string, string | undefined>): Promise<McpConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`MCP_CONFIG: cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, ['MCP_CONFIG']);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(`MCP_CONFIG: ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, ['MCP_CONFIG']);
  }
  const missing = new Set<string>();
  const resolved = interpolate(raw, env, missing);
  if (missing.size > 0) {
    throw new ConfigError(`MCP_CONFIG: ${file} refers to unset environment variable(s) ${[...missing].join(', ')}`, ['MCP_CONFIG', ...missing]);
  }
  const parsed = mcpConfigSchema.safeParse(resolved);
  if (!parsed.success) throw new ConfigError(`MCP_CONFIG: ${file}: ${describe(parsed.error)}`, ['MCP_CONFIG']);
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, value] of Object.entries(parsed.data.servers)) {
    const server = serverSchema.safeParse(value);
    if (!server.success) throw new ConfigError(`MCP_CONFIG: ${file}: servers.${name}: ${describe(server.error)} (give either command/args/env or url/headers)`, ['MCP_CONFIG']);
    servers[name] = server.data as McpServerConfig;
  }
  return { servers, tools: parsed.data.tools };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function interpolate(value: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/gi, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') missing.add(name);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, missing));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, missing)]));
  return value;
}
