/**
 * The workspace a Slack simulator pretends to be: users, user groups,
 * channels and the messages in them, plus what only one user saw (ephemerals).
 */

/** A user as `users.info` returns it. */
export interface SimUser {
  id: string;
  team_id: string;
  name: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  profile: { display_name: string; real_name: string };
}

export interface SimUsergroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

export interface SimChannel {
  id: string;
  name: string;
  type: 'channel' | 'group' | 'im';
  /** Whether the bot may post (member of the channel). */
  botMember: boolean;
  /** The other party of a DM. */
  user?: string;
}

export interface SimMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  user?: string;
  bot_id?: string;
  /** How many times chat.update changed it. */
  updates: number;
  deleted?: boolean;
}

export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  via: 'chat.postEphemeral' | 'response_url';
}

/** One Web API request as the simulator saw it. */
export interface SimCall {
  method: string;
  args: Record<string, unknown>;
  /** Form or JSON, as the client sent it. */
  contentType: string;
  /** HTTP status answered (200 or 429). */
  status: number;
  ok: boolean;
  error?: string;
}

/** A POST to a hosted response_url. */
export interface SimResponse {
  id: string;
  body: Record<string, unknown>;
}

/** Mutable workspace state, inspected directly by tests. */
export class SimWorkspace {
  readonly users = new Map<string, SimUser>();
  readonly usergroups = new Map<string, SimUsergroup>();
  readonly channels = new Map<string, SimChannel>();
  readonly messages: SimMessage[] = [];
  private readonly byKey = new Map<string, SimMessage>();
  readonly ephemerals: SimEphemeral[] = [];
  private clock = 1_700_000_000;
  private seq = 0;

  constructor(readonly teamId: string) {}

  /** Add or replace a user; omitted fields default to a plain full member. */
  addUser(user: Partial<SimUser> & { id: string }): SimUser {
    const name = user.name ?? user.id.toLowerCase();
    const full: SimUser = {
      team_id: this.teamId,
      real_name: name,
      deleted: false,
      is_bot: false,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      ...user,
      name,
      profile: user.profile ?? { display_name: name, real_name: name },
    };
    this.users.set(full.id, full);
    return full;
  }

  addUsergroup(group: SimUsergroup): void {
    this.usergroups.set(group.id, group);
  }

  addChannel(channel: Partial<SimChannel> & { id: string }): SimChannel {
    const full: SimChannel = { name: channel.id.toLowerCase(), type: 'channel', botMember: true, ...channel };
    this.channels.set(full.id, full);
    return full;
  }

  /** A fresh, strictly increasing message ts like Slack's (`seconds.micro`). */
  nextTs(): string {
    this.seq += 1;
    return `${this.clock + Math.floor(this.seq / 1000)}.${String(this.seq % 1_000_000).padStart(6, '0')}`;
  }

  /** A user writes in Slack; returns the message (its ts is what events carry). */
  userPost(channel: string, user: string, text: string, threadTs?: string): SimMessage {
    const message: SimMessage = { channel, ts: this.nextTs(), text, user, updates: 0, ...(threadTs ? { thread_ts: threadTs } : {}) };
    this.addMessage(message);
    return message;
  }

  /** Store a message (user or bot) so it can be found by channel and ts. */
  addMessage(message: SimMessage): void {
    this.messages.push(message);
    this.byKey.set(`${message.channel}:${message.ts}`, message);
  }

  findMessage(channel: string, ts: string): SimMessage | undefined {
    const message = this.byKey.get(`${channel}:${ts}`);
    return message && !message.deleted ? message : undefined;
  }

  /** Live messages in a channel, optionally only one thread (root included). */
  messagesIn(channel: string, threadTs?: string): SimMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && !m.deleted && (threadTs === undefined || m.ts === threadTs || m.thread_ts === threadTs),
    );
  }

  /** Live messages posted by the bot in a channel/thread. */
  botMessagesIn(channel: string, threadTs?: string): SimMessage[] {
    return this.messagesIn(channel, threadTs).filter((m) => m.bot_id !== undefined);
  }
}
