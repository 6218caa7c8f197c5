import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, exchanges, readAudit, removeWorkspaces, runConsole, type ConsoleRun } from './console-process';

// One process plays every demo scenario, each in its own thread (/new), as `printf … | npm start` would.
const SCENARIOS = [
  "I can't access my account",
  'Why was I charged twice?',
  'My application keeps crashing',
  'Where is my order ORD-1001?',
  'I want a refund',
  'I want to speak to your manager immediately!',
  // Carries an email address into a tool call (the ticket text), so the audit must show it redacted.
  'Open a ticket: please send my receipts to alice.martin@example.com',
];

let run: ConsoleRun;

beforeAll(async () => {
  run = await runConsole(SCENARIOS.flatMap((text, i) => (i === 0 ? [text] : ['/new', text])));
}, 30_000);
afterAll(() => removeWorkspaces());

describe('the six demo scenarios in the console, offline', () => {
  it('exits 0 at end of input after answering everything, in order', () => {
    expect(run.code).toBe(0);
    const typed = exchanges(run.stdout).map((e) => e.input);
    expect(typed).toEqual(SCENARIOS.flatMap((text, i) => (i === 0 ? [text] : ['/new', text])));
    // The last line was answered before the process closed.
    expect(answerTo(run.stdout, SCENARIOS.at(-1)!)).toContain('bot> ');
  });

  it("account access: searches the help center and offers a reset link", () => {
    const answer = answerTo(run.stdout, "I can't access my account");
    expect(answer).toMatch(/^bot> Sorry you're having trouble getting in\./);
    expect(answer).toContain("Can't sign in? Reset your password or unlock your account");
    expect(answer).toContain('Would you like me to send a password reset link');
  });

  it('double charge: finds both charges from the invoices', () => {
    const answer = answerTo(run.stdout, 'Why was I charged twice?');
    expect(answer).toContain('charged $29.00 twice');
    expect(answer).toContain('ch_3005 and ch_3006');
    // Markdown is turned into plain text for the terminal.
    expect(answer).not.toMatch(/\*\*|`/);
  });

  it('app crash: reports the known incident and the help article', () => {
    const answer = answerTo(run.stdout, 'My application keeps crashing');
    expect(answer).toContain('Known issue: Desktop app 4.2.0 crashes on startup on Windows');
    expect(answer).toContain('Update to 4.2.1');
    expect(answer).toContain('open a support ticket');
  });

  it('order lookup: status, carrier and tracking of ORD-1001', () => {
    const answer = answerTo(run.stdout, 'Where is my order ORD-1001?');
    expect(answer).toContain('ORD-1001 is shipped');
    expect(answer).toContain('UPS, tracking number 1Z999AA10123456784');
    // Continuation lines are indented under the bot label.
    expect(answer).toMatch(/\n {5}- Items: 1 × Aurora Wireless Headphones/);
  });

  it('refund: shows an approval card with action, arguments, requester, deciders, expiry and how to decide', () => {
    const card = answerTo(run.stdout, 'I want a refund');
    const id = /\[approval (apr_[\w-]+)\] waiting for a decision/.exec(card)?.[1];
    expect(id).toBeDefined();
    expect(card).toContain('action:       Refund $29.00 for charge ch_3006');
    expect(card).toContain('tool:         issue_refund chargeId=ch_3006 amountUsd=29 reason="Duplicate charge');
    expect(card).toContain('requested by: alice');
    expect(card).toContain('who decides:  a staff member or admin, not the requester');
    expect(card).toMatch(/expires: {6}in 15 min \(at \d\d:\d\d\)/);
    expect(card).toContain(`/approve ${id} as dana:staff  or  /deny ${id} as dana:staff`);
  });

  it('manager: escalates at once with a marked on-call notice and a claim hint', () => {
    const answer = answerTo(run.stdout, 'I want to speak to your manager immediately!');
    const id = /\[on-call\] Escalation (esc_[\w-]+), urgency HIGH: Customer asked for a manager/.exec(answer)?.[1];
    expect(id).toBeDefined();
    expect(answer).toContain('[on-call]   Customer said: “I want to speak to your manager immediately!”');
    expect(answer).toContain(`[on-call]   claim it: /claim ${id} as dana:staff`);
    expect(answer).toContain("bot> Of course — I've asked a human teammate to join.");
    expect(answer).toContain(`(Reference: ${id})`);
  });

  it('each /new starts a different thread', () => {
    const threads = exchanges(run.stdout)
      .filter((e) => e.input === '/new')
      .map((e) => /new conversation started \(thread (\S+)\)/.exec(e.output)?.[1]);
    expect(threads).toHaveLength(SCENARIOS.length - 1);
    expect(new Set(threads).size).toBe(threads.length);
  });

  it('keeps stdout to the conversation: no colours, no log lines; the banner is on stderr', () => {
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout).not.toMatch(/^\{"level"/m);
    expect(run.stdout).not.toContain('support-agent 0.');
    expect(run.stderr).toContain('running console');
    expect(run.stderr).toContain('offline mode');
    expect(run.stderr).toContain('OPENAI_API_KEY');
    expect(run.stderr).toContain(run.workspace.dataDir);
  });

  it('writes a complete audit trail: every tool call, the approval request, the escalation, no plaintext personal data', () => {
    const audit = readAudit(run.workspace);
    const tools = audit.filter((r) => r.event === 'tool_call').map((r) => r.tool_name);
    expect(tools).toEqual(expect.arrayContaining(['search_knowledge_base', 'list_invoices', 'check_service_status', 'look_up_order']));
    expect(audit).toContainEqual(expect.objectContaining({ event: 'approval_requested', tool_name: 'issue_refund', user_id: 'alice' }));
    expect(audit).toContainEqual(expect.objectContaining({ event: 'escalation', trigger: 'user_request', urgency: 'high' }));
    expect(audit.filter((r) => r.event === 'inbound_message')).toHaveLength(SCENARIOS.length);
    const text = JSON.stringify(audit);
    expect(text).toContain('[REDACTED_EMAIL]');
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    // Message text is sealed, never stored in the clear.
    expect(text).not.toContain('charged twice');
  });
});
