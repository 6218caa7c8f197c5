import type { ConversationRef, Logger, MessageRef, OutboundMessage, ProgressStep, ReplyStream } from '../../src/index';
import { type Block, context, renderText } from './blocks';
import { SLACK_PLATFORM } from './conversation';
import { escapeMrkdwn } from './mrkdwn';
import { type SlackApi, type StreamChunk, errorFields, slackErrorName } from './slack-api';

/** Options for {@link SlackReplyStream}. Limits default to Slack's with a margin. */
export interface SlackReplyStreamOptions {
  api: SlackApi;
  logger: Logger;
  /** Where the reply goes; must be a thread (streams need `thread_ts`). */
  target: { channel: string; thread_ts: string };
  /** Whose stream it is (required by Slack outside DMs). */
  recipient: { userId: string; teamId: string };
  /** Blocks that close a finished answer (feedback, "Talk to a human", "That solved it"). */
  closingBlocks?: (final: OutboundMessage) => readonly object[];
  now: () => number;
  /** Shown while the reply is written (the Stop button); dropped when it is finished in place. */
  controls?: Block[];
  /** Send buffered text after this long. Default 250 ms. */
  flushMs?: number;
  /** Send buffered text once this much waits. Default 200 characters. */
  flushChars?: number;
  /** Continue in a new message past this much markdown (Slack: 12,000). Default 11,000. */
  maxChars?: number;
  /** Continue in a new message after this long (Slack closes streams after about 5 min). Default 4 min. */
  maxAgeMs?: number;
  /** Post-then-update fallback: at most one update per this long. Default 1 s. */
  fallbackIntervalMs?: number;
  /** A tool step started, finished or failed (assistant threads mirror it in their status). */
  onStep?: (step: ProgressStep) => void;
  /** A message started (its ts), so Slack's stop button can be mapped back to the conversation. */
  onMessage?: (ts: string) => void;
  /**
   * Runs the clean-up after a message is finished (the Stop button taken off)
   * a little later, in the background. Default: at once, awaited.
   */
  cleanup?: (label: string, task: () => Promise<void>) => void;
}

/** The block that holds the Stop button of a reply being written. */
export const CONTROLS_BLOCK_ID = 'turn_controls';

// Slack answers these when streaming is not available here (workspace, app, token or scope).
const REFUSED = new Set(['method_not_supported', 'missing_scope', 'not_allowed', 'unknown_method', 'not_allowed_token_type', 'feature_not_enabled', 'method_deprecated', 'missing_recipient_user_id', 'missing_recipient_team_id']);
// The message can take no more: carry on in a new one.
const CLOSED = new Set(['message_not_in_streaming_state', 'msg_too_long']);

/**
 * One reply shown as it is written: `chat.startStream` / `appendStream` /
 * `stopStream` with text buffered to stay inside the rate tiers and tool steps
 * as task updates. Where Slack refuses to stream, the same reply is posted
 * and then updated at most once a second. Long or slow replies continue in a
 * new message before Slack's limits. Never throws.
 */
export class SlackReplyStream implements ReplyStream {
  private readonly o: Required<Omit<SlackReplyStreamOptions, 'controls' | 'onStep' | 'onMessage' | 'closingBlocks' | 'cleanup'>> &
    Pick<SlackReplyStreamOptions, 'controls' | 'onStep' | 'onMessage' | 'closingBlocks' | 'cleanup'>;
  private mode: 'stream' | 'fallback' = 'stream';
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Text not yet sent. */
  private pending = '';
  private readonly pendingSteps = new Map<string, ProgressStep>();
  /** Everything appended, to work out what the final text adds. */
  private appended = '';
  /** The current message: its ts, when it started, its markdown, its steps. */
  private ts: string | undefined;
  private startedAt = 0;
  private segment = '';
  private readonly steps = new Map<string, ProgressStep>();
  /** Whether the current streamed message carries the controls (they are taken off when it is finished). */
  private controlsShown = false;
  private first: string | undefined;
  private lastUpdateAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Whether any answer text was sent yet (the first words go out at once, even after tool steps). */
  private textShown = false;

  constructor(options: SlackReplyStreamOptions) {
    this.o = { flushMs: 250, flushChars: 200, maxChars: 11_000, maxAgeMs: 4 * 60_000, fallbackIntervalMs: 1_000, ...options };
  }

  /** Whether Slack refused streaming and the reply is posted and updated instead. */
  get fallback(): boolean {
    return this.mode === 'fallback';
  }

  /** {@link ReplyStream.append}: buffered; sent at `flushChars` or after `flushMs`. */
  async append(text: string): Promise<void> {
    if (this.closed || text === '') return;
    this.appended += text;
    this.pending += text;
    // The first words go out at once (time to first text is what users feel); then buffered.
    if (this.pending.length >= this.o.flushChars || !this.textShown) await this.flushNow();
    else this.schedule(this.o.flushMs);
  }

  /**
   * {@link ReplyStream.progress}: a task update. A step that starts is sent at
   * once with any buffered text; one that ends rides with what comes next (the
   * answer's first words, the next step, or the finish), within `flushMs`.
   */
  async progress(step: ProgressStep): Promise<void> {
    if (this.closed) return;
    this.pendingSteps.set(step.id, { ...step });
    this.o.onStep?.(step);
    if (step.status === 'in_progress' || this.ts === undefined) await this.flushNow();
    else this.schedule(this.o.flushMs);
  }

  /** {@link ReplyStream.finish}: the rest of the final text, then the message is closed. */
  async finish(final: OutboundMessage): Promise<MessageRef | undefined> {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending += this.rest(final.text);
    await this.serial(async () => {
      // The last text and steps ride in chat.stopStream when they fit the open message: one call fewer.
      const last = this.mode === 'stream' && this.fitsOpenMessage() ? this.takePending() : undefined;
      if (!last) await this.send();
      if (this.mode === 'stream') await this.stop(this.o.closingBlocks?.(final) ?? [], last);
      // Streaming refused (from the start, or while finishing): the reply is posted and updated.
      if (this.mode === 'fallback') await this.render(final.kind ?? 'reply', true);
    });
    return this.first === undefined ? undefined : { platform: SLACK_PLATFORM, channelId: this.o.target.channel, messageId: this.first };
  }

  /** {@link ReplyStream.cancel}: close what was shown, with a note. */
  async cancel(note?: string): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (note) this.pending += `${this.appended.trim() === '' ? '' : '\n\n'}${note}`;
    await this.serial(async () => {
      await this.send();
      if (this.mode === 'stream') await this.stop();
      else if (this.ts !== undefined) await this.render('notice', true);
    });
  }

  /** What the final text adds to what was appended (the engine passes the whole reply). */
  private rest(final: string): string {
    const shown = this.appended.trim();
    if (shown === '') return final;
    if (final.startsWith(this.appended)) return final.slice(this.appended.length);
    if (final.startsWith(shown)) {
      const rest = final.slice(shown.length).replace(/^\s*$/, '');
      // Whitespace already sent is not sent twice.
      const tail = this.appended.slice(this.appended.trimEnd().length);
      return tail !== '' && rest.startsWith(tail) ? rest.slice(tail.length) : rest;
    }
    return final.includes(shown) ? '' : `\n\n${final}`;
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.serial(() => this.send());
    }, ms);
    this.timer.unref();
  }

  private flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.serial(() => this.send());
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((error: unknown) => this.o.logger.warn({ ...errorFields(error) }, 'slack reply stream failed'));
    this.chain = next;
    return next;
  }

  /** Whether what is buffered can go into the open streamed message as it is (no rotation needed). */
  private fitsOpenMessage(): boolean {
    return this.ts !== undefined && this.segment.length + this.pending.length <= this.o.maxChars && this.o.now() - this.startedAt <= this.o.maxAgeMs;
  }

  /** Take what is buffered: its sanitized text and steps, recorded as shown. */
  private takePending(): { text: string; steps: ProgressStep[] } {
    const text = sanitize(this.pending);
    const steps = [...this.pendingSteps.values()];
    this.pending = '';
    this.pendingSteps.clear();
    for (const step of steps) this.steps.set(step.id, step);
    if (text !== '') this.textShown = true;
    return { text, steps };
  }

  /** Send what is buffered, in whichever mode applies. */
  private async send(): Promise<void> {
    const { text, steps } = this.takePending();
    if (this.mode === 'fallback') {
      this.segment += text;
      await this.rotateIfFull();
      if (!this.closed) await this.render('reply', false);
      return;
    }
    if (text === '' && steps.length === 0) return;
    await this.sendStream(text, steps, true);
  }

  private async sendStream(text: string, steps: ProgressStep[], retry: boolean): Promise<void> {
    if (this.ts !== undefined && (this.segment.length + text.length > this.o.maxChars || this.o.now() - this.startedAt > this.o.maxAgeMs)) await this.stop();
    // One piece that would overflow even a fresh message: send the part that fits, continue in the next.
    const room = this.o.maxChars - this.segment.length;
    if (text.length > room) {
      const cut = cutAt(text, room);
      await this.sendStream(text.slice(0, cut), [], retry);
      await this.stop();
      await this.sendStream(text.slice(cut), steps, retry);
      return;
    }
    const chunks: StreamChunk[] = [...(text === '' ? [] : [{ type: 'markdown_text' as const, text }]), ...steps.map(taskChunk)];
    try {
      if (this.ts === undefined) {
        const controls = this.o.controls && !this.closed ? [{ type: 'blocks' as const, blocks: this.o.controls }] : [];
        this.controlsShown = controls.length > 0;
        const ts = await this.o.api.startStream({
          ...this.o.target,
          recipient_user_id: this.o.recipient.userId,
          recipient_team_id: this.o.recipient.teamId,
          task_display_mode: 'timeline',
          chunks: [...chunks, ...controls],
        });
        this.began(ts);
      } else {
        await this.o.api.appendStream({ channel: this.o.target.channel, ts: this.ts, chunks });
      }
      this.segment += text;
    } catch (error) {
      const name = slackErrorName(error) ?? '';
      if (this.ts !== undefined && CLOSED.has(name) && retry) {
        // Slack closed the message (time or size): the text goes on in a new one.
        this.o.logger.info({ slackError: name }, 'slack stream closed by Slack; continuing in a new message');
        this.ts = undefined;
        this.segment = '';
        await this.sendStream(text, steps, false);
        return;
      }
      this.o.logger.warn({ slackError: name, ...errorFields(error) }, 'slack streaming refused; posting and updating instead');
      if (this.ts !== undefined && !REFUSED.has(name)) await this.stop().catch(() => undefined);
      this.mode = 'fallback';
      this.ts = undefined;
      this.segment = text;
      await this.rotateIfFull();
      if (!this.closed) await this.render('reply', false);
    }
  }

  /**
   * Close the current streamed message (the text stays; the Stop button goes),
   * with the last text and steps when given. If Slack refuses them with the
   * stop, they are sent the ordinary way and the message closed without them.
   */
  private async stop(blocks: readonly object[] = [], last?: { text: string; steps: ProgressStep[] }): Promise<void> {
    const ts = this.ts;
    if (ts === undefined) return;
    const chunks: StreamChunk[] = last ? [...(last.text === '' ? [] : [{ type: 'markdown_text' as const, text: last.text }]), ...last.steps.map(taskChunk)] : [];
    const markdown = this.segment + (last?.text ?? '');
    const withControls = this.controlsShown;
    let finished: { blocks?: object[] };
    try {
      finished = await this.o.api.stopStream({ channel: this.o.target.channel, ts, ...(chunks.length > 0 ? { chunks } : {}), ...(blocks.length > 0 ? { blocks } : {}) });
    } catch (error) {
      const name = slackErrorName(error) ?? '';
      if (last && chunks.length > 0 && !CLOSED.has(name)) {
        // Nothing was lost yet: the last words go the ordinary way (appendStream, or a new message), then the close.
        this.o.logger.warn({ slackError: name }, 'slack stopStream refused the last chunks; sending them first');
        this.pending = last.text + this.pending;
        for (const step of last.steps) this.pendingSteps.set(step.id, step);
        await this.send();
        return this.stop(blocks);
      }
      this.ts = undefined;
      this.segment = '';
      this.controlsShown = false;
      // Already closed by Slack: what was streamed stays either way.
      if (CLOSED.has(name) && last && last.text !== '') {
        // The last words did not make it into the closed message: they go in a new one.
        this.pending = last.text;
        for (const step of last.steps) this.pendingSteps.set(step.id, step);
        await this.send();
        if (this.mode === 'stream') await this.stop(blocks);
        return;
      }
      if (!CLOSED.has(name)) this.o.logger.warn({ ...errorFields(error) }, 'slack stopStream failed');
      return;
    }
    this.ts = undefined;
    this.segment = '';
    this.controlsShown = false;
    if (!withControls) return;
    // The answer is whole once stopped: taking the button off is cosmetic and may wait (a late click finds nothing running).
    const drop = () => this.dropControls(ts, markdown, blocks, finished.blocks);
    if (this.o.cleanup) this.o.cleanup('slack stop button removal', drop);
    else await drop();
  }

  /**
   * A Stop button sent as a stream chunk stays on the finished message, so the
   * message is updated without it: Slack's own rendering of it when the stop
   * answer carries one, else the streamed markdown, the steps and the closing blocks.
   */
  private async dropControls(ts: string, markdown: string, closing: readonly object[], rendered: object[] | undefined): Promise<void> {
    const steps = [...this.steps.values()].map(stepLine);
    const blocks = rendered
      ? rendered.filter((block) => (block as { block_id?: unknown }).block_id !== CONTROLS_BLOCK_ID)
      : [...(markdown.trim() === '' ? [] : [{ type: 'markdown', text: markdown }]), ...(steps.length > 0 ? [context(steps.join('\n'))] : []), ...closing];
    const text = markdown.trim() === '' ? 'Done.' : markdown.slice(0, 3_000);
    try {
      await this.o.api.update({ channel: this.o.target.channel, ts, text, blocks });
    } catch (error) {
      this.o.logger.warn({ ...errorFields(error) }, 'slack could not take the Stop button off a finished reply');
    }
  }

  private began(ts: string): void {
    this.ts = ts;
    this.startedAt = this.o.now();
    this.first ??= ts;
    this.o.onMessage?.(ts);
  }

  /** Fallback: a message that is already long is finished as it is and the rest continues below. */
  private async rotateIfFull(): Promise<void> {
    while (this.segment.length > this.o.maxChars) {
      const cut = cutAt(this.segment, this.o.maxChars);
      const rest = this.segment.slice(cut);
      this.segment = this.segment.slice(0, cut);
      await this.render('reply', true);
      this.ts = undefined;
      this.segment = rest;
    }
  }

  /** Fallback: post the message, or update it (at most once per interval; the last one waits its turn). */
  private async render(kind: NonNullable<OutboundMessage['kind']>, done: boolean): Promise<void> {
    const wait = this.lastUpdateAt + this.o.fallbackIntervalMs - this.o.now();
    if (this.ts !== undefined && wait > 0) {
      if (!done) {
        this.schedule(wait);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const [part, ...more] = renderText({ kind, text: this.segment.trim() === '' ? '…' : this.segment });
    const steps = [...this.steps.values()].map(stepLine);
    const blocks = [...(part?.blocks ?? []), ...(steps.length > 0 ? [context(steps.join('\n'))] : []), ...(done ? [] : (this.o.controls ?? []))];
    const message = { text: part?.text ?? '…', blocks };
    if (this.ts === undefined) {
      const ts = await this.o.api.postMessage({ ...this.o.target, ...message });
      this.began(ts);
    } else {
      await this.o.api.update({ channel: this.o.target.channel, ts: this.ts, ...message });
    }
    this.lastUpdateAt = this.o.now();
    for (const extra of done ? more : []) await this.o.api.postMessage({ ...this.o.target, ...extra });
    if (done) {
      this.ts = undefined;
      this.segment = '';
      this.steps.clear();
    }
  }
}

function taskChunk(step: ProgressStep): StreamChunk {
  return { type: 'task_update', id: step.id.slice(0, 255), title: step.title.slice(0, 255) || 'Working', status: step.status };
}

function stepLine(step: ProgressStep): string {
  const mark = step.status === 'complete' ? '✓' : step.status === 'error' ? '✗' : '…';
  return `${mark} ${escapeMrkdwn(step.title)}`;
}

// Model text must not page a channel: broadcasts become plain words.
function sanitize(markdown: string): string {
  return markdown.replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1');
}

/** Where to cut text to fit `max`: the last paragraph or line break, else a space, else hard. */
function cutAt(text: string, max: number): number {
  if (text.length <= max) return text.length;
  const window = text.slice(0, Math.max(1, max));
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(sep);
    if (at > max / 2) return at + sep.length;
  }
  return Math.max(1, max);
}
