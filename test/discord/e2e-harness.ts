import { readFile } from 'node:fs/promises';
import { expect, vi } from 'vitest';
import { threadConversation } from '../../adapters/discord/conversations';
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
  /**
   * Resolves once the engine serves the support-channel thread `threadId`
   * without a mention, i.e. once its first turn has saved the session.
   */
  untilServed(threadId: string): Promise<void>;
  /**
   * Resolves once the engine has taken Discord message `messageId` into its
   * session queue (its inbound audit record is written in turn), so anything
   * done to that session afterwards is ordered after it.
   */
  untilReceived(messageId: string): Promise<void>;
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
      async untilServed(threadId) {
        const { guildId, supportChannelId } = sim.world.fixture;
        const conversation = threadConversation(guildId, supportChannelId, threadId);
        await vi.waitFor(async () => expect(await engine.app.engine.isActiveConversation(conversation)).toBe(true));
      },
      async untilReceived(messageId) {
        await vi.waitFor(async () => {
          await engine.app.audit.flush();
          const log = await readFile(engine.app.config.auditLogPath, 'utf8').catch(() => '');
          expect(log.split('\n').some((line) => line.includes('"inbound_message"') && line.includes(`"message_id":"${messageId}"`))).toBe(true);
        });
      },
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
