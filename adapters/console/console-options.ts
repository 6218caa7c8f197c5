import { ConfigError } from '../../src/errors';
import type { Role } from '../../src/ports';
import { ROLES } from '../../src/policy/roles';

/** Who is typing in the console, and why they have that role (for the audit trail). */
export interface ConsoleSpeaker {
  userId: string;
  role: Role;
  /** `console:--role`, `console:CONSOLE_ROLE`, `console:default` or `console:/as`. */
  roleSource: string;
}

/** Settings of the console channel, from flags and environment. */
export interface ConsoleOptions {
  speaker: ConsoleSpeaker;
  /** `--help` was given: print usage and exit. */
  help: boolean;
}

/** Usage text for `npm start -- --help`. */
export const CONSOLE_USAGE = `Usage: npm start -- [--user <name>] [--role guest|member|staff|admin]

  --user <name>   who you chat as in the console (default alice, or CONSOLE_USER)
  --role <role>   your role: guest, member, staff or admin (default member, or CONSOLE_ROLE)
  --help          show this help

The demo helpdesk knows the console users alice, bob and carol.
Type /help in the console for its commands.`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** Whether a string is one of the four roles. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** A user name, or undefined when it is not a plain console name. */
export function validName(value: string): string | undefined {
  return NAME.test(value) ? value : undefined;
}

/**
 * Parse `--user`/`--role` (flags win over CONSOLE_USER/CONSOLE_ROLE, which win
 * over alice/member). Bad values are ConfigErrors so the entry point reports
 * them like any other configuration mistake and exits 1 before anything starts.
 */
export function parseConsoleOptions(argv: readonly string[], env: Record<string, string | undefined>): ConsoleOptions {
  const flags = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--(user|role)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ConfigError(`Unknown command-line argument "${arg}"; the console accepts --user <name>, --role <role> and --help.`, [arg]);
    const name = match[1] ?? '';
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`--${name} needs a value, e.g. --${name} ${name === 'user' ? 'alice' : 'staff'}.`, [`--${name}`]);
    flags.set(name, value);
  }

  const userFrom = flags.has('user') ? '--user' : env.CONSOLE_USER?.trim() ? 'CONSOLE_USER' : undefined;
  const user = flags.get('user') ?? (env.CONSOLE_USER?.trim() || 'alice');
  if (!validName(user)) {
    throw new ConfigError(`${userFrom ?? 'CONSOLE_USER'} "${user}" is not a valid console user name: use letters, digits, dot, dash or underscore (up to 32).`, [userFrom ?? 'CONSOLE_USER']);
  }

  const roleFrom = flags.has('role') ? '--role' : env.CONSOLE_ROLE?.trim() ? 'CONSOLE_ROLE' : undefined;
  const role = (flags.get('role') ?? (env.CONSOLE_ROLE?.trim() || 'member')).toLowerCase();
  if (!isRole(role)) {
    throw new ConfigError(`${roleFrom ?? 'CONSOLE_ROLE'} "${role}" is not a role: use one of ${ROLES.join(', ')}.`, [roleFrom ?? 'CONSOLE_ROLE']);
  }
  return { speaker: { userId: user, role, roleSource: `console:${roleFrom ?? 'default'}` }, help };
}

/** Result of parsing `dana:staff` in `/as` or `… as dana:staff`. */
export type SpeakerSpec = { ok: true; userId: string; role?: Role } | { ok: false; message: string };

/** Parse `<user>[:<role>]`; the role is optional so a known user keeps theirs. */
export function parseSpeakerSpec(spec: string): SpeakerSpec {
  const [user = '', role, extra] = spec.split(':');
  if (extra !== undefined || !validName(user)) {
    return { ok: false, message: `"${spec}" is not a speaker: write <user> or <user>:<role>, e.g. dana:staff.` };
  }
  if (role === undefined) return { ok: true, userId: user };
  const lower = role.toLowerCase();
  if (!isRole(lower)) return { ok: false, message: `"${role}" is not a role: use one of ${ROLES.join(', ')}.` };
  return { ok: true, userId: user, role: lower };
}
