import { startDiscord, type DiscordAdapter, type StartDiscordOptions } from '../../adapters/discord/index';
import type { Logger } from '../../src/ports';
import { DiscordSimulator, type DiscordSimulatorOptions } from '../simulators/discord/discord-simulator';
import { FakeEngine } from '../support/fake-engine';

/** One captured log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A Logger that keeps every line, so tests can assert on warnings and on what is never logged. */
export class CapturingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  debug(obj: object, msg?: string): void {
    this.lines.push({ level: 'debug', obj: { ...this.bindings, ...obj }, msg });
  }
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj: { ...this.bindings, ...obj }, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj: { ...this.bindings, ...obj }, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj: { ...this.bindings, ...obj }, msg });
  }
  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.lines, { ...this.bindings, ...bindings });
  }
  /** Everything logged, as one string (for "never contains" checks). */
  dump(): string {
    return JSON.stringify(this.lines);
  }
}

export interface Harness {
  sim: DiscordSimulator;
  engine: FakeEngine;
  logger: CapturingLogger;
  adapter: DiscordAdapter;
  /** Stop the adapter, then the simulator. */
  stop(): Promise<void>;
}

/** A simulator, a fake engine and the real adapter connected to both. */
export async function startHarness(
  options: {
    sim?: DiscordSimulatorOptions;
    env?: Record<string, string | undefined>;
    adapter?: Partial<Omit<StartDiscordOptions, 'engine' | 'env' | 'logger'>>;
  } = {},
): Promise<Harness> {
  const sim = await DiscordSimulator.start(options.sim);
  const engine = new FakeEngine();
  const logger = new CapturingLogger();
  try {
    const adapter = await startDiscord({ engine, env: sim.env(options.env), logger, ...options.adapter });
    return {
      sim,
      engine,
      logger,
      adapter,
      async stop() {
        await adapter.stop();
        await sim.close();
      },
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

/** The bot's messages in a channel (what a user would see there). */
export function botMessages(sim: DiscordSimulator, channelId: string) {
  return sim.messagesIn(channelId).filter((m) => m.author.id === sim.world.bot.id);
}
