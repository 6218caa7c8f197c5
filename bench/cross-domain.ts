/**
 * Cross-domain messages: parallel consultations (each specialist with only
 * its tools) against the union loop (both specialists' tools and
 * instructions in one loop), on the demo helpdesk's specialists and real
 * tools. Both modes use the same deterministic "ideal" model: it calls every
 * planned lookup it is offered in one step, then answers about 50 words per
 * result it saw. Prompt tokens are estimated on the exact requests sent
 * (system prompt, history, tool schemas, tool results); each model call
 * takes MODEL_BASE_MS + completion tokens x MS_PER_OUTPUT_TOKEN.
 * Usage: npx tsx bench/cross-domain.ts [repeats]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { estimateMessageTokens, estimateTokens, estimateToolTokens } from '../src/agent/tokens';
import { bootstrap } from '../src/bootstrap';
import { silentLogger } from '../src/logger';
import type { Caller, ModelClient, ModelRequest, ModelResponse } from '../src/ports';
import { RecordingChannel } from '../test/support/recording-channel';

const MODEL_BASE_MS = 350;
const MS_PER_OUTPUT_TOKEN = 12;
const repeats = Number(process.argv[2] ?? 5);

/** The messages, and the lookups an ideal model makes for them. */
const MESSAGES: Array<{ text: string; plan: Array<{ name: string; args: Record<string, unknown> }> }> = [
  {
    text: "I was charged twice this month and my order ORD-1001 still hasn't arrived",
    plan: [{ name: 'list_invoices', args: {} }, { name: 'look_up_order', args: { orderId: 'ORD-1001' } }],
  },
  {
    text: 'My app keeps crashing and I was charged twice',
    plan: [{ name: 'check_service_status', args: {} }, { name: 'list_invoices', args: {} }],
  },
  {
    text: 'Where is ORD-1002, and is the service down?',
    plan: [{ name: 'look_up_order', args: { orderId: 'ORD-1002' } }, { name: 'check_service_status', args: {} }],
  },
];

interface Tally {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

function idealModel(tally: Tally): ModelClient {
  let seq = 0;
  return {
    model: 'gpt-4o-mini',
    mode: 'openai',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const lastUser = request.messages.findLastIndex((m) => m.role === 'user');
      const text = request.messages[lastUser]?.content ?? '';
      const since = request.messages.slice(lastUser + 1);
      const called = new Set(since.flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.name) : [])));
      const offered = new Set(request.tools.map((t) => t.name));
      const todo = (MESSAGES.find((m) => m.text === text)?.plan ?? []).filter((c) => offered.has(c.name) && !called.has(c.name));
      const results = since.filter((m) => m.role === 'tool').length;
      const response: ModelResponse =
        todo.length > 0
          ? { content: null, toolCalls: todo.map((c) => ({ id: `call_${++seq}`, name: c.name, arguments: JSON.stringify(c.args) })), usage: { promptTokens: 0, completionTokens: 0 } }
          : { content: Array.from({ length: Math.max(1, results) * 50 }, (_, i) => `word${i % 7}`).join(' '), toolCalls: [], usage: { promptTokens: 0, completionTokens: 0 } };
      const promptTokens = estimateTokens(request.messages) + estimateToolTokens(request.tools);
      const completionTokens = estimateMessageTokens({ role: 'assistant', content: response.content, ...(response.toolCalls.length ? { toolCalls: response.toolCalls } : {}) });
      tally.calls += 1;
      tally.promptTokens += promptTokens;
      tally.completionTokens += completionTokens;
      await new Promise((resolve) => setTimeout(resolve, MODEL_BASE_MS + completionTokens * MS_PER_OUTPUT_TOKEN));
      return { ...response, usage: { promptTokens, completionTokens } };
    },
  };
}

const caller: Caller = { userId: 'alice', platform: 'console', displayName: 'Alice', role: 'member' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(mode: 'parallel' | 'union') {
  const dir = await mkdtemp(path.join(tmpdir(), 'cross-bench-'));
  const tally: Tally = { calls: 0, promptTokens: 0, completionTokens: 0 };
  const app = await bootstrap({ env: { DATA_DIR: dir, LOG_LEVEL: 'silent' }, model: idealModel(tally), logger: silentLogger(), metrics: false, crossDomain: mode });
  app.engine.attach(new RecordingChannel('console'));
  const rows: Array<{ message: string; latencyMs: number; steps: number }> = [];
  try {
    let thread = 0;
    for (const { text } of MESSAGES) {
      const latencies: number[] = [];
      let steps = 0;
      for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        const result = await app.engine.handleMessage({ conversation: { platform: 'console', workspaceId: 'local', channelId: 'console', threadId: `t${++thread}` }, caller, text, messageId: `m${thread}` });
        latencies.push(performance.now() - started);
        steps = result.steps;
      }
      rows.push({ message: text, latencyMs: median(latencies), steps });
    }
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
  const turns = MESSAGES.length * repeats;
  return { mode, rows, perTurn: { calls: tally.calls / turns, promptTokens: tally.promptTokens / turns, completionTokens: tally.completionTokens / turns } };
}

const results = [await run('union'), await run('parallel')];
process.stdout.write(`cross-domain turns, ${repeats} repeats per message; model call = ${MODEL_BASE_MS} ms + ${MS_PER_OUTPUT_TOKEN} ms per output token\n\n`);
for (const r of results) {
  process.stdout.write(`${r.mode}: per turn ${r.perTurn.calls.toFixed(1)} model calls, ${Math.round(r.perTurn.promptTokens)} prompt tokens, ${Math.round(r.perTurn.completionTokens)} completion tokens\n`);
  for (const row of r.rows) process.stdout.write(`  p50 ${Math.round(row.latencyMs)} ms, ${row.steps} steps  ${row.message}\n`);
}
