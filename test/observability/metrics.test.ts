import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap';
import { silentLogger } from '../../src/logger';
import { z } from 'zod';
import { ModelError } from '../../src/errors';
import { startHttp, type AppServer } from '../../src/http/app-server';
import { defineTool } from '../../src/tools/define-tool';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';
import { parseSamples, valueOf } from './prometheus-text';

const lookUp = defineTool({
  name: 'look_up',
  description: 'Look up an order.',
  input: z.object({ id: z.string() }),
  permission: 'member',
  execute: async ({ id }) => ({ id, status: 'shipped' }),
});
const refund = defineTool({
  name: 'refund',
  description: 'Refund an order.',
  input: z.object({ amountUsd: z.number() }),
  permission: 'member',
  approval: 'staff',
  execute: async ({ amountUsd }) => ({ refunded: amountUsd }),
});

let harness: EngineHarness | undefined;
let server: AppServer | undefined;
afterEach(async () => {
  await server?.close();
  await harness?.close();
  server = undefined;
  harness = undefined;
});

async function scrape(s: AppServer): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${s.url}/metrics`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('GET /metrics after scripted conversations through the real engine', () => {
  it('counts turns, model calls, tokens, cost, tools, approvals and escalations with bounded labels only', async () => {
    const model = new ScriptedModel('gpt-4o-mini');
    const h = (harness = await EngineHarness.create({ model, tools: [lookUp, refund] }));
    server = await startHttp({ app: h.app, host: '127.0.0.1', port: 0 });

    // 1. A tool call, then an answer.
    model.push(callTools({ name: 'look_up', args: { id: 'ORD-1' } }), answer('It shipped.'));
    const first = await h.send('Where is ORD-1? my mail is alice@example.com', { conversation: h.conversation('T-alice-1') });
    expect(first.status).toBe('answered');
    // 2. A refund waits for staff, who approve it 90 s later; the resumed run answers.
    model.push(callTools({ name: 'refund', args: { amountUsd: 20 } }));
    const paused = await h.send('Refund me please', { caller: users.bob, conversation: h.conversation('T-bob-1') });
    expect(paused.status).toBe('paused');
    h.clock.advance(90_000);
    model.push(answer('Refunded.'));
    const decided = await h.engine.decideApproval({ approvalId: paused.pendingApprovals[0] as string, decision: 'approve', decider: users.dana });
    expect(decided).toMatchObject({ ok: true, result: { status: 'answered' } });
    // 3. The user asks for a person.
    expect((await h.send('human please', { conversation: h.conversation('T-alice-2') })).status).toBe('escalated');
    // 4. The model invents a tool whose name carries a user id: it must not become a label.
    model.push(callTools({ name: 'lookup_for_U_ALICE' }), answer('Sorry, done.'));
    expect((await h.send('Anything else?', { conversation: h.conversation('T-alice-3') })).status).toBe('answered');
    // 5. The model rejects the request: the run escalates.
    model.push(new ModelError('bad request', { status: 400 }));
    expect((await h.send('Hello?', { conversation: h.conversation('T-alice-4') })).status).toBe('escalated');

    const { status, type, body } = await scrape(server);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    const s = parseSamples(body);

    expect(valueOf(s, 'support_turns_total', { platform: 'test', outcome: 'answered' })).toBe(3);
    expect(valueOf(s, 'support_turns_total', { platform: 'test', outcome: 'awaiting_approval' })).toBe(1);
    expect(valueOf(s, 'support_turns_total', { platform: 'test', outcome: 'escalated' })).toBe(2);
    expect(valueOf(s, 'support_turn_duration_seconds_count', { platform: 'test' })).toBe(6);

    expect(valueOf(s, 'support_tool_calls_total', { tool: 'look_up', outcome: 'ok' })).toBe(1);
    expect(valueOf(s, 'support_tool_calls_total', { tool: 'refund', outcome: 'awaiting_approval' })).toBe(1);
    expect(valueOf(s, 'support_tool_calls_total', { tool: 'refund', outcome: 'ok' })).toBe(1);
    expect(valueOf(s, 'support_tool_calls_total', { tool: 'other', outcome: 'error' })).toBe(1);
    expect(valueOf(s, 'support_tool_duration_seconds_count', { tool: 'look_up' })).toBe(1);

    expect(valueOf(s, 'support_approvals_total', { tool: 'refund', decision: 'requested' })).toBe(1);
    expect(valueOf(s, 'support_approvals_total', { tool: 'refund', decision: 'approved' })).toBe(1);
    expect(valueOf(s, 'support_approval_decision_seconds_sum', { tool: 'refund' })).toBe(90);
    expect(valueOf(s, 'support_escalations_total', { trigger: 'user_request' })).toBe(1);
    expect(valueOf(s, 'support_escalations_total', { trigger: 'model_unavailable' })).toBe(1);
    expect(valueOf(s, 'support_escalations_open')).toBe(2);
    expect(valueOf(s, 'support_approvals_pending')).toBe(0);

    // Six successful model calls (2 + 1 + 1 + 2), one rejected.
    expect(valueOf(s, 'gen_ai_client_operation_duration_seconds_count', { operation: 'chat', model: 'gpt-4o-mini', error_type: '' })).toBe(6);
    expect(valueOf(s, 'gen_ai_client_operation_duration_seconds_count', { operation: 'chat', model: 'gpt-4o-mini', error_type: 'model_http_400' })).toBe(1);
    expect(valueOf(s, 'gen_ai_client_token_usage_total', { model: 'gpt-4o-mini', token_type: 'input' })).toBe(600);
    expect(valueOf(s, 'gen_ai_client_token_usage_total', { model: 'gpt-4o-mini', token_type: 'output' })).toBe(120);
    expect(valueOf(s, 'support_cost_usd_total', { model: 'gpt-4o-mini' })).toBeGreaterThan(0);
    expect(valueOf(s, 'support_budget_used_ratio', { period: 'month' })).toBeGreaterThan(0);
    expect(valueOf(s, 'support_circuit_state', { dependency: 'model' })).toBe(0);
    expect(valueOf(s, 'support_active_sessions')).toBeGreaterThanOrEqual(4);
    expect(valueOf(s, 'support_queued_messages')).toBe(0);
    expect(valueOf(s, 'support_store_operation_seconds_count', { op: 'get' })).toBeGreaterThan(0);
    expect(valueOf(s, 'support_store_operation_seconds_count', { op: 'set_if_absent' })).toBeGreaterThan(0);
    expect(valueOf(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // Cardinality stays bounded: no user, thread or session ids, no e-mail addresses, no message text.
    for (const forbidden of ['U_ALICE', 'U_BOB', 'U_DANA', 'T-alice', 'T-bob', 'alice@example.com', 'ORD-1', 'Refund me', first.sessionId, paused.sessionId]) {
      expect(body).not.toContain(forbidden);
    }
    const labelValues = new Set(s.flatMap((sample) => Object.values(sample.labels)));
    expect([...labelValues].filter((v) => /alice|bob|dana|@/i.test(v))).toEqual([]);
  });

  it('a model that answers under a name nobody configured counts as "other"', async () => {
    const model = new ScriptedModel('gpt-4o-mini');
    const h = (harness = await EngineHarness.create({ model }));
    server = await startHttp({ app: h.app, host: '127.0.0.1', port: 0 });
    model.push({ ...answer('Hi'), model: 'custom-finetune-for-U_ALICE' });
    await h.send('Hi');
    const s = parseSamples((await scrape(server)).body);
    expect(valueOf(s, 'gen_ai_client_token_usage_total', { model: 'other', token_type: 'input' })).toBe(100);
    expect(valueOf(s, 'support_cost_usd_total', { model: 'other' })).toBeGreaterThan(0);
  });

  it('is not served when metrics are off (benchmark baseline)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'metrics-off-'));
    const app = await bootstrap({ env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none' }, model: new ScriptedModel(), logger: silentLogger(), metrics: false });
    try {
      expect(app.metrics).toBeUndefined();
      server = await startHttp({ app, host: '127.0.0.1', port: 0 });
      expect((await scrape(server)).status).toBe(404);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server?.close();
      server = undefined;
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
