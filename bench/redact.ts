/**
 * Cost of the scrubber on typical audit and log records.
 * Usage: npx tsx bench/redact.ts [iterations=200000] [module=../src/audit/redact]
 * Prints CPU ns per record for each record shape (best of 7 rounds; CPU time,
 * not wall time, so other processes on a shared machine distort it less), so a
 * change to the patterns can be weighed against the work it adds to every line.
 * Pass another copy of redact.ts as `module` to compare against it.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const iterations = Number(process.argv[2] ?? 200_000);
const modulePath = process.argv[3] ? pathToFileURL(path.resolve(process.argv[3])).href : '../src/audit/redact';
const { scrubDeep } = (await import(modulePath)) as { scrubDeep: (value: unknown) => unknown };

/** Shapes the engine writes most: a model call, a tool call, an inbound message, a log line with a secret. */
const records: Record<string, Record<string, unknown>> = {
  model_call: {
    event: 'model_call', user_id: 'U0123ABCD', session_id: 'slack:T0123:C0123:1700000000.000100', agent_step: 2,
    model: 'gpt-4.1-mini', prompt_tokens: 1834, completion_tokens: 212, cost_usd: 0.0016990000000000002, latency_ms: 1432, success: true,
    tool_calls: ['look_up_order', 'list_invoices'],
  },
  tool_call: {
    event: 'tool_call', user_id: 'U0123ABCD', session_id: 'slack:T0123:C0123:1700000000.000100', agent_step: 1, tool_name: 'look_up_order',
    tool_args: { orderId: 'ORD-1001' }, tool_result_summary: 'ORD-1001 shipped 2026-11-20 with UPS, tracking 1Z999AA10123456784, total $141.00', latency_ms: 12, success: true,
  },
  inbound: {
    event: 'message_received', user_id: '123456789012345678', session_id: 'discord:987654321098765432:112233445566778899', text_sealed: 'v1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB==.Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0M=',
    channel: 'C0123ABCD', at: '2026-11-20T09:14:00.000Z',
  },
  log_with_secret: {
    msg: 'openai call failed', err: { name: 'ModelError', message: 'The model server answered 401: Incorrect API key provided: sk-proj-AbCdEfGhIjKlMnOpQrStUv12' },
    sessionId: 'slack:T0123:C0123:1700000000.000100', attempt: 2,
  },
};

for (const [name, record] of Object.entries(records)) {
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) scrubDeep(record);
    const used = process.cpuUsage(started);
    rounds.push(((used.user + used.system) * 1000) / iterations);
  }
  console.log(`${name.padEnd(16)} ${Math.round(Math.min(...rounds))} ns/record`);
}
