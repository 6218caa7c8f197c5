import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log';

/** The audit file's records, parsed. */
async function records(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audit log', () => {
  it('keeps write order and the time of each write, though lines are formatted after the current work', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'audit-')), 'audit.log');
    let now = Date.UTC(2026, 11, 1, 9, 0, 0);
    const audit = createAuditLog({ path: file, now: () => now });
    audit.write({ event: 'inbound_message', session_id: 's1', success: true });
    now += 1_500;
    audit.write({ event: 'model_call', session_id: 's1', success: true });
    now += 1_500;
    audit.write({ event: 'turn_completed', session_id: 's1', success: true });
    await audit.flush();
    const lines = await records(file);
    expect(lines.map((r) => r.event)).toEqual(['inbound_message', 'model_call', 'turn_completed']);
    expect(lines.map((r) => r.timestamp)).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-01T09:00:01.500Z', '2026-12-01T09:00:03.000Z']);
    await audit.close();
  });

  it('records what was written, not a later change to the same object', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'audit-')), 'audit.log');
    const audit = createAuditLog({ path: file, now: () => Date.UTC(2026, 11, 1) });
    const event = { event: 'tool_call', tool_name: 'lookup_order', success: true };
    audit.write(event);
    event.success = false;
    event.tool_name = 'issue_refund';
    await audit.close();
    expect(await records(file)).toEqual([expect.objectContaining({ event: 'tool_call', tool_name: 'lookup_order', success: true })]);
  });

  it('writes queued records on close, without an explicit flush', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'audit-')), 'audit.log');
    const audit = createAuditLog({ path: file, now: () => Date.UTC(2026, 11, 1) });
    for (let i = 0; i < 50; i++) audit.write({ event: 'model_call', agent_step: i, success: true });
    await audit.close();
    expect((await records(file)).map((r) => r.agent_step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
