import { parseMcpConfig, type McpConfig } from '../mcp/mcp-config';
import { parseChannelConfig } from './channel-config';
import type { ChannelSettings } from './channel-settings';
import { readConfigFile } from './config-file';

/** Everything the agent configuration file holds. */
export interface AgentConfig {
  /** MCP servers and the policy their tools run under (no servers: nothing to connect). */
  mcp: McpConfig;
  /** Per-channel tool sources, answering mode and on-call channel. */
  channels: ChannelSettings;
}

/**
 * Read the agent configuration file (AGENT_CONFIG, or MCP_CONFIG as before):
 * `servers` and `tools` for MCP, `channels` for per-channel behaviour.
 * Throws a ConfigError that names the variable, the file and every problem.
 */
export async function loadAgentConfig(file: string, env: Record<string, string | undefined>, variable: string): Promise<AgentConfig> {
  const read = await readConfigFile(file, env, variable);
  const mcp = parseMcpConfig(read);
  return { mcp, channels: parseChannelConfig(read, Object.keys(mcp.servers)) };
}
