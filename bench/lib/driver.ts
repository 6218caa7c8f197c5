/**
 * Sends benchmark turns to the engine: a mix of follow-ups on stored sessions
 * and new conversations, never two turns of one session at once, timing each
 * turn and subtracting what it spent inside the model and the tool.
 */
import { performance } from 'node:perf_hooks';
import type { Engine } from '../../src/ports';
import { sessionIdOf } from '../../src/sessions/session-state';
import { questionText, orderIdOf, type TimingLedger } from './loopback';
import { callerOf, conversationOf } from './seed';

/** One measured turn. */
export interface TurnSample {
  session: number;
  /** handleMessage call to resolution. */
  wallMs: number;
  /** wallMs minus time inside model.complete and tool.execute. */
  overheadMs: number;
  externalMs: number;
  ok: boolean;
}

export interface DriverOptions {
  engine: Engine;
  ledger: TimingLedger;
  random: () => number;
  /** Sessions 0..initialSessions-1 exist already. */
  initialSessions: number;
  /** Share of turns that open a new conversation (default 0.3). */
  newShare?: number;
  /** Called around each turn (profiling hooks). */
  onTurnStart?: (session: number) => void;
  onTurnEnd?: (sample: TurnSample) => void;
}

export class TurnDriver {
  /** Sessions that exist (seeded or created by turns). */
  sessions: number;
  failures: Array<{ status: string; errors: string }> = [];
  private tag = 0;
  private readonly inFlight = new Set<number>();
  private readonly newShare: number;

  constructor(private readonly options: DriverOptions) {
    this.sessions = options.initialSessions;
    this.newShare = options.newShare ?? 0.3;
  }

  /** A new session, or a random stored one that has no turn in flight. */
  pick(newShare = this.newShare): number {
    if (this.sessions === 0 || this.options.random() < newShare) return this.sessions++;
    for (;;) {
      const i = Math.floor(this.options.random() * this.sessions);
      if (!this.inFlight.has(i)) return i;
    }
  }

  async turn(session = this.pick()): Promise<TurnSample> {
    const { engine, ledger } = this.options;
    const tag = ++this.tag;
    const conversation = conversationOf(session);
    const sessionId = sessionIdOf(conversation);
    const text = questionText(orderIdOf(session * 31 + tag), tag, tag);
    this.inFlight.add(session);
    const external = ledger.begin(tag, sessionId);
    this.options.onTurnStart?.(session);
    const started = performance.now();
    const result = await engine.handleMessage({ conversation, caller: callerOf(session), text, messageId: `bench-${process.pid}-${tag}` });
    const wallMs = performance.now() - started;
    ledger.end(tag, sessionId);
    this.inFlight.delete(session);
    const ok = result.status === 'answered' && result.steps === 2 && external.modelCalls === 2 && external.toolCalls === 1;
    if (!ok) this.failures.push({ status: result.status, errors: result.errors.map((e) => e.code).join(',') });
    const externalMs = external.modelMs + external.toolMs;
    const sample = { session, wallMs, overheadMs: wallMs - externalMs, externalMs, ok };
    this.options.onTurnEnd?.(sample);
    return sample;
  }

  async sequential(count: number, newShare?: number): Promise<{ samples: TurnSample[]; seconds: number }> {
    const samples: TurnSample[] = [];
    const started = performance.now();
    for (let k = 0; k < count; k++) samples.push(await this.turn(this.pick(newShare)));
    return { samples, seconds: (performance.now() - started) / 1000 };
  }

  async concurrent(count: number, concurrency: number, newShare?: number): Promise<{ samples: TurnSample[]; seconds: number }> {
    const samples: TurnSample[] = [];
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < count) {
          issued += 1;
          samples.push(await this.turn(this.pick(newShare)));
        }
      }),
    );
    return { samples, seconds: (performance.now() - started) / 1000 };
  }
}
