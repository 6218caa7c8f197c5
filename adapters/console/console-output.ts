/** Text styles the console uses; plain text when colour is off. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';

const ANSI: Record<Style, [string, string]> = {
  bold: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  red: ['\x1b[31m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  cyan: ['\x1b[36m', '\x1b[39m'],
  magenta: ['\x1b[35m', '\x1b[39m'],
};

/** Where console output goes; a TTY gets a prompt, a working indicator and (unless NO_COLOR) colour. */
export interface ConsoleOutputOptions {
  stream: NodeJS.WritableStream;
  /** A person is typing at a terminal: keep the prompt intact around asynchronous output. */
  interactive: boolean;
  color: boolean;
}

/** Colour only for a terminal that wants it (https://no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/**
 * Writes the conversation to stdout. Engine callbacks (sweeper expiries,
 * on-call reminders) can arrive while the operator is typing, so in a
 * terminal the prompt line is cleared first and redrawn after.
 */
export class ConsoleOutput {
  private readonly stream: NodeJS.WritableStream;
  private readonly interactive: boolean;
  private readonly color: boolean;
  private redraw: (() => void) | undefined;
  private idle = false;
  private status: string | undefined;

  constructor(options: ConsoleOutputOptions) {
    this.stream = options.stream;
    this.interactive = options.interactive;
    this.color = options.color;
  }

  /** Apply a style (no-op without colour). */
  paint(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = ANSI[style];
    return `${open}${text}${close}`;
  }

  /** How to redraw the prompt (with what the operator has typed so far). */
  setPromptRedraw(redraw: () => void): void {
    this.redraw = redraw;
  }

  /** The prompt is showing and nothing is running: asynchronous output must redraw it. */
  markIdle(): void {
    this.idle = true;
  }

  /** A line is being handled; the prompt comes back when it is done. */
  markBusy(): void {
    this.idle = false;
  }

  /** Print one block of text (may span lines). */
  print(text: string): void {
    this.clearLine();
    this.stream.write(`${text}\n`);
    if (this.status !== undefined) this.writeStatus();
    else if (this.idle) this.redraw?.();
  }

  /** Whether a person watches a terminal (streamed replies are shown only then; scripts get whole replies). */
  get isInteractive(): boolean {
    return this.interactive;
  }

  /** Write text as it arrives, without a line break (streamed replies). */
  write(text: string): void {
    if (this.status !== undefined) {
      this.clearLine();
      this.status = undefined;
    }
    this.stream.write(text);
  }

  /** Show a transient status line (e.g. "bot is working…"); terminals only. */
  showStatus(text: string): void {
    if (!this.interactive) return;
    this.clearLine();
    this.status = text;
    this.writeStatus();
  }

  /** Remove the status line. */
  clearStatus(): void {
    if (this.status === undefined) return;
    this.clearLine();
    this.status = undefined;
    if (this.idle) this.redraw?.();
  }

  private writeStatus(): void {
    this.stream.write(this.paint('dim', this.status ?? ''));
  }

  private clearLine(): void {
    if (this.interactive && (this.idle || this.status !== undefined)) this.stream.write('\r\x1b[K');
  }
}
