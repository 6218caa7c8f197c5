/**
 * Routing evaluation: every labelled message of routing-set.yaml goes through
 * the real engine (bootstrap, demo helpdesk, offline model) as the first
 * message of its own conversation; the `route` audit event is compared with
 * the label. The same messages then run once more without specialists, and
 * the estimated prompt tokens per turn (system prompt + history + tool
 * schemas, as the budget guard estimates them) are printed for both.
 *
 *   npm run eval:routing [-- --min-accuracy 0.95]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { createOfflineModel } from '../../src/agent/offline-model';
import { estimateTokens, estimateToolTokens } from '../../src/agent/tokens';
import { bootstrap } from '../../src/bootstrap';
import { createDemoHelpdesk, helpdeskOfflineIntents } from '../../plugins/helpdesk';
import { silentLogger } from '../../src/logger';
import type { AuditEvent, Caller, ModelClient } from '../../src/ports';
import { EvalChannel } from '../runner/recording-channel';
import { routingSetSchema, type RoutingCase } from './routing-set-schema';

const SET_FILE = path.join(import.meta.dirname, 'routing-set.yaml');
const alice: Caller = { userId: 'alice', platform: 'console', displayName: 'Alice', role: 'member' };

/** The offline model, counting the prompt tokens of every request it gets. */
function measured(model: ModelClient, counts: number[]): ModelClient {
  return { ...model, complete: (request, signal) => (counts.push(estimateTokens(request.messages) + estimateToolTokens(request.tools)), model.complete(request, signal)) };
}

interface PassResult {
  routes: string[][];
  promptTokensPerTurn: number;
  promptTokensPerCall: number;
  toolsPerCall: number;
}

async function runPass(cases: readonly RoutingCase[], routed: boolean): Promise<PassResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eval-routing-'));
  const helpdesk = await createDemoHelpdesk({ dataDir, refundAdminThresholdUsd: 100, now: () => Date.UTC(2026, 10, 22, 10) });
  const counts: number[] = [];
  const tools: number[] = [];
  const offline = createOfflineModel({ intents: helpdeskOfflineIntents });
  const model = measured({ ...offline, complete: (r, s) => (tools.push(r.tools.length), offline.complete(r, s)) }, counts);
  const app = await bootstrap({
    env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent' },
    model,
    tools: helpdesk.tools,
    ...(routed ? { specialists: helpdesk.specialists } : {}),
    logger: silentLogger(),
    metrics: false,
  });
  try {
    app.engine.attach(new EvalChannel('console'));
    for (const [i, c] of cases.entries()) {
      await app.engine.handleMessage({ conversation: { platform: 'console', workspaceId: 'eval', channelId: 'routing', threadId: `t${i}` }, caller: alice, text: c.text, messageId: `m${i}` });
    }
    await app.audit.flush();
    const audit = (await readFile(app.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    const byThread = new Map(audit.filter((e) => e.event === 'route').map((e) => [String(e.session_id), e.specialists as string[]]));
    const routes = cases.map((_, i) => byThread.get(`console:eval:routing:t${i}`) ?? []);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return { routes, promptTokensPerTurn: sum(counts) / cases.length, promptTokensPerCall: sum(counts) / Math.max(1, counts.length), toolsPerCall: sum(tools) / Math.max(1, tools.length) };
  } finally {
    await app.close();
    await helpdesk.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'min-accuracy': { type: 'string', default: '0.95' } } });
  const set = routingSetSchema.parse(parse(await readFile(SET_FILE, 'utf8')));
  const routed = await runPass(set.messages, true);
  const generic = await runPass(set.messages, false);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const misses = set.messages.map((c, i) => ({ c, got: routed.routes[i]! })).filter(({ c, got }) => !same(c.expect, got));
  const accuracy = (set.messages.length - misses.length) / set.messages.length;
  console.log(`routing [offline] ${set.messages.length - misses.length}/${set.messages.length} correct (${(accuracy * 100).toFixed(1)} %)`);
  for (const { c, got } of misses) console.log(`  miss: "${c.text}" expected ${c.expect.join('+')} got ${got.join('+') || '(none)'}`);
  const f = (n: number) => n.toFixed(1);
  console.log(`prompt tokens per turn: routed ${f(routed.promptTokensPerTurn)} vs generic ${f(generic.promptTokensPerTurn)} (${f((1 - routed.promptTokensPerTurn / generic.promptTokensPerTurn) * 100)} % fewer)`);
  console.log(`prompt tokens per model call: routed ${f(routed.promptTokensPerCall)} vs generic ${f(generic.promptTokensPerCall)}; tools offered per call: routed ${f(routed.toolsPerCall)} vs generic ${f(generic.toolsPerCall)}`);
  return accuracy >= Number(values['min-accuracy']) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 3;
  },
);
