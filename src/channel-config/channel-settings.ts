import type { ConversationRef } from '../ports';

/** `mentions`: answer only when mentioned (and follow-ups in threads the bot is in); `all`: every question in the channel. */
export type RespondMode = 'mentions' | 'all';

/** One `channels:` entry; fields left out come from `default`. */
export interface ChannelEntry {
  /** Tool groups offered (plugin names such as `helpdesk`, `tools_dir`, `code`); undefined = every group. */
  tools?: readonly string[];
  /** MCP servers whose tools are offered; undefined = every server. */
  mcp?: readonly string[];
  /** Whether the help-center search is offered. */
  knowledge?: boolean;
  respond?: RespondMode;
  /** Where escalations from this channel go, per platform (`slack` → `C0ONCALL`). */
  oncall?: ReadonlyMap<string, string>;
}

/** The behaviour of one channel, `default` filled in. */
export interface ResolvedChannel {
  /** `default`, or the entry's `platform:id`; equal keys behave the same (caches key on it). */
  key: string;
  tools: readonly string[] | 'all';
  mcp: readonly string[] | 'all';
  knowledge: boolean;
  respond: RespondMode;
  /** The on-call channel for this channel's platform; undefined = the platform's own setting (SLACK_ONCALL_CHANNEL, …). */
  oncall: string | undefined;
}

/** What adapters need from the channel settings to decide which messages are questions. */
export interface ChannelBehaviour {
  /** Whether the bot answers every question in this channel, or only mentions. */
  respondMode(platform: string, channelId: string): RespondMode;
  /** Channel ids with their own entry on this platform (Discord serves them like DISCORD_SUPPORT_CHANNELS). */
  channelIds(platform: string): string[];
  /** On-call channels named in the settings for this platform (never answered as support channels). */
  oncallIds(platform: string): string[];
}

/**
 * Per-channel behaviour from the `channels:` section of the agent
 * configuration: which tool sources apply, whether the bot answers every
 * question or only mentions, and where escalations go. Without a section
 * every channel behaves as before (all tools, mentions, the platform's on-call).
 */
export class ChannelSettings implements ChannelBehaviour {
  /** Every tool source, mentions only, the platform's on-call channel. */
  static readonly DEFAULT = new ChannelSettings({ default: {}, channels: new Map() });

  private readonly resolved = new Map<string, ResolvedChannel>();
  private readonly defaults: ChannelEntry;
  private readonly entries: ReadonlyMap<string, ChannelEntry>;

  /** Where the settings were read (`AGENT_CONFIG: /path/agent.yaml`) and the variable naming the file, for errors. */
  readonly origin: { where: string; variable: string };

  constructor(options: { default: ChannelEntry; channels: ReadonlyMap<string, ChannelEntry>; origin?: { where: string; variable: string } }) {
    this.defaults = options.default;
    this.entries = options.channels;
    this.origin = options.origin ?? { where: 'channels', variable: 'AGENT_CONFIG' };
  }

  /** Whether every channel offers every tool source (nothing to filter per turn). */
  get offersEverything(): boolean {
    return [this.defaults, ...this.entries.values()].every((e) => e.tools === undefined && e.mcp === undefined && e.knowledge !== false);
  }

  /** The behaviour of a platform channel (a Slack channel or DM, a Discord channel whose threads are the conversations). */
  of(platform: string, channelId: string): ResolvedChannel {
    const key = `${platform}:${channelId}`;
    let found = this.resolved.get(key);
    if (!found) {
      const entry = this.entries.get(key);
      const pick = <K extends keyof ChannelEntry>(k: K): ChannelEntry[K] => (entry?.[k] !== undefined ? entry[k] : this.defaults[k]);
      found = {
        key: entry ? key : 'default',
        tools: pick('tools') ?? 'all',
        mcp: pick('mcp') ?? 'all',
        knowledge: pick('knowledge') ?? true,
        respond: pick('respond') ?? 'mentions',
        oncall: entry?.oncall?.get(platform) ?? this.defaults.oncall?.get(platform),
      };
      // Lookups for unlisted channels all resolve the same way; bound what is kept for them.
      if (this.resolved.size > 10_000) this.resolved.clear();
      this.resolved.set(key, found);
    }
    return found;
  }

  /** The behaviour of a conversation's channel. */
  forConversation(conversation: Pick<ConversationRef, 'platform' | 'channelId'>): ResolvedChannel {
    return this.of(conversation.platform, conversation.channelId);
  }

  respondMode(platform: string, channelId: string): RespondMode {
    return this.of(platform, channelId).respond;
  }

  /** Where an escalation from this conversation goes; undefined = the platform's own on-call channel. */
  oncallFor(conversation: Pick<ConversationRef, 'platform' | 'channelId'>): string | undefined {
    return this.forConversation(conversation).oncall;
  }

  channelIds(platform: string): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(`${platform}:`)).map((k) => k.slice(platform.length + 1));
  }

  oncallIds(platform: string): string[] {
    const ids = [this.defaults, ...this.entries.values()].flatMap((e) => (e.oncall?.get(platform) !== undefined ? [e.oncall.get(platform)!] : []));
    return [...new Set(ids)];
  }

  /** Every tool group and MCP server an entry names, with where (`channels.default.tools`), for start-up checks. */
  references(): Array<{ where: string; kind: 'tools' | 'mcp'; name: string }> {
    const all: Array<[string, ChannelEntry]> = [['default', this.defaults], ...this.entries];
    return all.flatMap(([key, e]) => [
      ...(e.tools ?? []).map((name) => ({ where: `channels.${key}.tools`, kind: 'tools' as const, name })),
      ...(e.mcp ?? []).map((name) => ({ where: `channels.${key}.mcp`, kind: 'mcp' as const, name })),
    ]);
  }
}
