import { scrubText } from '../src/index';
import type { Logger } from '../src/index';

/** Options for {@link installProcessGuard}. */
export interface ProcessGuardOptions {
  /** Where to log once the app logger exists; before that, lines go to `write`. */
  logger(): Logger | undefined;
  /** True once start-up is complete: from then on the process keeps serving. */
  started(): boolean;
  /** Plain stderr writer (tests capture it). */
  write?: (line: string) => void;
  /** Ends the process when start-up itself failed; default `process.exit`. */
  exit?: (code: number) => void;
  /** The process to guard; default the current one. */
  target?: NodeJS.EventEmitter;
}

/**
 * Last line of defence against an error no code path caught (a library
 * rejecting inside a promise nobody awaits, a throw in a timer). Once the bot
 * is serving, one bad request must not take every conversation down: log it,
 * scrubbed of secrets and personal data, and keep going. During start-up the
 * same error means the bot never became healthy, so it exits 1.
 * Returns a function that removes the handlers.
 */
export function installProcessGuard(options: ProcessGuardOptions): () => void {
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.target ?? process;
  const handle = (kind: 'uncaughtException' | 'unhandledRejection') => (reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    const detail = scrubText(err.stack ?? `${err.name}: ${err.message}`);
    if (!options.started()) {
      write(`support-agent failed to start: ${kind}: ${scrubText(err.message)}`);
      exit(1);
      return;
    }
    const logger = options.logger();
    if (logger) logger.error({ kind, err: scrubText(err.message), stack: detail }, 'unexpected error; still serving');
    else write(`support-agent: ${kind} (still serving): ${detail}`);
  };
  const onException = handle('uncaughtException');
  const onRejection = handle('unhandledRejection');
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('uncaughtException', onException);
    target.off('unhandledRejection', onRejection);
  };
}
