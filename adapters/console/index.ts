import { createInterface } from 'node:readline';
import type { Engine, Logger } from '../../src/ports';
import { ConsoleChannel } from './console-channel';
import type { ConsoleOptions } from './console-options';
import { ConsoleOutput, wantsColor } from './console-output';
import { ConsoleSession } from './console-session';

export { CONSOLE_USAGE, parseConsoleOptions, type ConsoleOptions, type ConsoleSpeaker } from './console-options';
export { ConsoleChannel, CONSOLE_PLATFORM } from './console-channel';

/** What `startConsole` needs. Streams default to the process's own. */
export interface StartConsoleOptions {
  engine: Engine;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Speaker and flags, parsed by the entry point before anything started. */
  options: ConsoleOptions;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
}

/** A running console channel. */
export interface ConsoleAdapter {
  /** Resolves once the operator has left (EOF, `/quit`, Ctrl-C at the prompt) and every line read was handled. */
  readonly done: Promise<void>;
  /** Stop reading; resolves when the line being handled is finished. Unread lines are dropped. */
  stop(): Promise<void>;
}

/**
 * Chat with the engine in the terminal. At a TTY it is interactive (prompt,
 * history, working indicator); otherwise it reads one message per line and
 * answers each before reading the next, so it can be scripted. The console is
 * also its own on-call and approval destination.
 */
export function startConsole(options: StartConsoleOptions): ConsoleAdapter {
  const input = options.input ?? process.stdin;
  const stream = options.output ?? process.stdout;
  const interactive = input.isTTY === true && stream.isTTY === true;
  const output = new ConsoleOutput({ stream, interactive, color: wantsColor(stream, options.env) });
  const now = options.now ?? (() => Date.now());
  // The channel asks for the thread only when printing, by which time the session exists.
  const channel: ConsoleChannel = new ConsoleChannel({ output, now, currentThread: () => session.threadId });
  const session: ConsoleSession = new ConsoleSession({
    engine: options.engine,
    channel,
    output,
    logger: options.logger.child({ platform: 'console' }),
    speaker: options.options.speaker,
    echo: !interactive,
  });
  options.engine.attach(channel);

  const rl = createInterface({ input, terminal: interactive, ...(interactive ? { output: stream, historySize: 200 } : {}) });
  let stopping = false;
  const showPrompt = () => {
    if (!interactive || stopping) return;
    rl.setPrompt(session.prompt);
    rl.prompt();
    output.markIdle();
  };
  output.setPromptRedraw(() => rl.prompt(true));
  // At a terminal, Ctrl-C reaches readline, not the process: treat it like leaving.
  rl.on('SIGINT', () => {
    stopping = true;
    output.markBusy();
    stream.write('\n');
    rl.close();
  });

  const done = (async () => {
    showPrompt();
    try {
      for await (const line of rl) {
        if (stopping) break;
        output.markBusy();
        if ((await session.handleLine(line)) === 'quit') break;
        showPrompt();
      }
    } finally {
      stopping = true;
      output.markBusy();
      rl.close();
    }
  })();

  return {
    done,
    async stop() {
      stopping = true;
      rl.close();
      await done;
    },
  };
}
