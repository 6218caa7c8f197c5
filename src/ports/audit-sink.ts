/** Port: where audit records go. */
import type { AuditEvent } from './audit-event';

/** The append-only audit trail. */
export interface AuditSink {
  /** Append a record (timestamped by the sink). */
  write(event: AuditEvent): void;
  /** Wait until everything written so far is on disk. */
  flush(): Promise<void>;
}
