import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MALFORMED_BODIES } from './malformed-bodies-child';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = path.join(ROOT, 'test/slack/malformed-bodies-child.ts');

/** Run the child script (real Bolt receiver in its own process, so a crash is observable). */
function runChild(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', path.join(ROOT, 'node_modules/tsx/dist/loader.mjs'), CHILD], { cwd: ROOT, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('correctly signed bodies that are not Slack objects', () => {
  it('each gets a 4xx (or a 200 ignore), the process survives, and a valid mention is still answered', async () => {
    const run = await runChild();
    expect(run.stderr).not.toMatch(/TypeError|Unhandled|uncaught/i);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { statuses: Record<string, number>; validStatus: number; answered: string[] };
    for (const shape of MALFORMED_BODIES) {
      const status = result.statuses[shape.name];
      expect({ shape: shape.name, ok: status !== undefined && ((status >= 400 && status < 500) || status === 200) }).toEqual({ shape: shape.name, ok: true });
    }
    // Non-object bodies are refused outright rather than handed to Bolt.
    for (const name of ['json null', 'json array', 'json number', 'json string', 'json true', 'form payload null', 'event null']) expect(result.statuses[name]).toBe(400);
    expect(result.validStatus).toBe(200);
    expect(result.answered).toEqual([expect.stringContaining('still there?')]);
  }, 30_000);
});
