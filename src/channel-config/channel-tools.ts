import { ConfigError } from '../errors';
import type { ConversationRef, ToolSpec } from '../ports';
import { ToolRegistry } from '../tools/registry';
import type { ChannelSettings, ResolvedChannel } from './channel-settings';

/** Tools the engine itself adds (a way to a human, to a colleague): offered in every channel. */
export const ENGINE_TOOL_GROUP = 'engine';
/** The help-center search, whichever source provides it (the demo's or KB_DIR's, same name): `knowledge` switches it. */
export const KNOWLEDGE_TOOL_NAME = 'search_knowledge_base';
/** Group of the KB_DIR help-center search. */
export const KNOWLEDGE_TOOL_GROUP = 'knowledge';
/** MCP servers publish their tools as group `mcp:<server>`. */
const MCP_PREFIX = 'mcp:';

/**
 * Which tools a conversation's channel offers, applied to every model call:
 * the model sees only those, and a call to any other tool is refused by the
 * system (ToolRunnerDeps.refuse), whatever the model says. Roles and
 * approvals are checked afterwards as everywhere.
 */
export class ChannelTools {
  /** Restricted registries per source registry (the full one or a specialist's view) and channel. */
  private readonly views = new WeakMap<readonly ToolSpec[], Map<string, ToolRegistry>>();

  constructor(private readonly options: { settings: ChannelSettings; registry: ToolRegistry }) {}

  /**
   * Every tool group and MCP server the settings name must exist. Called at
   * start, after every tool source is registered; throws a ConfigError naming them.
   */
  check(): void {
    const groups = this.options.registry.groupNames();
    const tools = groups.filter((g) => !g.startsWith(MCP_PREFIX) && g !== ENGINE_TOOL_GROUP && g !== KNOWLEDGE_TOOL_GROUP);
    const servers = groups.filter((g) => g.startsWith(MCP_PREFIX)).map((g) => g.slice(MCP_PREFIX.length));
    const unknown = this.options.settings.references().filter((r) => !(r.kind === 'tools' ? tools : servers).includes(r.name));
    if (unknown.length === 0) return;
    const lines = unknown.map((r) => `${r.where}: unknown ${r.kind === 'tools' ? 'tool group' : 'MCP server'} "${r.name}"`);
    const known = `tool groups here: ${tools.join(', ') || 'none'}; MCP servers: ${servers.join(', ') || 'none'}`;
    const { where, variable } = this.options.settings.origin;
    throw new ConfigError(`${where}: ${lines.join('; ')} (${known})`, [variable]);
  }

  /** Whether the conversation's channel offers this tool (an unknown tool is not offered anywhere). */
  allows(conversation: Pick<ConversationRef, 'platform' | 'channelId'>, name: string): boolean {
    return this.allowedIn(this.options.settings.forConversation(conversation), name);
  }

  /** `registry` as the conversation's channel sees it: the same object when the channel offers everything. */
  restrict(conversation: Pick<ConversationRef, 'platform' | 'channelId'>, registry: ToolRegistry): ToolRegistry {
    const channel = this.options.settings.forConversation(conversation);
    if (channel.tools === 'all' && channel.mcp === 'all' && channel.knowledge) return registry;
    const specs = registry.allSpecs();
    let byChannel = this.views.get(specs);
    if (!byChannel) this.views.set(specs, (byChannel = new Map()));
    let view = byChannel.get(channel.key);
    if (!view) {
      view = new ToolRegistry(registry.names().filter((name) => this.allowedIn(channel, name)).map((name) => registry.get(name)!));
      byChannel.set(channel.key, view);
    }
    return view;
  }

  private allowedIn(channel: ResolvedChannel, name: string): boolean {
    // Groups come from the full registry: a specialist's view is a plain subset of it.
    const group = this.options.registry.groupOf(name);
    if (group === undefined) return false;
    if (group === ENGINE_TOOL_GROUP) return true;
    if (name === KNOWLEDGE_TOOL_NAME || group === KNOWLEDGE_TOOL_GROUP) return channel.knowledge;
    if (group.startsWith(MCP_PREFIX)) return channel.mcp === 'all' || channel.mcp.includes(group.slice(MCP_PREFIX.length));
    return channel.tools === 'all' || channel.tools.includes(group);
  }
}
