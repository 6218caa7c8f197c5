import pino from 'pino';
import type { AuditEvent, AuditSink } from '../ports';
import { scrubDeep } from './redact';

export interface AuditLogOptions {
  /** File the JSON lines are appended to (directories are created). */
  path: string;
  now: () => number;
}

/**
 * The append-only audit trail: one JSON line per event through pino, every
 * string scrubbed of secrets and personal data before it is written.
 */
export function createAuditLog(options: AuditLogOptions): AuditSink & { close(): Promise<void> } {
  // minLength 1: writes still go out at once, but flush() now waits for them (with 0 it returns immediately).
  const destination = pino.destination({ dest: options.path, sync: false, mkdir: true, minLength: 1 });
  // The file opens asynchronously; a flush before that would silently write nothing.
  const ready = new Promise<void>((resolve, reject) => {
    destination.once('ready', () => resolve());
    destination.once('error', reject);
  });
  ready.catch(() => undefined);
  const logger = pino(
    {
      base: null,
      // A constant first field instead of pino's numeric level (an empty level object would yield `{,`).
      formatters: { level: () => ({ log: 'audit' }) },
      timestamp: () => `,"timestamp":"${new Date(options.now()).toISOString()}"`,
    },
    destination,
  );
  const flush = async (): Promise<void> => {
    await ready;
    await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
  };
  return {
    write(event: AuditEvent): void {
      logger.info(scrubDeep(event) as Record<string, unknown>);
    },
    flush,
    async close(): Promise<void> {
      await flush().catch(() => undefined);
      destination.end();
    },
  };
}
