import { startDiscord, type DiscordAdapter } from '../../adapters/discord/index';
import type { App } from '../../src/index';
import type { ManualClock } from '../support/manual-clock';
import { type KeywordModel, startRefundEngine } from '../support/refund-engine';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';
import { CapturingLogger } from './harness';

/** The real engine (bootstrap: SQLite store, sealed sessions, audit log) behind the real Discord adapter and the simulator. */
export interface EngineDiscordHarness {
  sim: DiscordSimulator;
  app: App;
  model: KeywordModel;
  adapter: DiscordAdapter;
  clock: ManualClock;
  logger: CapturingLogger;
  /** Refunds actually executed (must stay exactly one per approval). */
  refunds: string[];
  /** Amounts of the refunds executed, in order. */
  refundedUsd: number[];
  close(): Promise<void>;
}

export async function startEngineDiscordHarness(): Promise<EngineDiscordHarness> {
  const engine = await startRefundEngine('discord');
  const sim = await DiscordSimulator.start();
  const logger = new CapturingLogger();
  try {
    const adapter = await startDiscord({ engine: engine.app.engine, env: sim.env(), logger });
    return {
      sim,
      app: engine.app,
      model: engine.model,
      adapter,
      clock: engine.clock,
      logger,
      refunds: engine.refunds,
      refundedUsd: engine.refundedUsd,
      async close() {
        await adapter.stop();
        await sim.close();
        await engine.close();
      },
    };
  } catch (error) {
    await sim.close();
    await engine.close();
    throw error;
  }
}
