import type { AuditEvent, AuditSink } from '../../src/ports';

/** An AuditSink (our own port) that keeps records in memory for assertions. */
export class MemoryAudit implements AuditSink {
  readonly events: AuditEvent[] = [];

  write(event: AuditEvent): void {
    this.events.push(structuredClone(event));
  }

  async flush(): Promise<void> {}

  /** Records of one event type. */
  of(event: string): AuditEvent[] {
    return this.events.filter((e) => e.event === event);
  }
}
