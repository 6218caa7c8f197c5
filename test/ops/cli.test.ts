import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpsScenario, type OpsScenario } from './ops-scenario';

let s: OpsScenario;

beforeAll(async () => {
  // The CLI uses the real clock, so the conversations happen "now".
  s = await runOpsScenario(Date.now() - 5 * 60_000);
});
afterAll(async () => s?.h.close());

/** `node --import tsx ops/cli.ts …` (what `npm run ops` runs, without npx's start-up) as a child process, against the scenario's data directory while the engine is still open. */
function ops(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'ops/cli.ts', ...args],
      { env: { ...process.env, DATA_DIR: s.h.dataDir, ENCRYPTION_KEY: '', STORE_URL: '', AUDIT_LOG_PATH: '', ...env }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const json = async (args: string[]) => {
  const run = await ops([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as unknown;
};

// Each run starts tsx (about a second of CPU); the machine is shared, so allow for slow starts.
describe('ops CLI as a child process', { timeout: 180_000 }, () => {
  it('status, approvals and escalations as JSON', async () => {
    const [status, approvals, escalations] = await Promise.all([json(['status']), json(['approvals']), json(['escalations'])]);
    expect(status).toMatchObject({ pendingApprovals: 1, openEscalations: 1, conversations: 3, turnsLast24h: 4, solvedLast24h: 2, escalatedLast24h: 1 });
    expect(approvals).toMatchObject({ pending: [{ id: s.approvalId, toolName: 'issue_refund', requester: { userId: 'U_BOB' } }], decided: [] });
    expect(escalations).toMatchObject([{ id: s.escalationId, status: 'open', trigger: 'user_request' }]);
  });

  it('conversations filtered by user and time, a redacted transcript, audit search and cost by model', async () => {
    const [mine, none, transcript, audit, cost] = await Promise.all([
      json(['conversations', '--user', 'U_ALICE', '--since', '1d']),
      json(['conversations', '--since', '1m']),
      json(['transcript', s.answeredSession]),
      json(['audit', '--event', 'approval_requested', '--since', '1h']),
      json(['cost', '--by', 'model']),
    ]);
    expect(mine).toMatchObject([{ sessionId: s.answeredSession, outcome: 'answered', turns: 2 }]);
    expect(none).toEqual([]);
    const entries = (transcript as { entries: Array<{ role: string; text: string }> }).entries;
    expect(entries[0]).toEqual({ role: 'user', text: 'Hi, my email is [REDACTED_EMAIL]. Where is my order ORD-1001?' });
    expect(audit).toMatchObject([{ event: 'approval_requested', user_id: 'U_BOB', tool_name: 'issue_refund', approval_id: s.approvalId }]);
    expect(cost).toMatchObject([{ label: 'gpt-4o-mini' }]);
  });

  it('prints readable tables by default', async () => {
    const run = await ops(['approvals']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Waiting \(1\)\nID +TOOL +ACTION +REQUESTER/);
    expect(run.stdout).toContain('Refund $120.00 on order ORD-1042');
  });

  it('says clearly when the key is not the bot’s, and on a bad command line', async () => {
    const wrongKey = await ops(['conversations'], { ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^ops: 3 session record\(s\) could not be decrypted: use the same ENCRYPTION_KEY as the bot/);
    expect(wrongKey.stdout).toBe('');
    const usage = await ops(['cost', '--by', 'planet']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--by must be user, model or day');
  });
});
