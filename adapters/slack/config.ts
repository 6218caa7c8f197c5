import { z } from 'zod';
import { ConfigError } from '../../src/index';

/** Environment as a plain record, so tests pass their own. */
export type SlackEnv = Record<string, string | undefined>;

/** Everything the Slack adapter reads from the environment, parsed. */
export interface SlackConfig {
  /** Bot token (`xoxb-…`). Never logged. */
  botToken: string;
  /** Signing secret for HTTP requests; undefined only in Socket Mode. Never logged. */
  signingSecret: string | undefined;
  /** App-level token (`xapp-…`); when set, the adapter runs in Socket Mode. Never logged. */
  appToken: string | undefined;
  /** Web API base URL ending in `/` (simulators, GovSlack). */
  apiUrl: string;
  /** Channel id for escalations and alerts. Required: without it a customer told "a human is coming" would wait for nobody. */
  oncallChannel: string;
  /** Staff user group: an id (`S…`) or a handle (without `@`). */
  staffUsergroup: { id: string } | { handle: string } | undefined;
  /** HTTP port (events in HTTP mode, `/health` in both modes). 0 picks a free port. */
  port: number;
  mode: 'http' | 'socket';
  /** Offered when an assistant thread opens (at most 4). */
  suggestedPrompts: SuggestedPrompt[];
}

/** A suggested prompt of the assistant surface: a button title and the message it sends. */
export interface SuggestedPrompt {
  title: string;
  message: string;
}

/** Prompts for the demo helpdesk, used when SLACK_SUGGESTED_PROMPTS is not set. */
export const DEFAULT_SUGGESTED_PROMPTS: readonly SuggestedPrompt[] = [
  { title: 'Charged twice?', message: 'Why was I charged twice?' },
  { title: 'Track an order', message: 'Where is my order ORD-1001?' },
  { title: "Can't sign in", message: "I can't access my account" },
  { title: 'App keeps crashing', message: 'My application keeps crashing' },
];

const promptsSchema = z
  .array(z.union([z.string().min(1).max(300), z.object({ title: z.string().min(1).max(75), message: z.string().min(1).max(300) })]))
  .min(1)
  .max(4);

const DEFAULT_API_URL = 'https://slack.com/api/';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const schema = z
  .object({
    SLACK_BOT_TOKEN: z.preprocess(
      blankToUndefined,
      z.string({ error: 'is required' }).startsWith('xoxb-', { error: 'must be a bot token (xoxb-…)' }),
    ),
    SLACK_SIGNING_SECRET: optional(z.string()),
    SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', { error: 'must be an app-level token (xapp-…)' })),
    SLACK_API_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    SLACK_ONCALL_CHANNEL: z.preprocess(
      blankToUndefined,
      z
        .string({ error: 'is required: the channel id (C…) where escalations and budget alerts are posted' })
        .regex(/^[CGD][A-Z0-9]{2,}$/, { error: 'must be a channel id such as C0123ABCD, not a channel name' }),
    ),
    SLACK_STAFF_USERGROUP: optional(
      z.string().regex(/^@?[a-zA-Z0-9._-]+$/, { error: 'must be a user group id (S…) or handle' }),
    ),
    // A JSON array of up to 4 prompts: strings, or {"title", "message"} objects.
    SLACK_SUGGESTED_PROMPTS: optional(
      z.string().transform((text, ctx) => {
        try {
          const parsed = promptsSchema.safeParse(JSON.parse(text));
          if (parsed.success) return parsed.data.map((p) => (typeof p === 'string' ? { title: p.slice(0, 75), message: p } : p));
        } catch {
          // reported below
        }
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of 1 to 4 prompts (strings or {"title","message"})' });
        return z.NEVER;
      }),
    ),
    PORT: z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'must be a number' })
        .int({ error: 'must be a whole number' })
        .min(0, { error: 'must be between 0 and 65535' })
        .max(65535, { error: 'must be between 0 and 65535' })
        .default(3000),
    ),
  })
  .superRefine((env, ctx) => {
    // Socket Mode needs no signing secret: requests come over the authenticated socket.
    if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)' });
    }
  });

/** Every variable the Slack adapter reads (typo warnings compare against it). */
export const SLACK_ENV_NAMES: readonly string[] = Object.keys(schema.shape);

/** True when the environment asks for the Slack adapter at all. */
export function slackEnabled(env: SlackEnv): boolean {
  return (env.SLACK_BOT_TOKEN ?? '').trim() !== '';
}

/** Parse the Slack variables; throws a ConfigError naming every bad variable (never its value). */
export function slackConfigFromEnv(env: SlackEnv): SlackConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const variables = parsed.error.issues.map((issue) => String(issue.path[0] ?? '?'));
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`);
    throw new ConfigError(`Invalid Slack configuration: ${problems.join('; ')}`, [...new Set(variables)]);
  }
  const e = parsed.data;
  const group = e.SLACK_STAFF_USERGROUP?.replace(/^@/, '');
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: withTrailingSlash(e.SLACK_API_URL ?? DEFAULT_API_URL),
    oncallChannel: e.SLACK_ONCALL_CHANNEL,
    staffUsergroup: group === undefined ? undefined : /^S[A-Z0-9]{2,}$/.test(group) ? { id: group } : { handle: group },
    port: e.PORT,
    mode: e.SLACK_APP_TOKEN === undefined ? 'http' : 'socket',
    suggestedPrompts: e.SLACK_SUGGESTED_PROMPTS ?? [...DEFAULT_SUGGESTED_PROMPTS],
  };
}

// WebClient joins base URL and method name by plain concatenation.
function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
