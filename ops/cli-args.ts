import { parseSince } from '../src/ops/since';

/** Parsed command line of `npm run ops -- <command> [args] [--flag value] [--json]`. */
export interface OpsArgs {
  command: string;
  positional: string[];
  flags: Map<string, string>;
  json: boolean;
}

/** Thrown for a command line that cannot be run; the message is the hint shown. */
export class UsageError extends Error {}

const VALUE_FLAGS = new Set(['user', 'since', 'until', 'event', 'tool', 'session', 'by', 'limit', 'days']);

export function parseOpsArgs(argv: readonly string[]): OpsArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') positional.unshift('help');
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else positional.push(arg);
  }
  return { command: positional.shift() ?? 'help', positional, flags, json };
}

/** Like `parseSince` from the read model, but a bad time is a usage error. */
export function parseTime(text: string, now: number): number {
  const at = parseSince(text, now);
  if (at === undefined) throw new UsageError(`cannot read the time "${text}": use 30m, 12h, 1d, 2w or an ISO date like 2026-11-22T10:00Z`);
  return at;
}
