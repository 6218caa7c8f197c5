import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, exchanges, readAudit, removeWorkspaces, runConsole, type ConsoleRun } from './console-process';

const SCRIPT = [
  'Where is my order ORD-1001?',
  '/status',
  '/cost',
  '/cost all',
  '/cost all as root:admin',
  '/cost everything',
  '/help',
  '/dance',
  '',
  '   ',
  '/as bob:king',
  '/as bob:staff extra',
  '/approve as',
  '/claim esc_a esc_b',
  '/handback',
  '/as carol',
  '/as',
  '/quit',
  'This line comes after /quit and must not be read.',
];

let run: ConsoleRun;

beforeAll(async () => {
  run = await runConsole(SCRIPT);
}, 30_000);
afterAll(() => removeWorkspaces());

describe('console commands', () => {
  it('/status reports the engine: offline model, activity, nothing waiting', () => {
    const status = answerTo(run.stdout, '/status');
    expect(status).toMatch(/^Support bot status\nService:\n {2}Version \d+\.\d+\.\d+, up /);
    expect(status).toContain('Model: offline (offline mode: built-in rules, no AI calls)');
    expect(status).toContain('Turns: 1, errors: 0');
    expect(status).toContain('Pending approvals: 0');
    expect(status).toContain('Open escalations: 0');
  });

  it('/cost shows your usage; /cost all is refused for a member and shown to an admin', () => {
    expect(answerTo(run.stdout, '/cost')).toMatch(/Your usage today:\n {2}\$0\.00 of \$2\.00 daily limit/);
    expect(answerTo(run.stdout, '/cost all')).toBe('error: Only workspace admins can see costs for everyone. "/cost" shows your own usage.\n');
    const all = answerTo(run.stdout, '/cost all as root:admin');
    expect(all).toContain('Month to date:\n  $0.00 of $200.00 budget');
    expect(all).toContain('By model:');
    expect(answerTo(run.stdout, '/cost everything')).toBe('error: usage: /cost or /cost all\n');
  });

  it('/help lists the console commands', () => {
    const help = answerTo(run.stdout, '/help');
    expect(help).toContain('Support bot help');
    for (const command of ['/approve [id]', '/deny [id]', '/claim [id]', '/handback', '/as [user[:role]]', '/new', '/cost [all]', '/status']) {
      expect(help).toContain(command);
    }
    expect(help).not.toContain('/support');
  });

  it('bad input gives one clear error line each and the console carries on', () => {
    const answers = exchanges(run.stdout);
    // Blank lines are not echoed; each gets its own error under the previous exchange.
    expect(answers.find((e) => e.input === '/dance')?.output.split('\n')).toEqual([
      'error: unknown command "/dance"; type /help for the list.',
      'error: empty message ignored: type a question for the bot, or /help for commands.',
      'error: empty message ignored: type a question for the bot, or /help for commands.',
      '',
    ]);
    expect(answerTo(run.stdout, '/as bob:king')).toBe('error: "king" is not a role: use one of guest, member, staff, admin.\n');
    expect(answerTo(run.stdout, '/as bob:staff extra')).toBe('error: usage: /as <user>[:<role>], e.g. /as dana:staff.\n');
    expect(answerTo(run.stdout, '/approve as')).toMatch(/^error: write "as" last, followed by one speaker/);
    expect(answerTo(run.stdout, '/claim esc_a esc_b')).toBe('error: too many arguments; usage: /claim [id] [as user:role]\n');
    expect(answerTo(run.stdout, '/handback')).toBe('error: Only support staff can hand a conversation back to the bot.\n');
  });

  it('/as switches the speaker (a new user is a member) and /as alone says who you are', () => {
    expect(answerTo(run.stdout, '/as carol')).toBe('-- now speaking as carol (member).\n');
    expect(answerTo(run.stdout, '/as')).toBe('-- you are speaking as carol (member).\n');
    expect(exchanges(run.stdout).find((e) => e.input === '/as')?.speaker).toBe('carol');
  });

  it('/quit stops reading, closes cleanly and exits 0', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('must not be read');
    const audit = readAudit(run.workspace);
    expect(audit.filter((r) => r.event === 'inbound_message')).toHaveLength(1);
    expect(audit.filter((r) => r.event === 'command').map((r) => [r.command, r.user_id, r.role])).toEqual([
      ['status', 'alice', 'member'],
      ['cost', 'alice', 'member'],
      ['cost', 'alice', 'member'],
      ['cost', 'root', 'admin'],
      ['help', 'alice', 'member'],
      ['handback', 'alice', 'member'],
    ]);
  });
});
