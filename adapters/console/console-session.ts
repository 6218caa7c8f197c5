import { randomBytes } from 'node:crypto';
import { describeError } from '../../src/errors';
import { hasRole } from '../../src/policy/roles';
import type { Caller, ConversationRef, Engine, Logger, Role } from '../../src/ports';
import { CONSOLE_PLATFORM, type ConsoleChannel } from './console-channel';
import { runConsoleCommand } from './console-commands';
import type { ConsoleSpeaker } from './console-options';
import type { ConsoleOutput } from './console-output';
import { formatError, formatInfo, labelled, type Paint } from './console-render';

/** The console is one workspace with one channel; each `/new` opens a thread there. */
export const CONSOLE_WORKSPACE = 'local';
export const CONSOLE_CHANNEL = 'console';

/** What a console session is built from. */
export interface ConsoleSessionOptions {
  engine: Engine;
  channel: ConsoleChannel;
  output: ConsoleOutput;
  logger: Logger;
  speaker: ConsoleSpeaker;
  /** Print what was read before answering it (piped input, so the transcript reads as a chat). */
  echo: boolean;
}

/** Whether the session goes on after a line. */
export type LineOutcome = 'continue' | 'quit';

/**
 * One person at the terminal: who is speaking (switchable with `/as`), which
 * thread they are in, and the ids that make every message unique across runs
 * (the engine de-duplicates on message id for a day, and the store persists).
 */
export class ConsoleSession {
  readonly engine: Engine;
  readonly channel: ConsoleChannel;
  readonly output: ConsoleOutput;
  readonly logger: Logger;
  private readonly echo: boolean;
  private speaker: ConsoleSpeaker;
  /** Roles given earlier, so `as dana` after `as dana:staff` keeps staff. */
  private readonly knownRoles = new Map<string, Role>();
  private readonly runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  private threadNumber = 1;
  private messageNumber = 0;
  /** Styling shortcut for commands. */
  readonly paint: Paint = (style, text) => this.output.paint(style, text);

  constructor(options: ConsoleSessionOptions) {
    this.engine = options.engine;
    this.channel = options.channel;
    this.output = options.output;
    this.logger = options.logger;
    this.echo = options.echo;
    this.speaker = options.speaker;
    this.knownRoles.set(options.speaker.userId, options.speaker.role);
  }

  /** The thread on screen: a fresh one per run, so a new start never lands in an old hand-off. */
  get threadId(): string {
    return `main-${this.runId}${this.threadNumber > 1 ? `-${this.threadNumber}` : ''}`;
  }

  /** The conversation the operator is typing in. */
  get conversation(): ConversationRef {
    return { platform: CONSOLE_PLATFORM, workspaceId: CONSOLE_WORKSPACE, channelId: CONSOLE_CHANNEL, threadId: this.threadId };
  }

  /** The current speaker as the engine sees them. */
  get caller(): Caller {
    return this.callerFor(this.speaker.userId, this.speaker.role, this.speaker.roleSource);
  }

  /** The prompt, naming who is speaking. */
  get prompt(): string {
    return `${this.speaker.userId} (${this.speaker.role})> `;
  }

  /** A caller for `user`, with the role given, the one they had before, or member. */
  resolveCaller(userId: string, role: Role | undefined): Caller {
    if (role) this.knownRoles.set(userId, role);
    return this.callerFor(userId, role ?? this.knownRoles.get(userId) ?? 'member', 'console:as');
  }

  /** Switch who is speaking. */
  switchSpeaker(caller: Caller): void {
    this.speaker = { userId: caller.userId, role: caller.role, roleSource: caller.roleSource ?? 'console:as' };
  }

  /** Start a new thread, which the engine treats as a new session. */
  newThread(): string {
    this.threadNumber += 1;
    return this.threadId;
  }

  /** Handle one line: a slash command or a message to the bot. Never throws. */
  async handleLine(raw: string): Promise<LineOutcome> {
    const line = raw.replace(/\r$/, '');
    const text = line.trim();
    if (this.echo && text !== '') this.output.print(labelled(this.output.paint('bold', `${this.speaker.userId}>`), line, this.speaker.userId.length + 1));
    if (text === '') {
      this.output.print(formatError('empty message ignored: type a question for the bot, or /help for commands.', this.paint));
      return 'continue';
    }
    try {
      if (text.startsWith('/')) return await runConsoleCommand(this, text);
      await this.sendMessage(line);
    } catch (error) {
      // The engine should not throw, but the terminal must outlive a bug.
      this.logger.error({ err: describeError(error) }, 'console line failed');
      this.output.print(formatError(`that failed unexpectedly (${describeError(error)}); the console is still running.`, this.paint));
    }
    return 'continue';
  }

  private async sendMessage(text: string): Promise<void> {
    this.messageNumber += 1;
    const result = await this.engine.handleMessage({
      conversation: this.conversation,
      caller: this.caller,
      text,
      messageId: `${this.runId}-${this.messageNumber}`,
    });
    if (result.status === 'handed_off') {
      const note = hasRole(this.speaker.role, 'staff')
        ? 'recorded in the thread; the bot stays quiet until you /handback.'
        : 'this thread is with a person from the team, so the bot stays quiet (staff: /handback gives it back).';
      this.output.print(formatInfo(note, this.paint));
    }
  }

  private callerFor(userId: string, role: Role, roleSource: string): Caller {
    return { userId, platform: CONSOLE_PLATFORM, displayName: userId, role, roleSource };
  }
}
