import type { Alert, ApprovalView, Channel, ConversationRef, EscalationView, MessageRef, OutboundMessage, ReplyStream } from '../../src/ports';
import type { ConsoleOutput } from './console-output';
import {
  controlsHint,
  BOT_LABEL,
  formatAlert,
  formatApprovalCard,
  formatApprovalUpdate,
  formatBotMessage,
  formatOncallNotice,
  formatOncallUpdate,
  type Paint,
} from './console-render';

/** The platform name of conversations held in the terminal. */
export const CONSOLE_PLATFORM = 'console';

/** What the console channel needs: where to print, the time, and which thread is on screen. */
export interface ConsoleChannelOptions {
  output: ConsoleOutput;
  now: () => number;
  /** The thread the operator is typing in; messages for other threads are tagged with theirs. */
  currentThread: () => string;
}

/**
 * The engine's callbacks, printed to the terminal. The console is its own
 * on-call destination, so escalation notices appear inline, clearly marked.
 * It remembers open approvals and escalations so `/approve` and `/claim`
 * without an id act on the latest one.
 */
export class ConsoleChannel implements Channel {
  readonly platform = CONSOLE_PLATFORM;
  private readonly output: ConsoleOutput;
  private readonly now: () => number;
  private readonly currentThread: () => string;
  private readonly paint: Paint;
  private sequence = 0;
  private readonly pendingApprovals = new Map<string, ApprovalView>();
  private readonly openEscalations = new Map<string, EscalationView>();

  constructor(options: ConsoleChannelOptions) {
    this.output = options.output;
    this.now = options.now;
    this.currentThread = options.currentThread;
    this.paint = (style, text) => options.output.paint(style, text);
  }

  async postMessage(conversation: ConversationRef, message: OutboundMessage): Promise<MessageRef> {
    const text = formatBotMessage(message, this.paint);
    this.output.print(conversation.threadId === this.currentThread() ? text : `${this.paint('dim', `[thread ${conversation.threadId}]`)}\n${text}`);
    this.showControls(message);
    return this.ref(conversation.channelId);
  }

  /** In a terminal, answers appear as they are written and tool steps show on the status line. */
  async openStream(conversation: ConversationRef): Promise<ReplyStream | undefined> {
    if (!this.output.isInteractive || conversation.threadId !== this.currentThread()) return undefined;
    const output = this.output;
    const indent = ' '.repeat(BOT_LABEL.length + 1);
    let started = false;
    let shown = '';
    const begin = () => {
      if (started) return;
      started = true;
      output.write(`${this.paint('bold', BOT_LABEL)} `);
    };
    return {
      append: async (text) => {
        begin();
        shown += text;
        output.write(text.replace(/\n/g, `\n${indent}`));
      },
      progress: async (step) => {
        if (!started) output.showStatus(`${step.title}${step.status === 'in_progress' ? '…' : step.status === 'complete' ? ' ✓' : ' ✗'}`);
      },
      finish: async (final) => {
        if (!started) {
          output.print(formatBotMessage(final, this.paint));
        } else {
          const rest = final.text.startsWith(shown) ? final.text.slice(shown.length) : '';
          output.write(`${rest.replace(/\n/g, `\n${indent}`)}\n`);
        }
        this.showControls(final);
        return this.ref(conversation.channelId);
      },
      cancel: async () => {
        if (started) output.write('\n');
      },
    };
  }

  /** At a terminal, a final answer's controls as the commands that work them; scripted runs keep stdout to the conversation. */
  private showControls(message: OutboundMessage): void {
    if (!message.controls || !this.output.isInteractive) return;
    const hint = controlsHint(message.controls);
    if (hint) this.output.print(this.paint('dim', ' '.repeat(BOT_LABEL.length + 1) + hint));
  }

  async startWorking(): Promise<() => Promise<void>> {
    this.output.showStatus('bot is working…');
    return async () => this.output.clearStatus();
  }

  async postApproval(view: ApprovalView): Promise<MessageRef> {
    this.pendingApprovals.set(view.id, view);
    this.output.print(formatApprovalCard(view, this.now(), this.paint));
    return this.ref(view.conversation.channelId);
  }

  async updateApproval(_ref: MessageRef, view: ApprovalView): Promise<void> {
    if (view.status === 'pending') this.pendingApprovals.set(view.id, view);
    else this.pendingApprovals.delete(view.id);
    this.output.print(formatApprovalUpdate(view, this.paint));
  }

  async notifyOncall(view: EscalationView): Promise<MessageRef> {
    this.openEscalations.set(view.id, view);
    this.output.print(formatOncallNotice(view, this.paint));
    return this.ref('oncall');
  }

  async updateOncall(_ref: MessageRef, view: EscalationView): Promise<void> {
    if (view.status === 'closed') this.openEscalations.delete(view.id);
    else this.openEscalations.set(view.id, view);
    this.output.print(formatOncallUpdate(view, this.paint));
  }

  async alertOncall(alert: Alert): Promise<void> {
    this.output.print(formatAlert(alert, this.paint));
  }

  /** The most recent approval still waiting, for a bare `/approve` or `/deny`. */
  latestPendingApproval(): string | undefined {
    return [...this.pendingApprovals.keys()].at(-1);
  }

  /** The most recent escalation nobody has claimed, for a bare `/claim`. */
  latestUnclaimedEscalation(): string | undefined {
    return [...this.openEscalations.values()].filter((v) => v.status === 'open').at(-1)?.id;
  }

  private ref(channelId: string): MessageRef {
    this.sequence += 1;
    return { platform: CONSOLE_PLATFORM, channelId, messageId: `out-${this.sequence}` };
  }
}
