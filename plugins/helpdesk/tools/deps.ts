import type { HelpdeskDatabase } from '../database';
import type { KnowledgeBase } from '../knowledge-base';

/** What every demo tool is built from. */
export interface HelpdeskToolDeps {
  db: HelpdeskDatabase;
  kb: KnowledgeBase;
  /** Refunds above this many USD need an admin instead of staff. */
  refundAdminThresholdUsd: number;
}
