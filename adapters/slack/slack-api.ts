import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { AppError, PlatformError, describeError, isRetryableStatus, sharedFetch } from '../../src/index';
import type { Logger } from '../../src/index';
import { boltLogger } from './bolt-logger';

/** Options for {@link SlackApi}. */
export interface SlackApiOptions {
  token: string;
  /** Base URL ending in `/`. */
  apiUrl: string;
  logger: Logger;
  /** Longest Retry-After we are willing to wait for a 429 before giving up. Default 10 s. */
  maxRateLimitWaitMs?: number;
  /** How many 429s in a row one call may wait out. Default 3. */
  maxRateLimitRetries?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Injected so tests can observe waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** A Slack user as far as roles and names are concerned. */
export interface SlackUser {
  id: string;
  team_id?: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  profile?: { display_name?: string; real_name?: string };
  enterprise_user?: { enterprise_id?: string };
}

/** Who the bot is, from `auth.test`. */
export interface SlackIdentity {
  userId: string;
  botId: string | undefined;
  teamId: string;
  enterpriseId: string | undefined;
  url: string | undefined;
}

/** Arguments of a message post or update; blocks are Block Kit JSON. */
export interface SlackMessageArgs {
  channel: string;
  text: string;
  blocks?: readonly object[];
  thread_ts?: string;
}

/** A chunk of a streamed message (`chat.startStream` / `appendStream` / `stopStream`). */
export type StreamChunk =
  | { type: 'markdown_text'; text: string }
  | { type: 'task_update'; id: string; title: string; status: 'pending' | 'in_progress' | 'complete' | 'error' }
  | { type: 'blocks'; blocks: readonly object[] };

/** Arguments of `chat.startStream`; the recipient is required outside DMs. */
export interface StreamStartArgs {
  channel: string;
  thread_ts: string;
  recipient_user_id?: string;
  recipient_team_id?: string;
  task_display_mode?: 'timeline' | 'plan';
  chunks?: readonly StreamChunk[];
}

const userSchema = z
  .object({
    id: z.string(),
    team_id: z.string().optional(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
    is_restricted: z.boolean().optional(),
    is_ultra_restricted: z.boolean().optional(),
    is_stranger: z.boolean().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
    enterprise_user: z.object({ enterprise_id: z.string().optional() }).optional(),
  })
  .loose();

// Slack errors worth another try later; everything else is a bug or a config problem.
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/**
 * The Web API methods the adapter uses, over one WebClient. 429s are waited
 * out when Slack asks for a bounded wait; everything else becomes a
 * `PlatformError` whose code is `slack_<error>`.
 */
export class SlackApi {
  private readonly client: webApi.WebClient;
  private readonly logger: Logger;
  private readonly maxWaitMs: number;
  private readonly maxRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: SlackApiOptions) {
    this.logger = options.logger;
    this.maxWaitMs = options.maxRateLimitWaitMs ?? 10_000;
    this.maxRetries = options.maxRateLimitRetries ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.client = new webApi.WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      logger: boltLogger(options.logger),
      // We wait out 429s ourselves, within a bound; the WebClient would pause its whole queue.
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000, randomize: true },
      timeout: options.timeoutMs ?? 10_000,
      fetch: sharedFetch(),
    });
  }

  /** Call any Web API method with the bounded 429 policy and error mapping. */
  async call(method: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.client.apiCall(method, args)) as unknown as Record<string, unknown>;
      } catch (error) {
        if (error instanceof webApi.WebAPIRateLimitedError) {
          const waitMs = error.retryAfter * 1000;
          if (waitMs <= this.maxWaitMs && attempt < this.maxRetries) {
            this.logger.warn({ method, retryAfterMs: waitMs, attempt }, 'slack rate limited; waiting');
            await this.sleep(waitMs);
            continue;
          }
          throw new PlatformError('slack_rate_limited', `Slack rate-limited ${method} (retry after ${error.retryAfter}s)`, {
            cause: error,
            retryable: true,
            retryAfterMs: waitMs,
          });
        }
        throw toPlatformError(method, error);
      }
    }
  }

  /** `auth.test`: who the bot is. */
  async authTest(): Promise<SlackIdentity> {
    const r = await this.call('auth.test');
    return {
      userId: String(r.user_id),
      botId: typeof r.bot_id === 'string' ? r.bot_id : undefined,
      teamId: String(r.team_id),
      enterpriseId: typeof r.enterprise_id === 'string' && r.enterprise_id !== '' ? r.enterprise_id : undefined,
      url: typeof r.url === 'string' ? r.url : undefined,
    };
  }

  /** `chat.postMessage`; returns the new message's ts. */
  async postMessage(args: SlackMessageArgs): Promise<string> {
    const r = await this.call('chat.postMessage', { ...args, unfurl_links: false, unfurl_media: false });
    return String(r.ts);
  }

  /** `chat.update` of a message the bot posted. */
  async update(args: SlackMessageArgs & { ts: string }): Promise<void> {
    const { thread_ts: _ignored, ...rest } = args;
    await this.call('chat.update', rest);
  }

  /** `chat.delete` of a message the bot posted. */
  async delete(channel: string, ts: string): Promise<void> {
    await this.call('chat.delete', { channel, ts });
  }

  /** `chat.postEphemeral`: only `user` sees it. */
  async postEphemeral(args: SlackMessageArgs & { user: string }): Promise<void> {
    await this.call('chat.postEphemeral', { ...args });
  }

  /** `chat.getPermalink` of a message. */
  async getPermalink(channel: string, ts: string): Promise<string> {
    const r = await this.call('chat.getPermalink', { channel, message_ts: ts });
    return String(r.permalink);
  }

  /** `chat.startStream`: a new streamed message in a thread; returns its ts. */
  async startStream(args: StreamStartArgs): Promise<string> {
    const r = await this.call('chat.startStream', { ...args });
    return String(r.ts);
  }

  /** `chat.appendStream`: more text or task updates for a streamed message. */
  async appendStream(args: { channel: string; ts: string; chunks: readonly StreamChunk[] }): Promise<void> {
    await this.call('chat.appendStream', { ...args });
  }

  /**
   * `chat.stopStream`: finish a streamed message, with optional last chunks and trailing blocks.
   * Returns the finished message's blocks when Slack sends them back.
   */
  async stopStream(args: { channel: string; ts: string; chunks?: readonly StreamChunk[]; blocks?: readonly object[] }): Promise<{ blocks?: object[] }> {
    const r = await this.call('chat.stopStream', { ...args });
    const message = r.message as { blocks?: unknown } | undefined;
    return Array.isArray(message?.blocks) ? { blocks: message.blocks.filter(isObject) } : {};
  }

  /** `assistant.threads.setStatus`; an empty status clears it. */
  async setAssistantStatus(args: { channel_id: string; thread_ts: string; status: string; loading_messages?: readonly string[] }): Promise<void> {
    await this.call('assistant.threads.setStatus', { ...args });
  }

  /** `assistant.threads.setSuggestedPrompts` (at most 4). */
  async setSuggestedPrompts(args: { channel_id: string; thread_ts: string; prompts: ReadonlyArray<{ title: string; message: string }>; title?: string }): Promise<void> {
    await this.call('assistant.threads.setSuggestedPrompts', { ...args });
  }

  /** `assistant.threads.setTitle`. */
  async setAssistantTitle(args: { channel_id: string; thread_ts: string; title: string }): Promise<void> {
    await this.call('assistant.threads.setTitle', { ...args });
  }

  /** `reactions.add` / `reactions.remove` on a message. */
  async reaction(action: 'add' | 'remove', args: { channel: string; timestamp: string; name: string }): Promise<void> {
    await this.call(`reactions.${action}`, { ...args });
  }

  /** `views.open`: a modal, answering a click's `trigger_id` (valid 3 s). */
  async openView(triggerId: string, view: object): Promise<void> {
    await this.call('views.open', { trigger_id: triggerId, view });
  }

  /** `users.info`. */
  async userInfo(user: string): Promise<SlackUser> {
    const r = await this.call('users.info', { user });
    return userSchema.parse(r.user);
  }

  /** `usergroups.users.list`: member ids of a user group. */
  async usergroupMembers(usergroup: string): Promise<string[]> {
    const r = await this.call('usergroups.users.list', { usergroup });
    return z.array(z.string()).parse(r.users ?? []);
  }

  /** `usergroups.list`: ids and handles of the workspace's user groups. */
  async usergroups(): Promise<Array<{ id: string; handle: string }>> {
    const r = await this.call('usergroups.list', { include_disabled: false });
    return z.array(z.object({ id: z.string(), handle: z.string() }).loose()).parse(r.usergroups ?? []);
  }
}

/** Map a WebClient failure to a PlatformError with a stable `slack_*` code. */
export function toPlatformError(method: string, error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    return new PlatformError(`slack_${code}`, `Slack ${method} failed: ${code}`, { cause: error, retryable: TRANSIENT_ERRORS.has(code) });
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return new PlatformError(`slack_http_${error.statusCode}`, `Slack ${method} failed: HTTP ${error.statusCode}`, {
      cause: error,
      retryable: isRetryableStatus(error.statusCode),
    });
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new PlatformError('slack_network', `Slack ${method} failed: ${error.original.message}`, { cause: error, retryable: true });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformError('slack_unexpected', `Slack ${method} failed: ${message}`, { cause: error });
}

/** The Slack error name inside a `slack_*` PlatformError code (e.g. `channel_not_found`). */
export function slackErrorName(error: unknown): string | undefined {
  return error instanceof PlatformError && error.code.startsWith('slack_') ? error.code.slice('slack_'.length) : undefined;
}

/** Log fields for an error: a safe description plus its stable code when it has one. */
export function errorFields(error: unknown): { error: string; code?: string } {
  return error instanceof AppError ? { error: describeError(error), code: error.code } : { error: describeError(error) };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
