import type { ChannelRouter } from '../channel-router';
import type { Caller, ConversationRef, MessageRef, OutboundMessage, ProgressStep, ReplyStream } from '../ports';

/**
 * What the user sees of a run while it is written: streamed answer text and
 * tool steps, on platforms that can show them. The stream opens on the first
 * thing to show; updates go out in order; a platform failure never stops the
 * run (the finished reply is then posted normally).
 */
export class RunDisplay {
  private stream: Promise<ReplyStream | undefined> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private text = '';
  private closed = false;

  constructor(
    private readonly channels: ChannelRouter,
    private readonly conversation: ConversationRef,
    private readonly recipient: Caller,
  ) {}

  /** Everything streamed so far. */
  get streamed(): string {
    return this.text;
  }

  /** Append answer text as the model writes it. */
  append(delta: string): void {
    if (this.closed || delta === '') return;
    this.text += delta;
    this.enqueue((s) => s.append(delta));
  }

  /** Show a tool step starting, finishing or failing. */
  progress(step: ProgressStep): void {
    if (this.closed) return;
    this.enqueue((s) => s.progress(step));
  }

  /**
   * Finish the streamed message with the complete reply. Returns where it
   * lives, or undefined when nothing was streamed or the platform could not
   * show it (the caller posts instead).
   */
  async finish(final: OutboundMessage): Promise<MessageRef | undefined> {
    this.closed = true;
    const stream = await this.opened();
    if (!stream) return undefined;
    await this.chain;
    // Text the model did not stream (fallbacks, a non-streaming server) is added so the message is whole.
    const text = this.text.trim() === '' ? final.text : this.text.includes(final.text.trim()) ? this.text : `${this.text.trimEnd()}\n\n${final.text}`;
    // Undefined: the platform could not show it, so the caller posts the reply the ordinary way.
    return stream.finish({ ...final, text: text.trim() }).catch(() => undefined);
  }

  /** Close without a final answer; returns whether a stream was open. */
  async cancel(note?: string): Promise<boolean> {
    this.closed = true;
    const stream = await this.opened();
    if (!stream) return false;
    await this.chain;
    await stream.cancel(note).catch(() => undefined);
    return true;
  }

  private opened(): Promise<ReplyStream | undefined> {
    return this.stream ?? Promise.resolve(undefined);
  }

  private enqueue(action: (stream: ReplyStream) => Promise<void>): void {
    this.stream ??= this.channels.openStream(this.conversation, { recipient: this.recipient });
    const stream = this.stream;
    this.chain = this.chain.then(async () => {
      const s = await stream;
      if (s) await action(s).catch(() => undefined);
    });
  }
}
