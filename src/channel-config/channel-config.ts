import { z } from 'zod';
import { ConfigError } from '../errors';
import type { ConfigFile } from './config-file';
import { ChannelSettings, type ChannelEntry } from './channel-settings';

// Slack: C… public channels, G… private ones (older workspaces), D… direct messages.
const SLACK_ID = /^[CGD][A-Z0-9]{2,}$/;
// Discord ids are snowflakes written in decimal (17-20 digits today).
const DISCORD_ID = /^\d{15,21}$/;
const PREFIXED = /^([a-z][a-z0-9_-]*):(.+)$/;

/** A platform channel as written in the file: `C0123`, `123456789012345678`, or `slack:C0123` / `discord:…` / `console:local`. */
export interface ChannelRef {
  platform: string;
  id: string;
}

/** Read a channel id, inferring the platform from its shape when no `platform:` prefix is given. */
export function parseChannelRef(raw: string): ChannelRef | string {
  const text = raw.trim();
  const prefixed = PREFIXED.exec(text);
  if (prefixed) {
    const [, platform, id] = prefixed as unknown as [string, string, string];
    if (platform === 'slack' && !SLACK_ID.test(id)) return `"${text}" is not a Slack channel id (C…, G… or D…)`;
    if (platform === 'discord' && !DISCORD_ID.test(id)) return `"${text}" is not a Discord channel id (a snowflake of digits)`;
    return { platform, id };
  }
  if (SLACK_ID.test(text)) return { platform: 'slack', id: text };
  if (DISCORD_ID.test(text)) return { platform: 'discord', id: text };
  return `"${text}" is not a channel id: use a Slack id (C…, G…, D…), a Discord id (digits), or platform:id`;
}

// YAML integers arrive as bigint (exact digits); JSON numbers have already lost them.
const idValue = z.union([z.string().min(1), z.bigint().transform(String)], { error: 'must be a channel id written as a string ("123456789012345678")' });
const names = z.array(z.string().trim().min(1, 'names must not be empty'));

const entrySchema = z
  .object({
    tools: names.optional(),
    mcp: names.optional(),
    knowledge: z.boolean({ error: 'must be true or false' }).optional(),
    respond: z.enum(['mentions', 'all'], { error: 'must be mentions or all' }).optional(),
    oncall: z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(idValue).optional()),
  })
  .strict();

const channelsSchema = z.record(z.string(), z.preprocess((v) => v ?? {}, entrySchema), { error: 'must be a map of channel ids (and default) to settings' });

/**
 * The `channels:` section: `default` and one entry per platform channel id,
 * each with the tool sources that apply (`tools`: tool groups, `mcp`: servers,
 * `knowledge`), `respond` (`mentions` | `all`) and `oncall`. MCP servers are
 * checked against the file's `servers`; tool groups exist only once the engine
 * has its tools, so the engine checks those (ChannelTools.check).
 */
export function parseChannelConfig(file: ConfigFile, mcpServers: readonly string[]): ChannelSettings {
  if (file.channels === undefined || file.channels === null) return ChannelSettings.DEFAULT;
  const fail = (problems: string[]) => new ConfigError(`${file.where}: ${problems.join('; ')}`, [file.variable]);
  const parsed = channelsSchema.safeParse(file.channels);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((i) => `${['channels', ...i.path].join('.')}: ${i.message}`));
  }
  const problems: string[] = [];
  let defaults: ChannelEntry = {};
  const channels = new Map<string, ChannelEntry>();
  const written = new Map<string, string>();
  for (const [key, raw] of Object.entries(parsed.data)) {
    const where = `channels.${key}`;
    const ref = key === 'default' ? undefined : parseChannelRef(key);
    if (typeof ref === 'string') {
      problems.push(`${where}: ${ref}`);
      continue;
    }
    const unknown = (raw.mcp ?? []).filter((name) => !mcpServers.includes(name));
    if (unknown.length > 0) {
      const known = mcpServers.length > 0 ? `servers here: ${mcpServers.join(', ')}` : 'no servers are configured';
      problems.push(`${where}.mcp: unknown MCP server(s) ${unknown.join(', ')} (${known})`);
    }
    const oncall = new Map<string, string>();
    for (const value of raw.oncall ?? []) {
      const target = parseChannelRef(value);
      if (typeof target === 'string') problems.push(`${where}.oncall: ${target}`);
      else if (ref && target.platform !== ref.platform) problems.push(`${where}.oncall: "${value}" is a ${target.platform} channel, but ${key} is a ${ref.platform} channel`);
      else if (oncall.has(target.platform)) problems.push(`${where}.oncall: two ${target.platform} channels; give one per platform`);
      else oncall.set(target.platform, target.id);
    }
    const entry: ChannelEntry = {
      ...(raw.tools ? { tools: [...new Set(raw.tools)] } : {}),
      ...(raw.mcp ? { mcp: [...new Set(raw.mcp)] } : {}),
      ...(raw.knowledge !== undefined ? { knowledge: raw.knowledge } : {}),
      ...(raw.respond ? { respond: raw.respond } : {}),
      ...(oncall.size > 0 ? { oncall } : {}),
    };
    if (!ref) {
      defaults = entry;
      continue;
    }
    const id = `${ref.platform}:${ref.id}`;
    const earlier = written.get(id);
    if (earlier !== undefined) problems.push(`${where}: the same channel as channels.${earlier}`);
    written.set(id, key);
    channels.set(id, entry);
  }
  if (problems.length > 0) throw fail(problems);
  return new ChannelSettings({ default: defaults, channels, origin: { where: file.where, variable: file.variable } });
}
