import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerTo, makeWorkspace, removeWorkspaces, runConsole, STACK_FRAME } from './console-process';

afterAll(() => removeWorkspaces());

describe('start-up', () => {
  it('warns about a misspelled variable, naming it and the closest known name, and still starts', async () => {
    const run = await runConsole(['/quit'], { env: { SLACK_ONCALL_CHANEL: 'C0ONCALL', BUDGET_MONTHY_USD: '5' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('support-agent: warning: SLACK_ONCALL_CHANEL is not a setting this app reads and is ignored (did you mean SLACK_ONCALL_CHANNEL?).');
    expect(run.stderr).toContain('BUDGET_MONTHY_USD is not a setting this app reads and is ignored (did you mean BUDGET_MONTHLY_USD?).');
  }, 30_000);

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh' }, 'SLACK_ONCALL_CHANNEL'],
    [{ DISCORD_BOT_TOKEN: 'discord-token-value' }, 'DISCORD_ONCALL_CHANNEL'],
  ])('a platform without an on-call channel (%j) refuses to start, naming %s, before creating any data', async (env, variable) => {
    const run = await runConsole([], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`support-agent cannot start: `);
    expect(run.stderr).toContain(`${variable} is required`);
    expect(run.stderr).toContain(`Fix ${variable} (environment or .env)`);
    expect(existsSync(run.workspace.dataDir)).toBe(false);
  }, 30_000);

  it('an invalid --role exits 1 with one line naming it, before creating any data', async () => {
    const run = await runConsole(['hello'], { args: ['--role', 'superuser'] });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'support-agent cannot start: --role "superuser" is not a role: use one of guest, member, staff, admin. Fix --role (command line) and start again.',
    ]);
    expect(existsSync(run.workspace.dataDir)).toBe(false);
  }, 30_000);

  it('a ConfigError (BUDGET_MONTHLY_USD=abc) exits 1 naming the variable, with no stack trace', async () => {
    const run = await runConsole(['hello'], { env: { BUDGET_MONTHLY_USD: 'abc' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('support-agent cannot start: Invalid configuration: BUDGET_MONTHLY_USD must be a number.');
    expect(run.stderr).toContain('Fix BUDGET_MONTHLY_USD (environment or .env)');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  }, 30_000);

  it('an agent configuration file naming a tool group nobody provides exits 1 naming AGENT_CONFIG, the entry and the groups there are', async () => {
    const workspace = makeWorkspace();
    writeFileSync(path.join(workspace.cwd, 'agent.yaml'), 'channels:\n  C0BILLING:\n    tools: [billing]\n    respond: all\n');
    const run = await runConsole(['hello'], { workspace, env: { AGENT_CONFIG: 'agent.yaml' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('support-agent cannot start: AGENT_CONFIG: ');
    expect(run.stderr).toContain('channels.slack:C0BILLING.tools: unknown tool group "billing" (tool groups here: helpdesk, code; MCP servers: none)');
    expect(run.stderr).toContain('Fix AGENT_CONFIG (environment or .env)');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  }, 30_000);

  it('reads .env from the working directory; real environment variables win over it', async () => {
    const workspace = makeWorkspace();
    writeFileSync(path.join(workspace.cwd, '.env'), 'CONSOLE_USER=carol\nCONSOLE_ROLE=admin\nBUDGET_USER_DAILY_USD=5\n');
    const run = await runConsole(['/as', '/cost', 'Where is my order ORD-1007?'], { workspace, env: { CONSOLE_ROLE: 'staff' } });
    expect(run.code).toBe(0);
    expect(answerTo(run.stdout, '/as')).toBe('-- you are speaking as carol (staff).\n');
    expect(answerTo(run.stdout, '/cost')).toContain('of $5.00 daily limit');
    // The demo helpdesk links console user carol to her own orders.
    expect(answerTo(run.stdout, 'Where is my order ORD-1007?')).toContain('ORD-1007 is processing');
    expect(run.stderr).toContain('console: you are carol (staff)');
  }, 30_000);

  it('--user and --role win over CONSOLE_USER and CONSOLE_ROLE; an admin sees /cost all', async () => {
    const run = await runConsole(['/as', '/cost all'], { args: ['--user', 'bob', '--role=admin'], env: { CONSOLE_USER: 'carol', CONSOLE_ROLE: 'guest' } });
    expect(run.code).toBe(0);
    expect(answerTo(run.stdout, '/as')).toBe('-- you are speaking as bob (admin).\n');
    expect(answerTo(run.stdout, '/cost all')).toContain('Month to date:');
  }, 30_000);

  it('empty input closes cleanly with exit 0 and nothing on stdout', async () => {
    const run = await runConsole([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('running console');
  }, 30_000);
});
