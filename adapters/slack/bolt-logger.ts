import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/index';

/**
 * Bolt and the WebClient log through `@slack/logger`'s interface; route them
 * into our logger so one pipeline (with its redaction) sees everything.
 * Level filtering stays with our logger; the stored level only answers Bolt.
 */
export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : safeJson(p))).join(' ');
  return {
    debug: (...parts: unknown[]) => logger.debug({ component: 'bolt' }, line(parts)),
    info: (...parts: unknown[]) => logger.info({ component: 'bolt' }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ component: 'bolt' }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ component: 'bolt' }, line(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
