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
  const destination = pino.destination({ dest: options.path, sync: false, mkdir: true, minLength: 0 });
  const logger = pino(
    {
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"timestamp":"${new Date(options.now()).toISOString()}"`,
      formatters: { level: () => ({}) },
    },
    destination,
  );
  return {
    write(event: AuditEvent): void {
      logger.info(scrubDeep(event) as Record<string, unknown>);
    },
    flush(): Promise<void> {
      return new Promise((resolve, reject) => {
        logger.flush((error) => (error ? reject(error) : resolve()));
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        logger.flush(() => {
          destination.end();
          resolve();
        });
      });
    },
  };
}

/** An audit sink that keeps records in memory (benchmarks, status tests). */
export function memoryAudit(): AuditSink & { records: AuditEvent[] } {
  const records: AuditEvent[] = [];
  return {
    records,
    write(event) {
      records.push(scrubDeep(event) as AuditEvent);
    },
    async flush() {},
  };
}
