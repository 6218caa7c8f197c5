import type { ModelUsage } from './ports';

/**
 * One error base; subclasses say who is at fault. Retry policies decide on
 * `retryable`/`code`, never on message text.
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** Transient: worth retrying with backoff. */
  retryable?: boolean;
  /** Server-requested wait before retrying (Retry-After). */
  retryAfterMs?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The user sent something we cannot handle (empty, too long). Shown to the user as-is. */
export class UserInputError extends AppError {}

/** Invalid or missing configuration; names the variables at fault. */
export class ConfigError extends AppError {
  readonly variables: string[];
  constructor(message: string, variables: string[], options: AppErrorOptions = {}) {
    super('config_invalid', message, options);
    this.variables = variables;
  }
}

/**
 * The model server failed. `status` is the HTTP status when there was one.
 * Retryable: network errors, 408, 409, 429 and 5xx; never other 4xx.
 */
export class ModelError extends AppError {
  readonly status: number | undefined;
  /** Tokens the server reported (and bills) for this failed attempt, e.g. a completion that failed validation. */
  readonly usage: ModelUsage | undefined;
  constructor(message: string, options: AppErrorOptions & { status?: number; code?: string; usage?: ModelUsage } = {}) {
    const status = options.status;
    super(options.code ?? (status === undefined ? 'model_network' : `model_http_${status}`), message, {
      ...options,
      retryable: options.retryable ?? isRetryableStatus(status),
    });
    this.status = status;
    this.usage = options.usage;
  }
}

/** A tool failed while executing. Retryable when the tool says so (or for transient HTTP statuses). */
export class ToolError extends AppError {}

/** A platform API (Slack, Discord) failed. */
export class PlatformError extends AppError {}

/** A budget would be exceeded; nothing was spent. */
export class BudgetExceededError extends AppError {
  readonly scope: 'request' | 'user_daily' | 'monthly';
  constructor(scope: 'request' | 'user_daily' | 'monthly', message: string) {
    super('budget_exceeded', message);
    this.scope = scope;
  }
}

/** A call ran past its time limit. Retryable: the next attempt may be faster. */
export class TimeoutError extends AppError {
  constructor(what: string, ms: number) {
    super('timeout', `${what} timed out after ${ms} ms`, { retryable: true });
  }
}

/** Network errors, 408, 409, 429 and 5xx are transient; other 4xx are not. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Whether an error is worth retrying. Unknown errors (bugs) are not. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError && error.retryable;
}

/** A short, safe description of any thrown value (no stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
