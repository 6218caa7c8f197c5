import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, readAudit, removeWorkspaces, runConsole, type ConsoleRun } from './console-process';

const SCRIPT = [
  '/good',
  'Where is my order ORD-1001?',
  '/good',
  '/bad it was not as quick as I hoped',
  '/good extra',
  '/solved',
  '/status as root:admin',
  '/new',
  'Why was I charged twice?',
  '/human',
  '/quit',
];

let run: ConsoleRun;

beforeAll(async () => {
  run = await runConsole(SCRIPT);
}, 30_000);
afterAll(() => removeWorkspaces());

describe('console feedback commands', () => {
  it('/good and /bad [reason] rate the answer; the reason reaches on-call but only sealed in the audit', () => {
    expect(answerTo(run.stdout, '/good')).toBe('error: no conversation here yet: ask something first.\n');
    expect(answerTo(run.stdout, '/good', 1)).toContain('Thanks for the feedback!');
    expect(answerTo(run.stdout, '/bad it was not as quick as I hoped')).toContain('[on-call]');
    expect(answerTo(run.stdout, '/bad it was not as quick as I hoped')).toContain('it was not as quick as I hoped');
    expect(answerTo(run.stdout, '/good extra')).toBe('error: too many arguments; usage: /good [as user:role]\n');
    const audit = readAudit(run.workspace);
    const feedback = audit.filter((e) => e.event === 'feedback');
    expect(feedback.map((e) => e.rating)).toEqual(['up', 'down']);
    expect(JSON.stringify(audit)).not.toContain('quick as I hoped');
  });

  it('/solved resolves the conversation and /status shows the outcome to an admin', () => {
    expect(answerTo(run.stdout, '/solved')).toMatch(/Glad that's sorted/);
    const status = answerTo(run.stdout, '/status as root:admin');
    expect(status).toContain('Conversations ended: 1 (resolved by the bot 1');
    expect(status).toContain('CSAT 50% (1 up, 1 down)');
  });

  it('/human hands the thread to on-call with trigger user_request', () => {
    expect(answerTo(run.stdout, '/human')).toMatch(/human teammate/);
    const escalations = (readAudit(run.workspace)).filter((e) => e.event === 'escalation');
    expect(escalations).toEqual([expect.objectContaining({ trigger: 'user_request' })]);
  });
});
