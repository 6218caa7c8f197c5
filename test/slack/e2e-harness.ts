import type { App } from '../../src/index';
import type { ManualClock } from '../support/manual-clock';
import { type KeywordModel, startRefundEngine } from '../support/refund-engine';
import { type HarnessOptions, type SlackHarness, startSlackHarness } from './harness';

/** The Slack harness driving the real engine (SQLite store, sealed sessions, audit log) from bootstrap. */
export interface EngineSlackHarness extends SlackHarness<App['engine']> {
  app: App;
  model: KeywordModel;
  clock: ManualClock;
  /** Refunds actually executed (must stay exactly one per approval). */
  refunds: string[];
}

export async function startEngineSlackHarness(options: Omit<HarnessOptions, 'engine'> = {}): Promise<EngineSlackHarness> {
  const engine = await startRefundEngine('slack');
  const h = await startSlackHarness({ ...options, engine: engine.app.engine });
  return {
    ...h,
    app: engine.app,
    model: engine.model,
    clock: engine.clock,
    refunds: engine.refunds,
    async close() {
      await h.close();
      await engine.close();
    },
  };
}
