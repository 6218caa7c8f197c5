import { afterAll, describe, expect, it } from 'vitest';
import { readAudit, removeWorkspaces, startConsoleProcess } from './console-process';

afterAll(() => removeWorkspaces());

describe('shutdown', () => {
  it('SIGINT mid-session exits 0 with a complete audit log, and a pending approval survives the restart', async () => {
    // stdin stays open, as when someone is typing: only the signal ends the process.
    const first = startConsoleProcess();
    first.send('Why was I charged twice?');
    first.send('I want a refund');
    await first.waitFor('who decides:');
    const id = /\[approval (apr_[\w-]+)\]/.exec(first.stdout())?.[1] ?? 'missing';
    first.child.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const audit = readAudit(first.workspace);
    expect(audit.map((r) => r.event)).toEqual(expect.arrayContaining(['inbound_message', 'tool_call', 'approval_requested']));
    expect(audit.filter((r) => r.event === 'inbound_message')).toHaveLength(2);

    // Same data directory: the approval, the paused run and the helpdesk were all persisted.
    const second = startConsoleProcess({ workspace: first.workspace });
    second.send(`/approve ${id} as dana:staff`);
    await second.waitFor(/Done: refund REF-\d+/);
    second.child.stdin.end();
    expect((await second.exited).code).toBe(0);
    // The decision resumes the previous run's thread, so the reply is tagged with it.
    expect(second.stdout()).toMatch(/\[thread main-[\w-]+\]\nbot> Done: refund/);
    expect(readAudit(first.workspace)).toContainEqual(expect.objectContaining({ event: 'tool_call', tool_name: 'issue_refund', approval_id: id, success: true }));
  }, 40_000);

  it('SIGTERM while idle exits 0', async () => {
    const proc = startConsoleProcess();
    proc.send('Where is my order ORD-1001?');
    await proc.waitFor('Estimated delivery');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(readAudit(proc.workspace).filter((r) => r.event === 'tool_call')).toHaveLength(1);
  }, 30_000);
});
