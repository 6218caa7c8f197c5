/** Port: injected logging, so tests capture it. */

/** The subset of pino's logger the engine uses. */
export interface Logger {
  /** Detail for debugging; off in production. */
  debug(obj: object, msg?: string): void;
  /** Normal operation worth recording. */
  info(obj: object, msg?: string): void;
  /** Something degraded but handled. */
  warn(obj: object, msg?: string): void;
  /** Something failed and needs attention. */
  error(obj: object, msg?: string): void;
  /** A logger adding `bindings` to every line (e.g. the turn id). */
  child(bindings: Record<string, unknown>): Logger;
}
