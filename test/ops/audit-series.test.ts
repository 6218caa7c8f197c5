import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogReader, type AuditLine } from '../../src/ops/audit-reader';
import { buildSeries, turnsFromAudit } from '../../src/ops/turn-series';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const line = (at: number, event: string, fields: Record<string, unknown> = {}) => JSON.stringify({ log: 'audit', timestamp: new Date(at).toISOString(), event, ...fields });
const parsed = (at: number, event: string, fields: Record<string, unknown> = {}): AuditLine => ({ at, timestamp: new Date(at).toISOString(), event, ...fields });

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('AuditLogReader', () => {
  it('reads only complete lines, picks up appends, and starts over when the file shrinks', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-reader-'));
    const file = path.join(dir, 'audit.log');
    const reader = new AuditLogReader({ path: file, now: () => T0 });
    expect(await reader.lines()).toEqual([]);
    const second = line(T0, 'tool_call', { note: 'café ✓' });
    await writeFile(file, `${line(T0, 'inbound_message')}\nnot json\n${second.slice(0, 40)}`);
    expect((await reader.lines()).map((l) => l.event)).toEqual(['inbound_message']);
    await appendFile(file, `${second.slice(40)}\n`);
    const lines = await reader.lines();
    expect(lines.map((l) => l.event)).toEqual(['inbound_message', 'tool_call']);
    expect(lines[1]?.note).toBe('café ✓');
    await writeFile(file, `${line(T0, 'escalation')}\n`);
    expect((await reader.lines()).map((l) => l.event)).toEqual(['escalation']);
  });

  it('counts each line once when a page and its chart requests read at the same time', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-reader-'));
    const file = path.join(dir, 'audit.log');
    await writeFile(file, `${line(T0, 'inbound_message')}\n${line(T0, 'tool_call')}\n`);
    const reader = new AuditLogReader({ path: file, now: () => T0 });
    const reads = await Promise.all([reader.lines(), reader.lines(), reader.lines()]);
    for (const lines of reads) expect(lines.map((l) => l.event)).toEqual(['inbound_message', 'tool_call']);
    expect((await reader.lines()).length).toBe(2);
  });
});

describe('turns from the audit log', () => {
  it('uses turn_completed lines when the bot writes them', () => {
    const turns = turnsFromAudit([
      parsed(T0, 'inbound_message', { session_id: 's1' }),
      parsed(T0 + 10, 'turn_completed', { session_id: 's1', outcome: 'answered', latency_ms: 1200, steps: 2, cost_usd: 0.01 }),
      parsed(T0 + 20, 'turn_completed', { session_id: 's2', outcome: 'escalated', latency_ms: 300, steps: 1 }),
      parsed(T0 + 30, 'turn_completed', { session_id: 's3', status: 'failed' }),
      parsed(T0 + 40, 'turn_completed', { session_id: 's4', outcome: 'something_new' }),
    ]);
    expect(turns).toEqual([
      { at: T0 + 10, sessionId: 's1', outcome: 'answered', latencyMs: 1200, steps: 2, costUsd: 0.01 },
      { at: T0 + 20, sessionId: 's2', outcome: 'escalated', latencyMs: 300, steps: 1, costUsd: 0 },
      { at: T0 + 30, sessionId: 's3', outcome: 'failed', latencyMs: undefined, steps: 0, costUsd: 0 },
    ]);
  });

  it('reconstructs turns from message lines when turn_completed is missing', () => {
    const turns = turnsFromAudit([
      parsed(T0, 'inbound_message', { session_id: 'a' }),
      parsed(T0 + 5, 'inbound_message', { session_id: 'b' }),
      parsed(T0 + 400, 'model_call', { session_id: 'a', cost_usd: 0.002 }),
      parsed(T0 + 900, 'model_call', { session_id: 'b' }),
      parsed(T0 + 905, 'turn_failed', { session_id: 'b' }),
      parsed(T0 + 1000, 'inbound_message', { session_id: 'a' }),
      parsed(T0 + 1100, 'escalation', { session_id: 'a' }),
    ]);
    expect(turns.map((t) => [t.sessionId, t.outcome, t.latencyMs, t.steps])).toEqual([
      ['a', 'answered', 400, 1],
      ['b', 'failed', 900, 1],
      ['a', 'escalated', 100, 0],
    ]);
  });

  it('buckets turns per hour with percentiles and error rate, empty hours left empty', () => {
    const turns = [100, 200, 300, 400].map((ms, i) => ({ at: T0 + i, sessionId: 's', outcome: i === 3 ? ('failed' as const) : ('answered' as const), latencyMs: ms, steps: 1, costUsd: 0 }));
    const series = buildSeries(turns, { now: T0 + 30 * 60_000, bucketMs: 3_600_000, buckets: 3 });
    expect(series.map((p) => p.t)).toEqual([(T0 - 7_200_000) / 1000, (T0 - 3_600_000) / 1000, T0 / 1000]);
    expect(series[0]).toMatchObject({ turns: 0, p50Ms: null, errorRate: null });
    expect(series[2]).toMatchObject({ turns: 4, solved: 3, failed: 1, p50Ms: 200, p95Ms: 400, errorRate: 0.25 });
  });
});
