import type { APIActionRowComponent, APIButtonComponent } from 'discord.js';
import { describeError } from '../../src/index';
import type { Logger, MessageRef, OutboundMessage, ProgressStep, ReplyStream } from '../../src/index';
import { stopButtonRow, textMessage, type DiscordMessageBody } from './components';
import { replyControlsRow } from './feedback-controls';
import { DISCORD_MESSAGE_LIMIT, splitMessage } from './split-message';

/** What a streamed reply needs from Discord: create, edit and delete messages in one channel. */
export interface StreamMessages {
  post(body: DiscordMessageBody): Promise<MessageRef>;
  edit(ref: MessageRef, body: DiscordMessageBody): Promise<void>;
  remove(ref: MessageRef): Promise<void>;
}

export interface DiscordReplyStreamOptions {
  messages: StreamMessages;
  /** The thread or DM the reply is in (the Stop button names it). */
  threadId: string;
  logger: Logger;
  now: () => number;
  /** Least time between two writes to Discord while streaming (default 1.5 s). */
  minIntervalMs?: number;
}

/** Room kept in the last message for progress lines while streaming; text is split to fit around it. */
const PROGRESS_ROOM = 300;
/** Text per message while streaming: the progress room and the blank line before it are kept free. */
const STREAM_TEXT_LIMIT = DISCORD_MESSAGE_LIMIT - PROGRESS_ROOM - 2;
const MAX_FAILURES = 3;
const STEP_ICONS: Record<ProgressStep['status'], string> = { in_progress: '🔎', complete: '✅', error: '⚠️' };

interface Shown {
  ref: MessageRef;
  /** The body last sent, serialized, so unchanged messages are not edited again. */
  body: string;
}

/**
 * A reply written into Discord as it arrives: one message, created on the
 * first thing to show and then edited, at most one write per `minIntervalMs`
 * (pending text is coalesced). Text that outgrows a message continues in a
 * new one; the last one carries progress lines and a Stop button until
 * `finish` makes the messages show exactly the final text, split the way
 * `postMessage` splits it. Never throws: failures are logged.
 */
export class DiscordReplyStream implements ReplyStream {
  private text = '';
  private readonly steps = new Map<string, ProgressStep>();
  private readonly shown: Shown[] = [];
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private work: Promise<void> = Promise.resolve();
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private lastEditAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private readonly minIntervalMs: number;

  constructor(private readonly options: DiscordReplyStreamOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 1_500;
  }

  /** {@link ReplyStream.append}: buffered; shown on the next write. */
  async append(text: string): Promise<void> {
    if (this.closed || text === '') return;
    this.text += text;
    this.schedule();
  }

  /** {@link ReplyStream.progress}: a line per tool step under the text while working. */
  async progress(step: ProgressStep): Promise<void> {
    if (this.closed) return;
    this.steps.set(step.id, { ...step });
    this.schedule();
  }

  /** {@link ReplyStream.finish}: the messages show exactly `final.text`, without progress or Stop. */
  async finish(final: OutboundMessage): Promise<MessageRef | undefined> {
    this.close();
    await this.work;
    // Nothing on screen yet (the answer came at once): this posts it, exactly as postMessage would.
    // An empty final never wipes what was written.
    await this.settle(finalBodies(final.text.trim() === '' ? this.text : final.text, replyControlsRow(this.options.threadId, final.controls)));
    return this.shown[0]?.ref;
  }

  /** {@link ReplyStream.cancel}: keeps what was written (plus the note), drops progress lines and Stop. */
  async cancel(note?: string): Promise<void> {
    this.close();
    await this.work;
    if (this.shown.length === 0) return;
    const text = [this.text.trim(), note?.trim() ?? ''].filter((t) => t !== '').join('\n\n');
    await this.settle(finalBodies(text));
  }

  private close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One write per interval; the first shows at once (next tick, so pieces arriving together go in one message). */
  private schedule(): void {
    // After repeated failures only `finish` (or `cancel`) tries again.
    if (this.timer !== undefined || this.closed || this.failures >= MAX_FAILURES) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - this.options.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.work = this.work.then(() => this.flush());
    }, wait);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    if (this.closed) return;
    await this.sync(this.streamingBodies());
    // Text that arrived while Discord answered goes out on the next tick of the interval.
    if (this.streamingBodies().some((b, i) => JSON.stringify(b) !== this.shown[i]?.body)) this.schedule();
  }

  /** The text split to leave room for progress; the last message gets the progress lines and Stop. */
  private streamingBodies(): DiscordMessageBody[] {
    const chunks = this.text.trim() === '' ? [] : splitMessage(this.text, STREAM_TEXT_LIMIT);
    const progress = this.progressLines();
    const last = [chunks.pop() ?? '', progress].filter((t) => t !== '').join('\n\n');
    const bodies: DiscordMessageBody[] = chunks.map((chunk) => ({ ...textMessage(chunk), components: [] }));
    if (last !== '') bodies.push({ ...textMessage(last), components: [stopButtonRow(this.options.threadId)] });
    return bodies;
  }

  /** Newest steps that fit the reserved room. */
  private progressLines(): string {
    const lines = [...this.steps.values()].map((s) => `${STEP_ICONS[s.status]} ${s.title}${s.status === 'in_progress' ? '…' : ''}`);
    const kept: string[] = [];
    let size = 0;
    for (const line of lines.reverse()) {
      const cut = line.length > 200 ? `${line.slice(0, 199)}…` : line;
      if (size + cut.length + 1 > PROGRESS_ROOM) break;
      kept.unshift(cut);
      size += cut.length + 1;
    }
    return kept.join('\n');
  }

  /** Final state: edits respect the interval too (creation is not an edit); leftover messages are deleted. */
  private async settle(bodies: DiscordMessageBody[]): Promise<void> {
    const changed = bodies.some((b, i) => i < this.shown.length && JSON.stringify(b) !== this.shown[i]!.body);
    const wait = this.lastEditAt + this.minIntervalMs - this.options.now();
    if (changed && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await this.sync(bodies);
    for (const extra of this.shown.splice(bodies.length)) {
      await this.options.messages.remove(extra.ref).catch((error: unknown) => this.failed('delete', error));
    }
  }

  /** Make message i show bodies[i]: edit what changed, create what is missing. */
  private async sync(bodies: DiscordMessageBody[]): Promise<void> {
    for (const [i, body] of bodies.entries()) {
      const serialized = JSON.stringify(body);
      const current = this.shown[i];
      try {
        // Intervals count from when Discord answered, so they hold however long a request queued.
        if (current === undefined) {
          this.shown.push({ ref: await this.options.messages.post(body), body: serialized });
          this.lastWriteAt = this.options.now();
        } else if (current.body !== serialized) {
          await this.options.messages.edit(current.ref, body);
          current.body = serialized;
          this.lastWriteAt = this.lastEditAt = this.options.now();
        }
      } catch (error) {
        // Later messages would land out of order; stop here and let the next write (or finish) retry,
        // an interval later: repeated failing requests count toward Discord's invalid-request ban.
        this.lastWriteAt = this.options.now();
        this.failures += 1;
        this.failed(current === undefined ? 'create' : 'edit', error);
        return;
      }
      this.failures = 0;
    }
  }

  private failed(what: string, error: unknown): void {
    this.options.logger.warn({ threadId: this.options.threadId, what, error: describeError(error) }, 'discord streamed reply write failed');
  }
}

/** Finished messages: split as `postMessage` splits, no progress, no Stop button; a final answer's controls under the last. */
function finalBodies(text: string, controls?: APIActionRowComponent<APIButtonComponent>): DiscordMessageBody[] {
  const chunks = text.trim() === '' ? [] : splitMessage(text);
  return chunks.map((chunk, i) => ({ ...textMessage(chunk), components: controls && i === chunks.length - 1 ? [controls] : [] }));
}
