import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrap, type App } from '../../src/bootstrap';
import type { Env } from '../../src/config';
import { silentLogger } from '../../src/logger';
import type { AuditEvent, Caller, ConversationRef, InboundMessage, ModelClient, ToolDefinition, TurnResult } from '../../src/ports';
import type { Specialist } from '../../src/specialists/specialist';
import { ManualClock } from './manual-clock';
import { RecordingChannel } from './recording-channel';
import { ScriptedModel } from './scripted-model';

export interface HarnessOptions {
  env?: Env;
  model?: ModelClient;
  tools?: ToolDefinition[];
  clock?: ManualClock;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** The channel the engine talks to (default: a plain recording one). */
  channel?: RecordingChannel;
  /** Specialists to route to (default none: no routing). */
  specialists?: Specialist[];
  /** The model that routes when rules do not decide (default the main model). */
  routerModel?: ModelClient;
  /** Clients for specialists' own models. */
  modelFor?: (name: string) => ModelClient | undefined;
}

export const users = {
  alice: { userId: 'U_ALICE', platform: 'test', displayName: 'Alice', role: 'member' },
  bob: { userId: 'U_BOB', platform: 'test', displayName: 'Bob', role: 'member' },
  guest: { userId: 'U_GUEST', platform: 'test', displayName: 'Gus (guest)', role: 'guest' },
  dana: { userId: 'U_DANA', platform: 'test', displayName: 'Dana (staff)', role: 'staff' },
  sam: { userId: 'U_SAM', platform: 'test', displayName: 'Sam (staff)', role: 'staff' },
  root: { userId: 'U_ROOT', platform: 'test', displayName: 'Root (admin)', role: 'admin' },
} satisfies Record<string, Caller>;

/** A real engine (SQLite store, audit file, sealed sessions) with a scripted model and a recording channel. */
export class EngineHarness {
  readonly channel: RecordingChannel;
  private seq = 0;

  private constructor(
    readonly app: App,
    readonly dataDir: string,
    readonly clock: ManualClock,
    readonly model: ModelClient,
    private readonly options: HarnessOptions,
    private readonly ownsDir: boolean,
  ) {
    this.channel = options.channel ?? new RecordingChannel('test');
    app.engine.attach(this.channel);
  }

  static async create(options: HarnessOptions = {}): Promise<EngineHarness> {
    const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'engine-test-')));
    const clock = options.clock ?? new ManualClock();
    const model = options.model ?? new ScriptedModel();
    const app = await bootstrap({
      env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', ...options.env },
      model,
      clock,
      tools: options.tools ?? [],
      ...(options.specialists ? { specialists: options.specialists } : {}),
      ...(options.routerModel ? { routerModel: options.routerModel } : {}),
      ...(options.modelFor ? { modelFor: options.modelFor } : {}),
      logger: silentLogger(),
      retryInitialDelayMs: 1,
    });
    return new EngineHarness(app, dataDir, clock, model, options, options.dataDir === undefined);
  }

  get engine() {
    return this.app.engine;
  }

  get scripted(): ScriptedModel {
    if (!(this.model instanceof ScriptedModel)) throw new Error('not a scripted model');
    return this.model;
  }

  conversation(thread = 'T1'): ConversationRef {
    return { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: thread };
  }

  send(text: string, options: { caller?: Caller; conversation?: ConversationRef; messageId?: string } = {}): Promise<TurnResult> {
    const message: InboundMessage = {
      conversation: options.conversation ?? this.conversation(),
      caller: options.caller ?? users.alice,
      text,
      messageId: options.messageId ?? `msg-${++this.seq}-${Math.random().toString(36).slice(2)}`,
    };
    return this.engine.handleMessage(message);
  }

  /** Audit records written so far. */
  async audit(): Promise<AuditEvent[]> {
    await this.app.audit.flush();
    const text = await readFile(this.app.config.auditLogPath, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
  }

  /** Raw audit file text (flushes first). */
  async auditText(): Promise<string> {
    await this.audit();
    return readFile(this.app.config.auditLogPath, 'utf8');
  }

  /** Simulate a process restart: close everything, start again on the same data directory. */
  async restart(overrides: Partial<HarnessOptions> = {}): Promise<EngineHarness> {
    await this.app.close();
    const { channel: _previous, ...options } = this.options;
    return EngineHarness.create({ ...options, ...overrides, dataDir: this.dataDir, clock: this.clock });
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownsDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
