import type { ConversationRef, Logger } from '../../src/index';
import { type Block, context } from './blocks';
import { conversationKey, threadTarget } from './conversation';
import { type SlackApi, errorFields } from './slack-api';

/** A "working on it" message waiting to be replaced by the bot's next message. */
export interface Placeholder {
  channel: string;
  ts: string;
}

interface Pending {
  key: string;
  channel: string;
  /** The post, once made (in flight while the engine already works); resolves undefined if it failed. */
  ts?: Promise<string | undefined>;
  done: boolean;
  /** Not posted yet: waiting out the delay. */
  delay?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
}

/** Options for {@link Placeholders}. */
export interface PlaceholdersOptions {
  api: Pick<SlackApi, 'postMessage' | 'delete'>;
  logger: Logger;
  /** Shown while the bot works. */
  text?: string;
  /**
   * After the engine stops working, how long an unused placeholder waits for the
   * answer before it is deleted. Covers engines that stop before they post.
   */
  graceMs?: number;
  /**
   * Post the placeholder only if the answer has not arrived after this long, so
   * quick answers appear without a flash of "working" (and one Web API call
   * fewer). Default 1 s; 0 posts at once.
   */
  delayMs?: number;
  /** Blocks shown under the placeholder (the Stop button). */
  controls?: (conversation: ConversationRef) => Block[];
}

/**
 * Placeholders per conversation. The bot's next message in the thread takes
 * the placeholder over with `chat.update`, so the answer appears in place.
 */
export class Placeholders {
  private readonly pending = new Map<string, Pending[]>();
  private readonly opts: PlaceholdersOptions;
  private readonly text: string;
  private readonly graceMs: number;
  private readonly delayMs: number;

  constructor(options: PlaceholdersOptions) {
    this.delayMs = options.delayMs ?? 1_000;
    this.opts = options;
    this.text = options.text ?? '_Working on it…_';
    this.graceMs = options.graceMs ?? 2_000;
  }

  /**
   * Post a placeholder; the returned function retires it if no answer took it
   * over. Registered at once, before Slack answers, so the engine need not wait
   * for the post (a whole Web API round trip) before it starts on the answer.
   */
  async start(conversation: ConversationRef): Promise<() => Promise<void>> {
    const target = threadTarget(conversation);
    const entry: Pending = { key: conversationKey(conversation), channel: target.channel, done: false };
    const post = () => {
      const blocks = [context(this.text), ...(this.opts.controls?.(conversation) ?? [])];
      entry.ts = this.opts.api.postMessage({ ...target, text: this.text, blocks }).catch((error: unknown) => {
        // Cosmetic: a failed placeholder must not fail the turn.
        this.opts.logger.warn({ channel: target.channel, ...errorFields(error) }, 'slack placeholder not posted');
        return undefined;
      });
    };
    if (this.delayMs <= 0) post();
    else {
      entry.delay = setTimeout(() => {
        entry.delay = undefined;
        if (!entry.done) post();
      }, this.delayMs);
      entry.delay.unref();
    }
    const list = this.pending.get(entry.key) ?? [];
    list.push(entry);
    this.pending.set(entry.key, list);
    return async () => {
      if (entry.done || entry.timer) return;
      if (entry.delay) {
        // Finished before the placeholder was due: there is nothing to show or clean up.
        await this.discard(entry);
        return;
      }
      entry.timer = setTimeout(() => void this.discard(entry), this.graceMs);
      entry.timer.unref();
    };
  }

  /** Take the oldest live placeholder of a conversation, if one was posted (waits for its post to land). */
  async take(conversation: ConversationRef): Promise<Placeholder | undefined> {
    const key = conversationKey(conversation);
    const list = this.pending.get(key);
    const entry = list?.shift();
    if (list && list.length === 0) this.pending.delete(key);
    if (!entry) return undefined;
    entry.done = true;
    clearTimeout(entry.timer);
    clearTimeout(entry.delay);
    const ts = await entry.ts;
    return ts === undefined ? undefined : { channel: entry.channel, ts };
  }

  /** Retire a conversation's placeholders now (its reply is streamed instead): never shown, or deleted. */
  async retire(conversation: ConversationRef): Promise<void> {
    const list = this.pending.get(conversationKey(conversation)) ?? [];
    await Promise.all([...list].map((entry) => this.discard(entry)));
  }

  /** Delete every placeholder nobody took (shutdown). */
  async flush(): Promise<void> {
    const all = [...this.pending.values()].flat();
    await Promise.all(all.map((entry) => this.discard(entry)));
  }

  private async discard(entry: Pending): Promise<void> {
    if (entry.done) return;
    entry.done = true;
    clearTimeout(entry.timer);
    clearTimeout(entry.delay);
    const list = this.pending.get(entry.key);
    if (list) {
      const rest = list.filter((e) => e !== entry);
      if (rest.length === 0) this.pending.delete(entry.key);
      else this.pending.set(entry.key, rest);
    }
    const ts = await entry.ts;
    if (ts === undefined) return;
    try {
      await this.opts.api.delete(entry.channel, ts);
    } catch (error) {
      this.opts.logger.warn({ channel: entry.channel, ...errorFields(error) }, 'slack placeholder not deleted');
    }
  }
}
