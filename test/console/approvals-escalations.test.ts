import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, readAudit, removeWorkspaces, runConsole, type ConsoleRun } from './console-process';

// The operator plays every part from one terminal: alice asks, dana (staff) decides and takes over.
const SCRIPT = [
  'Why was I charged twice?',
  'I want a refund',
  '/approve',
  '/approve as dana',
  '/approve as dana:staff',
  '/approve as dana:staff',
  '/new',
  'I want a refund for ORD-1002',
  '/deny as dana:staff',
  '/approve apr_doesnotexist as dana:staff',
  '/new',
  'I want to speak to your manager immediately!',
  'Hello? Is anyone there?',
  '/claim',
  '/claim as dana:staff',
  '/as dana:staff',
  'Hi Alice, Dana here. I will sort this out.',
  '/handback as alice',
  '/handback',
  '/as alice',
  'Where is my order ORD-1001?',
];

let run: ConsoleRun;

beforeAll(async () => {
  run = await runConsole(SCRIPT);
}, 30_000);
afterAll(() => removeWorkspaces());

describe('approvals in the console', () => {
  it('refuses a self-approval and a member, then a staff approval runs the refund and the bot reports it', () => {
    expect(run.code).toBe(0);
    const card = answerTo(run.stdout, 'I want a refund');
    const id = /\[approval (apr_[\w-]+)\]/.exec(card)?.[1] ?? 'missing';
    expect(answerTo(run.stdout, '/approve')).toBe(
      `error: ${id}: You can't approve your own request: it needs a staff member or admin other than you. (you are alice, member)\n`,
    );
    expect(answerTo(run.stdout, '/approve as dana')).toMatch(/^error: .*can decide this; your role here is member\. \(you are dana, member\)\n$/);
    const approved = answerTo(run.stdout, '/approve as dana:staff');
    expect(approved).toContain(`[approval ${id}] approved by dana: Refund $29.00 for charge ch_3006`);
    expect(approved).toMatch(/bot> Done: refund REF-\d+ of \$29\.00 for charge ch_3006 has been issued\./);
    // Nothing is left to approve: one clear line, no second refund.
    expect(answerTo(run.stdout, '/approve as dana:staff', 1)).toBe('error: no approval is waiting here; give its id: /approve apr_… [as user:role].\n');
  });

  it('a staff denial reaches the bot, which tells the customer nothing was changed', () => {
    const card = answerTo(run.stdout, 'I want a refund for ORD-1002');
    const id = /\[approval (apr_[\w-]+)\]/.exec(card)?.[1] ?? 'missing';
    expect(card).toContain('Refund $45.00 for order ORD-1002');
    const denied = answerTo(run.stdout, '/deny as dana:staff');
    expect(denied).toContain(`[approval ${id}] denied by dana: Refund $45.00 for order ORD-1002`);
    expect(denied).toContain('nothing was changed');
  });

  it('an unknown approval id is one error line', () => {
    expect(answerTo(run.stdout, '/approve apr_doesnotexist as dana:staff')).toBe('error: apr_doesnotexist: This approval request no longer exists.\n');
  });

  it('audits the request, the refusals, the decisions and the refund with its approver', () => {
    const audit = readAudit(run.workspace);
    expect(audit.filter((r) => r.event === 'approval_decision_refused').map((r) => r.user_id)).toEqual(['alice', 'dana']);
    expect(audit.filter((r) => r.event === 'approval_decided').map((r) => r.decision)).toEqual(['approved', 'denied']);
    expect(audit).toContainEqual(expect.objectContaining({ event: 'tool_call', tool_name: 'issue_refund', approved_by: 'dana', success: true }));
  });
});

describe('escalation, claim and hand-back in the console', () => {
  it('the bot stays quiet while the thread is handed off', () => {
    expect(answerTo(run.stdout, 'Hello? Is anyone there?')).toBe(
      '-- this thread is with a person from the team, so the bot stays quiet (staff: /handback gives it back).\n',
    );
  });

  it('only staff can claim; the claim updates on-call and tells the customer', () => {
    const escalation = answerTo(run.stdout, 'I want to speak to your manager immediately!');
    const id = /\[on-call\] Escalation (esc_[\w-]+)/.exec(escalation)?.[1] ?? 'missing';
    expect(answerTo(run.stdout, '/claim')).toBe(`error: ${id}: Only support staff can claim escalations. (you are alice, member)\n`);
    const claimed = answerTo(run.stdout, '/claim as dana:staff');
    expect(claimed).toContain(`[on-call] Escalation ${id} claimed by dana`);
    expect(claimed).toContain('bot> dana from the support team has picked this up.');
  });

  it('staff can speak in the thread, a member cannot hand back, staff can; then the bot answers again', () => {
    expect(answerTo(run.stdout, '/as dana:staff')).toBe('-- now speaking as dana (staff).\n');
    expect(answerTo(run.stdout, 'Hi Alice, Dana here. I will sort this out.')).toContain('the bot stays quiet until you /handback');
    expect(answerTo(run.stdout, '/handback as alice')).toBe('error: Only support staff can hand a conversation back to the bot.\n');
    const back = answerTo(run.stdout, '/handback');
    expect(back).toContain('closed: handed back to the bot');
    expect(back).toContain("bot> dana handed this conversation back to me.");
    expect(answerTo(run.stdout, 'Where is my order ORD-1001?')).toContain('ORD-1001 is shipped');
  });

  it('audits the escalation, the refused and accepted claim, and the hand-back', () => {
    const events = readAudit(run.workspace).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['escalation', 'escalation_claim_refused', 'escalation_claimed', 'handback_refused', 'handback']));
    expect(events.indexOf('escalation_claimed')).toBeGreaterThan(events.indexOf('escalation_claim_refused'));
  });
});
