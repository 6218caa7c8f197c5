import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log';
import { createLogger } from '../../src/logger';
import { MUST_REDACT } from './fixtures/redaction-corpus';

const tempFile = async (name: string) => path.join(await mkdtemp(path.join(tmpdir(), 'redact-paths-')), name);

/** pino writes asynchronously; wait until the expected number of lines is on disk. */
async function readLines(file: string, count: number): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    if (lines.length >= count) return lines;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`expected ${count} lines in ${file}`);
}

describe('every log and audit line goes through the scrubber', () => {
  it('application log lines: message, free-text fields and errors', async () => {
    const file = await tempFile('app.log');
    const logger = createLogger({ level: 'info', destination: file });
    for (const leak of MUST_REDACT) logger.info({ detail: leak.text, err: new Error(leak.text) }, leak.text);
    const lines = await readLines(file, MUST_REDACT.length);
    MUST_REDACT.forEach((leak, i) => {
      expect(lines[i]).toContain('[REDACTED');
      // JSON escapes newlines and quotes; compare against the escaped secret too.
      for (const form of [leak.secret, JSON.stringify(leak.secret).slice(1, -1)]) expect(lines[i]).not.toContain(form);
    });
  });

  it('audit lines, including a forged *_sealed value', async () => {
    const file = await tempFile('audit.log');
    const audit = createAuditLog({ path: file, now: () => Date.UTC(2026, 10, 20) });
    for (const leak of MUST_REDACT) audit.write({ event: 'tool_call', tool_args: { note: leak.text }, tool_result_summary: leak.text, text_sealed: `v1.${leak.text}` });
    await audit.close();
    const lines = await readLines(file, MUST_REDACT.length);
    MUST_REDACT.forEach((leak, i) => {
      expect(lines[i]).toContain('"event":"tool_call"');
      for (const form of [leak.secret, JSON.stringify(leak.secret).slice(1, -1)]) expect(lines[i]).not.toContain(form);
    });
  });
});
