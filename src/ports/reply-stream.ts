/** Port: a reply shown while it is being written (streamed text, tool progress). */
import type { MessageRef } from './conversations';
import type { OutboundMessage, ProgressStep } from './messages';

/** A reply being written, as the platform shows it. Methods never throw. */
export interface ReplyStream {
  /** Append answer text (Markdown), in order. */
  append(text: string): Promise<void>;
  /** Show or update a tool step. */
  progress(step: ProgressStep): Promise<void>;
  /**
   * Finish with the complete text: everything streamed so far plus anything
   * that was not (adapters make the message show exactly this, formatted).
   */
  finish(final: OutboundMessage): Promise<MessageRef | undefined>;
  /** Stop showing progress without a final answer (the run paused, was stopped, or failed). */
  cancel(note?: string): Promise<void>;
}
