import { blockProblems } from './block-rules';
import type { SimMessage, SimWorkspace } from './state';

type Args = Record<string, unknown>;
type Result = Record<string, unknown>;

/** A task as the streamed message shows it (`task_update` chunks). */
export interface SimTask {
  id: string;
  title: string;
  status: string;
}

/** A message being streamed (chat.startStream … chat.stopStream). */
export interface SimStream {
  message: SimMessage;
  startedAt: number;
  /** Markdown received so far (what Slack shows). */
  markdown: string;
  tasks: SimTask[];
  /** Blocks from `blocks` chunks and from chat.stopStream. */
  blocks: unknown[];
  recipient?: { user: string; team: string };
  stopped: boolean;
}

/** One `assistant.threads.*` call as the user would see it. */
export interface SimAssistantCall {
  method: 'setStatus' | 'setSuggestedPrompts' | 'setTitle';
  channel: string;
  threadTs: string;
  status?: string;
  loadingMessages?: string[];
  prompts?: Array<{ title: string; message: string }>;
  title?: string;
}

/** Slack's documented stream limits. */
export const STREAM_LIMITS = { markdownChars: 12_000, maxAgeMs: 5 * 60_000 } as const;

/**
 * The agent-platform side of the simulated Web API: text streaming, the
 * assistant thread status/prompts/title, reactions and modals, with the
 * errors Slack documents for them.
 */
export class AgentMethods {
  readonly streams = new Map<string, SimStream>();
  readonly assistant: SimAssistantCall[] = [];
  /** `channel:ts` → reaction names currently on the message. */
  readonly reactions = new Map<string, Set<string>>();
  /** Every reaction change in order, e.g. `+eyes C1:1.2`. */
  readonly reactionLog: string[] = [];
  readonly views: Array<{ triggerId: string; view: Record<string, unknown> }> = [];
  /** Time source for stream expiry (tests move it). */
  now: () => number = () => Date.now();
  private viewSeq = 0;

  constructor(
    private readonly ws: SimWorkspace,
    private readonly bot: { userId: string; botId: string },
  ) {}

  /** The stream of a message, if it was streamed. */
  stream(channel: string, ts: string): SimStream | undefined {
    return this.streams.get(`${channel}:${ts}`);
  }

  /** Answer a method this class owns; undefined when it is not one of them. */
  handle(method: string, a: Args): Result | undefined {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    switch (method) {
      case 'chat.startStream': {
        const channel = this.ws.channels.get(str(a.channel) ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!channel.botMember) return { ok: false, error: 'not_in_channel' };
        const thread = str(a.thread_ts);
        if (!thread) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: thread_ts'] } };
        const user = str(a.recipient_user_id);
        const team = str(a.recipient_team_id);
        // Outside DMs Slack must know whose stream it is.
        if (channel.type !== 'im' && user === undefined) return { ok: false, error: 'missing_recipient_user_id' };
        if (channel.type !== 'im' && team === undefined) return { ok: false, error: 'missing_recipient_team_id' };
        const message: SimMessage = { channel: channel.id, ts: this.ws.nextTs(), thread_ts: thread, text: '', user: this.bot.userId, bot_id: this.bot.botId, updates: 0 };
        const stream: SimStream = { message, startedAt: this.now(), markdown: '', tasks: [], blocks: [], stopped: false, ...(user && team ? { recipient: { user, team } } : {}) };
        const applied = this.apply(stream, a);
        if (applied) return applied;
        this.ws.addMessage(message);
        this.streams.set(`${message.channel}:${message.ts}`, stream);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        if (!this.ws.channels.has(str(a.channel) ?? '')) return { ok: false, error: 'channel_not_found' };
        const stream = this.stream(str(a.channel) ?? '', str(a.ts) ?? '');
        if (!stream || stream.message.deleted) return { ok: false, error: 'message_not_found' };
        // Reported in the field: streams close by themselves after about five minutes.
        if (stream.stopped || this.now() - stream.startedAt > STREAM_LIMITS.maxAgeMs) return { ok: false, error: 'message_not_in_streaming_state' };
        if (method === 'chat.appendStream' && a.markdown_text === undefined && a.chunks === undefined) return { ok: false, error: 'invalid_arguments' };
        const applied = this.apply(stream, a);
        if (applied) return applied;
        if (method === 'chat.stopStream') {
          if (a.blocks !== undefined) {
            const problems = blockProblems(a.blocks);
            if (problems.length > 0) return { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } };
            stream.blocks.push(...(a.blocks as unknown[]));
          }
          stream.stopped = true;
          // The finished message as Slack renders it: the streamed markdown, then the blocks sent along.
          stream.message.blocks = [...(stream.markdown === '' ? [] : [{ type: 'markdown', text: stream.markdown }]), ...stream.blocks];
          return { ok: true, channel: stream.message.channel, ts: stream.message.ts, message: { type: 'message', ts: stream.message.ts, text: stream.message.text, blocks: stream.message.blocks } };
        }
        return { ok: true, channel: stream.message.channel, ts: stream.message.ts };
      }
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle': {
        const channel = str(a.channel_id);
        const threadTs = str(a.thread_ts);
        if (!channel || !threadTs) return { ok: false, error: 'invalid_arguments' };
        if (!this.ws.channels.has(channel)) return { ok: false, error: 'channel_not_found' };
        const kind = method.slice('assistant.threads.'.length) as SimAssistantCall['method'];
        const call: SimAssistantCall = { method: kind, channel, threadTs };
        if (kind === 'setStatus') {
          if (typeof a.status !== 'string') return { ok: false, error: 'invalid_arguments' };
          call.status = a.status;
          if (Array.isArray(a.loading_messages)) {
            if (a.loading_messages.length > 10) return { ok: false, error: 'invalid_arguments' };
            call.loadingMessages = a.loading_messages.map(String);
          }
        } else if (kind === 'setSuggestedPrompts') {
          if (!Array.isArray(a.prompts) || a.prompts.length === 0 || a.prompts.length > 4) return { ok: false, error: 'invalid_arguments' };
          call.prompts = a.prompts as SimAssistantCall['prompts'];
          if (typeof a.title === 'string') call.title = a.title;
        } else {
          if (typeof a.title !== 'string' || a.title === '') return { ok: false, error: 'invalid_arguments' };
          call.title = a.title;
        }
        this.assistant.push(call);
        return { ok: true };
      }
      case 'reactions.add':
      case 'reactions.remove': {
        const channel = str(a.channel) ?? '';
        const ts = str(a.timestamp) ?? '';
        const name = str(a.name) ?? '';
        if (!this.ws.channels.has(channel)) return { ok: false, error: 'channel_not_found' };
        if (!this.ws.findMessage(channel, ts)) return { ok: false, error: 'message_not_found' };
        const key = `${channel}:${ts}`;
        const set = this.reactions.get(key) ?? new Set<string>();
        if (method === 'reactions.add') {
          if (set.has(name)) return { ok: false, error: 'already_reacted' };
          set.add(name);
        } else {
          if (!set.delete(name)) return { ok: false, error: 'no_reaction' };
        }
        this.reactions.set(key, set);
        this.reactionLog.push(`${method === 'reactions.add' ? '+' : '-'}${name} ${key}`);
        return { ok: true };
      }
      case 'views.open': {
        const triggerId = str(a.trigger_id);
        if (!triggerId) return { ok: false, error: 'invalid_trigger_id' };
        const view = a.view;
        if (!view || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
        const v = view as Record<string, unknown>;
        const blocks = Array.isArray(v.blocks) ? v.blocks : [];
        if (v.type !== 'modal' || blocks.length === 0 || blocks.length > 100) return { ok: false, error: 'invalid_arguments' };
        this.viewSeq += 1;
        this.views.push({ triggerId, view: v });
        return { ok: true, view: { id: `V0${this.viewSeq}`, ...v } };
      }
      default:
        return undefined;
    }
  }

  private apply(stream: SimStream, a: Args): Result | undefined {
    let text = typeof a.markdown_text === 'string' ? a.markdown_text : '';
    const tasks: SimTask[] = [];
    const blocks: unknown[] = [];
    if (a.chunks !== undefined) {
      if (!Array.isArray(a.chunks)) return { ok: false, error: 'invalid_chunks' };
      for (const chunk of a.chunks as Array<Record<string, unknown>>) {
        if (chunk.type === 'markdown_text' && typeof chunk.text === 'string') text += chunk.text;
        else if (chunk.type === 'task_update' && typeof chunk.id === 'string' && typeof chunk.title === 'string' && ['pending', 'in_progress', 'complete', 'error'].includes(String(chunk.status))) {
          tasks.push({ id: chunk.id, title: chunk.title, status: String(chunk.status) });
        } else if (chunk.type === 'blocks' && Array.isArray(chunk.blocks)) blocks.push(...chunk.blocks);
        else if (chunk.type !== 'plan_update') return { ok: false, error: 'invalid_chunks' };
      }
    }
    if (stream.markdown.length + text.length > STREAM_LIMITS.markdownChars) return { ok: false, error: 'msg_too_long' };
    stream.markdown += text;
    stream.message.text = stream.markdown;
    for (const task of tasks) {
      const existing = stream.tasks.find((t) => t.id === task.id);
      if (existing) Object.assign(existing, task);
      else stream.tasks.push(task);
    }
    stream.blocks.push(...blocks);
    if (blocks.length > 0) stream.message.blocks = stream.blocks;
    return undefined;
  }
}
