import { z } from 'zod';
import { ConfigError } from '../../src/index';

/** Environment as a plain record, so tests pass their own. */
export type DiscordEnv = Record<string, string | undefined>;

/** Everything the Discord adapter needs, parsed from the environment. */
export interface DiscordConfig {
  /** Bot token. Never log it. */
  token: string;
  /** Application id, when set; checked against the one Discord reports at login. */
  applicationId: string | undefined;
  /** Channels where a mention opens a support thread. */
  supportChannelIds: ReadonlySet<string>;
  /**
   * Where escalations and budget alerts go. Required to serve (without it a customer told "a human is
   * coming" would wait for nobody); undefined only when parsed for command registration.
   */
  oncallChannelId: string | undefined;
  /** Roles whose members count as staff. */
  staffRoleIds: ReadonlySet<string>;
  /** Guilds whose membership decides the role of someone writing in DMs (default: the support channels' guilds). */
  guildIds: readonly string[];
  /** REST base URL override, e.g. `http://127.0.0.1:PORT/api` (simulators). */
  apiUrl: string | undefined;
  /** Gateway URL override, e.g. `ws://127.0.0.1:PORT` (simulators); normally Discord's `GET /gateway/bot` decides. */
  gatewayUrl: string | undefined;
}

// Discord ids are 64-bit snowflakes written in decimal (17-20 digits today).
const SNOWFLAKE = /^\d{15,21}$/;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const snowflake = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v),
  z.string().regex(SNOWFLAKE, { error: 'must be a Discord id (a snowflake of digits)' }),
);

const snowflakeList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const ids = (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = ids.filter((id) => !SNOWFLAKE.test(id));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated Discord ids; not ids: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return [...new Set(ids)];
    }),
);

const url = (protocols: string[]) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .refine((v) => {
        if (v === undefined) return true;
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
      // discord.js appends `/v10/...` and `?v=10...` itself; a trailing slash would double up.
      .transform((v) => v?.replace(/\/+$/, '')),
  );

const envSchema = z.object({
  // The value is never echoed back in errors: only its absence is reported.
  DISCORD_BOT_TOKEN: z.preprocess(blankToUndefined, z.string({ error: 'is required' })),
  DISCORD_APPLICATION_ID: z.preprocess(blankToUndefined, snowflake.optional()),
  DISCORD_SUPPORT_CHANNELS: snowflakeList,
  DISCORD_ONCALL_CHANNEL: z.preprocess(blankToUndefined, snowflake.optional()),
  DISCORD_STAFF_ROLES: snowflakeList,
  DISCORD_GUILD_ID: snowflakeList,
  DISCORD_API_URL: url(['http:', 'https:']),
  DISCORD_GATEWAY_URL: url(['ws:', 'wss:']),
});

/** Every variable the Discord adapter reads (typo warnings compare against it). */
export const DISCORD_ENV_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** True when the environment asks for the Discord adapter (a bot token is set). */
export function isDiscordConfigured(env: DiscordEnv): boolean {
  return (env.DISCORD_BOT_TOKEN ?? '').trim() !== '';
}

/** Parse the Discord variables; throws a `ConfigError` naming every bad variable (never their values). */
export function discordConfigFromEnv(env: DiscordEnv, options: { requireOncall?: boolean } = {}): DiscordConfig {
  const schema =
    options.requireOncall === false
      ? envSchema
      : envSchema.superRefine((e, ctx) => {
          if (e.DISCORD_ONCALL_CHANNEL === undefined && (env.DISCORD_ONCALL_CHANNEL ?? '').trim() === '') {
            ctx.addIssue({ code: 'custom', path: ['DISCORD_ONCALL_CHANNEL'], message: 'is required: the channel id where escalations and budget alerts are posted' });
          }
        });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '?')))];
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`);
    throw new ConfigError(`Invalid Discord configuration: ${problems.join('; ')}`, variables);
  }
  const e = parsed.data;
  return {
    token: e.DISCORD_BOT_TOKEN.trim(),
    applicationId: e.DISCORD_APPLICATION_ID,
    supportChannelIds: new Set(e.DISCORD_SUPPORT_CHANNELS),
    oncallChannelId: e.DISCORD_ONCALL_CHANNEL,
    staffRoleIds: new Set(e.DISCORD_STAFF_ROLES),
    guildIds: e.DISCORD_GUILD_ID,
    apiUrl: e.DISCORD_API_URL,
    gatewayUrl: e.DISCORD_GATEWAY_URL,
  };
}
