import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';

/** Environment as a plain record, so tests pass their own. */
export type Env = Record<string, string | undefined>;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const number = (def: number, opts: { min?: number; int?: boolean } = {}) => {
  let schema = z.coerce.number({ error: 'must be a number' });
  if (opts.int) schema = schema.int({ error: 'must be a whole number' });
  if (opts.min !== undefined) schema = schema.min(opts.min, { error: `must be at least ${opts.min}` });
  return z.preprocess(blankToUndefined, schema.default(def));
};
const boolean = (def: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

const timezone = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Paris'),
);

const priceEntry = z.object({ input: z.number().min(0), output: z.number().min(0) });
const prices = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return {};
      try {
        return z.record(z.string(), priceEntry).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON like {"gpt-4o":{"input":2.5,"output":10}} (USD per 1M tokens)' });
        return z.NEVER;
      }
    }),
);

/** Every engine setting, by environment variable name. Adapters parse their own variables. */
const envSchema = z.object({
  NODE_ENV: optionalString,
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  STORE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || /^(redis|rediss|sqlite):\/\//.test(v), 'must start with redis://, rediss:// or sqlite://'),
  ),
  ENCRYPTION_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || decodeKey(v) !== undefined, 'must be 32 bytes as 64 hex characters or base64'),
  ),
  REQUIRE_ENCRYPTION_KEY: boolean(false),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info')),
  AUDIT_LOG_PATH: optionalString,

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(blankToUndefined, z.url({ error: 'must be a URL' }).optional()),
  OPENAI_MODEL: z.preprocess(blankToUndefined, z.string().default('gpt-4o-mini')),
  ROUTER_MODEL: optionalString,
  MEMORY_RETENTION_DAYS: number(365, { min: 0.001 }),
  MODEL_TIMEOUT_MS: number(30_000, { min: 1, int: true }),
  MODEL_MAX_ATTEMPTS: number(3, { min: 1, int: true }),
  MAX_OUTPUT_TOKENS: number(800, { min: 16, int: true }),
  TOOL_TIMEOUT_MS: number(5_000, { min: 1, int: true }),
  TOOL_MAX_ATTEMPTS: number(2, { min: 1, int: true }),
  BREAKER_FAILURES: number(5, { min: 1, int: true }),
  BREAKER_COOLDOWN_MS: number(30_000, { min: 1, int: true }),
  MAX_STEPS: number(6, { min: 1, int: true }),
  HISTORY_TOKEN_BUDGET: number(3_000, { min: 200, int: true }),
  MAX_MESSAGE_CHARS: number(4_000, { min: 1, int: true }),

  APPROVAL_TTL_MINUTES: number(15, { min: 0.01 }),
  ESCALATION_RENOTIFY_MINUTES: number(15, { min: 0.01 }),
  SWEEP_INTERVAL_MS: number(5_000, { min: 10, int: true }),
  RESOLVED_AFTER_HOURS: number(24, { min: 0.001 }),
  SHUTDOWN_TIMEOUT_MS: number(10_000, { min: 1, int: true }),

  BUDGET_REQUEST_USD: number(0.25, { min: 0 }),
  BUDGET_USER_DAILY_USD: number(2, { min: 0 }),
  BUDGET_MONTHLY_USD: number(200, { min: 0 }),
  BUDGET_TIMEZONE: timezone,
  BUDGET_ALERT_RATIO: number(0.8, { min: 0 }),
  MODEL_PRICES: prices,

  TOOLS_DIR: optionalString,
  BUILTIN_TOOLS: z.preprocess(blankToUndefined, z.enum(['demo', 'none']).default('demo')),
  PLUGINS: optionalString,

  AGENT_CONFIG: optionalString,
  MCP_CONFIG: optionalString,
  KB_DIR: optionalString,
  EMBEDDINGS_MODEL: optionalString,

  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(blankToUndefined, z.url({ error: 'must be a URL' }).optional()),
  OTEL_SERVICE_NAME: z.preprocess(blankToUndefined, z.string().default('support-agent')),
  OTEL_CAPTURE_CONTENT: boolean(false),

  PORT: number(3000, { min: 0, int: true }),
  HTTP_HOST: optionalString,
  METRICS_TOKEN: optionalString,
  LOG_FORMAT: z.preprocess(blankToUndefined, z.enum(['json', 'pretty']).default('json')),
  ALERT_ERROR_RATE: number(0.1, { min: 0 }),
  ALERT_P95_SECONDS: number(30, { min: 0 }),
});

/** Every engine variable name (documentation checks compare it with .env.example). */
export const ENGINE_ENV_NAMES: readonly string[] = Object.keys(envSchema.shape);

export interface EngineConfig {
  dataDir: string;
  /** `sqlite://<file>` (default, under dataDir) or `redis://…`. */
  storeUrl: string;
  /** 32-byte key, or undefined when one should be generated into the data dir. */
  encryptionKey: Buffer | undefined;
  /** Refuse to start without ENCRYPTION_KEY (production, shared stores). */
  encryptionKeyRequired: boolean;
  logLevel: string;
  /** `json` lines (default) or `pretty` for people reading a terminal. */
  logFormat: 'json' | 'pretty';
  auditLogPath: string;
  /** The HTTP server (/health, /metrics, the dashboard): port, and host when set (else chosen by the entry point). */
  http: {
    port: number;
    host: string | undefined;
    /** `METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <token>`. */
    metricsToken: string | undefined;
  };
  /** On-call alert thresholds: failed-turn share and p95 turn latency over 5 minutes. */
  alerts: { errorRate: number; p95Seconds: number };
  openai: { apiKey: string | undefined; baseUrl: string | undefined; model: string };
  /** The cheaper model that routes conversations to specialists when rules do not decide; unset = the main model. */
  routerModel: string | undefined;
  /** How long customer history and solved cases are kept. */
  memoryRetentionMs: number;
  model: { timeoutMs: number; maxAttempts: number; maxOutputTokens: number };
  tools: { timeoutMs: number; maxAttempts: number; dir: string | undefined };
  /**
   * Plugins to load, in order: built-in names (`helpdesk`), paths (relative to the working directory) or
   * package names. PLUGINS unset: the demo `helpdesk` (none with BUILTIN_TOOLS=none); `PLUGINS=none`: none.
   */
  plugins: string[];
  breaker: { failures: number; cooldownMs: number };
  maxSteps: number;
  historyTokenBudget: number;
  maxMessageChars: number;
  approvalTtlMs: number;
  escalationRenotifyMs: number;
  sweepIntervalMs: number;
  /** The team's own help center (Markdown, HTML, text) and an optional embeddings model for semantic search. */
  knowledge: { dir: string | undefined; embeddingsModel: string | undefined; indexFile: string };
  /** Quiet time after an answer without escalation before the conversation counts as resolved. */
  resolvedAfterMs: number;
  /**
   * The agent configuration file (YAML or JSON): MCP servers and their tools' policy, per-channel
   * behaviour. Named by AGENT_CONFIG, or MCP_CONFIG as before; `variable` is the one that named it.
   */
  agentConfig: { file: string; variable: 'AGENT_CONFIG' | 'MCP_CONFIG' } | undefined;
  /** OpenTelemetry traces: exported over OTLP/HTTP only when an endpoint is set. */
  telemetry: { otlpEndpoint: string | undefined; serviceName: string; captureContent: boolean };
  /** On SIGTERM/SIGINT, how long in-flight work may take before the process gives up and exits non-zero. */
  shutdownTimeoutMs: number;
  budget: {
    requestUsd: number;
    userDailyUsd: number;
    monthlyUsd: number;
    timezone: string;
    alertRatio: number;
    prices: Record<string, { input: number; output: number }>;
  };
}

/** Parse the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Env): EngineConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${issue.message}`);
    const variables = parsed.error.issues.map((issue) => String(issue.path[0] ?? '?'));
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`, variables);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const storeUrl = e.STORE_URL ?? `sqlite://${path.join(dataDir, 'store.sqlite')}`;
  const sharedStore = storeUrl.startsWith('redis');
  return {
    dataDir,
    storeUrl,
    encryptionKey: e.ENCRYPTION_KEY === undefined ? undefined : decodeKey(e.ENCRYPTION_KEY),
    encryptionKeyRequired: e.REQUIRE_ENCRYPTION_KEY || e.NODE_ENV === 'production' || sharedStore,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    http: { port: e.PORT, host: e.HTTP_HOST, metricsToken: e.METRICS_TOKEN },
    alerts: { errorRate: e.ALERT_ERROR_RATE, p95Seconds: e.ALERT_P95_SECONDS },
    auditLogPath: path.resolve(e.AUDIT_LOG_PATH ?? path.join(dataDir, 'audit.log')),
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL },
    routerModel: e.ROUTER_MODEL,
    memoryRetentionMs: Math.round(e.MEMORY_RETENTION_DAYS * 86_400_000),
    model: { timeoutMs: e.MODEL_TIMEOUT_MS, maxAttempts: e.MODEL_MAX_ATTEMPTS, maxOutputTokens: e.MAX_OUTPUT_TOKENS },
    tools: {
      timeoutMs: e.TOOL_TIMEOUT_MS,
      maxAttempts: e.TOOL_MAX_ATTEMPTS,
      dir: e.TOOLS_DIR,
    },
    plugins: pluginList(e.PLUGINS, e.BUILTIN_TOOLS),
    breaker: { failures: e.BREAKER_FAILURES, cooldownMs: e.BREAKER_COOLDOWN_MS },
    maxSteps: e.MAX_STEPS,
    historyTokenBudget: e.HISTORY_TOKEN_BUDGET,
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    approvalTtlMs: Math.round(e.APPROVAL_TTL_MINUTES * 60_000),
    escalationRenotifyMs: Math.round(e.ESCALATION_RENOTIFY_MINUTES * 60_000),
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    knowledge: { dir: e.KB_DIR === undefined ? undefined : path.resolve(e.KB_DIR), embeddingsModel: e.EMBEDDINGS_MODEL, indexFile: path.join(dataDir, 'kb-index.json') },
    resolvedAfterMs: Math.round(e.RESOLVED_AFTER_HOURS * 3_600_000),
    agentConfig: agentConfigFile(e.AGENT_CONFIG, e.MCP_CONFIG),
    telemetry: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME, captureContent: e.OTEL_CAPTURE_CONTENT },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    budget: {
      requestUsd: e.BUDGET_REQUEST_USD,
      userDailyUsd: e.BUDGET_USER_DAILY_USD,
      monthlyUsd: e.BUDGET_MONTHLY_USD,
      timezone: e.BUDGET_TIMEZONE,
      alertRatio: e.BUDGET_ALERT_RATIO,
      prices: e.MODEL_PRICES,
    },
  };
}

/** PLUGINS as a list; unset means the demo helpdesk unless BUILTIN_TOOLS=none. */
function pluginList(raw: string | undefined, builtin: 'demo' | 'none'): string[] {
  if (raw === undefined) return builtin === 'demo' ? ['helpdesk'] : [];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length === 1 && names[0] === 'none' ? [] : names;
}

/** AGENT_CONFIG, or MCP_CONFIG (its earlier name); both may name the same file, not two. */
function agentConfigFile(agent: string | undefined, mcp: string | undefined): EngineConfig['agentConfig'] {
  if (agent !== undefined && mcp !== undefined && path.resolve(agent) !== path.resolve(mcp)) {
    throw new ConfigError('AGENT_CONFIG and MCP_CONFIG name different files: put MCP servers and channels in one file and set one of them', ['AGENT_CONFIG', 'MCP_CONFIG']);
  }
  if (agent !== undefined) return { file: path.resolve(agent), variable: 'AGENT_CONFIG' };
  return mcp === undefined ? undefined : { file: path.resolve(mcp), variable: 'MCP_CONFIG' };
}

/** 64 hex characters or base64 of 32 bytes; undefined otherwise. */
export function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b = Buffer.from(trimmed, 'base64');
  return b.length === 32 ? b : undefined;
}

/**
 * Load `.env` from the working directory into `process.env`, if there is one;
 * variables already in the environment win. Shared by `npm start` and
 * `npm run register:discord`, so both read the same settings.
 */
export function loadDotEnv(file = '.env'): void {
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (error) {
    throw new ConfigError(`${file} could not be read (${error instanceof Error ? error.message : String(error)}).`, ['.env']);
  }
}
