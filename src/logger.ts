import pino from 'pino';
import { scrubDeep, scrubText } from './audit/redact';
import { currentTurn } from './observability/turn-context';
import type { Logger } from './ports';

/** Paths pino masks outright; free text is scrubbed by the formatter below. */
const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'password',
  'authorization',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** File descriptor or path; default stdout. Console mode logs to stderr to keep stdout for the chat. */
  destination?: number | string;
  /** `json` (default, for machines) or `pretty` (one readable line per entry, for people). */
  format?: 'json' | 'pretty';
}

/** The application logger: JSON lines (or pretty ones), secrets masked, personal data scrubbed, turn ids attached. */
export function createLogger(options: LoggerOptions): Logger {
  const dest = options.destination ?? 1;
  const destination =
    options.format === 'pretty'
      ? pino.transport({ target: 'pino-pretty', options: { destination: dest, colorize: false, mkdir: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } })
      : pino.destination({ dest, sync: false, mkdir: true });
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      // Lines written while a turn runs say which turn and session they belong to.
      mixin: () => currentTurn() ?? {},
      formatters: {
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      hooks: {
        // Messages are free text too.
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
