/**
 * A model attempt that failed after the server reported usage (a completion
 * we could not use, then retried) is billed by the provider, so it is
 * counted: through the real OpenAI SDK against the loopback simulator.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIModel } from '../../src/agent/openai-model';
import { bootstrap, type App } from '../../src/bootstrap';
import { DEFAULT_PRICES } from '../../src/budget/prices';
import { silentLogger } from '../../src/logger';
import type { AuditEvent, Caller } from '../../src/ports';
import { OpenAISimulator } from '../simulators/openai/openai-simulator';
import { RecordingChannel } from '../support/recording-channel';

const price = DEFAULT_PRICES['gpt-4o-mini']!;
const priced = (prompt: number, completion: number) => (prompt * price.input + completion * price.output) / 1_000_000;
const alice: Caller = { userId: 'U_ALICE', platform: 'test', displayName: 'Alice', role: 'member' };
const emptyButBilled = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 40_000, completion_tokens: 2_000, total_tokens: 42_000 },
});

let sim: OpenAISimulator;
let app: App | undefined;
let dataDir: string | undefined;
beforeEach(async () => {
  sim = await new OpenAISimulator({ answer: () => 'Hello!' }).start();
});
afterEach(async () => {
  await app?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  app = undefined;
  dataDir = undefined;
  await sim.close();
});

describe('billed failed attempts', () => {
  it('the OpenAI client keeps the usage of an unusable completion on its error', async () => {
    sim.script({ kind: 'raw', status: 200, body: emptyButBilled });
    const model = createOpenAIModel({ apiKey: 'test', baseUrl: sim.baseUrl, model: 'gpt-4o-mini' });
    const error = await model.complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], maxOutputTokens: 50 }, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_empty', retryable: true, usage: { promptTokens: 40_000, completionTokens: 2_000 } });
  });

  it('a retried turn costs both attempts, in the turn result, the budget counters and the audit', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'billed-'));
    app = await bootstrap({
      env: { DATA_DIR: dataDir, BUILTIN_TOOLS: 'none', LOG_LEVEL: 'silent', OPENAI_API_KEY: 'test', OPENAI_BASE_URL: sim.baseUrl, OPENAI_MODEL: 'gpt-4o-mini' },
      logger: silentLogger(),
      retryInitialDelayMs: 1,
    });
    app.engine.attach(new RecordingChannel('test'));
    sim.script({ kind: 'raw', status: 200, body: emptyButBilled }, { kind: 'reply', content: 'Hello!', usage: { prompt_tokens: 1_000, completion_tokens: 10, total_tokens: 1_010 } });

    const result = await app.engine.handleMessage({ conversation: { platform: 'test', workspaceId: 'W1', channelId: 'C1', threadId: 'T1' }, caller: alice, text: 'hi', messageId: 'm1' });
    expect(result).toMatchObject({ status: 'answered', reply: 'Hello!' });
    expect(sim.completions()).toHaveLength(2);
    const expected = priced(40_000, 2_000) + priced(1_000, 10);
    expect(result.costUsd).toBeCloseTo(expected, 9);
    expect((await app.engine.costReport(alice)).user.todayUsd).toBeCloseTo(expected, 9);

    await app.audit.flush();
    const audit = (await readFile(app.config.auditLogPath, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
    const calls = audit.filter((e) => e.event === 'model_call');
    expect(calls).toEqual([
      expect.objectContaining({ success: false, error: 'billed_failed_attempt', prompt_tokens: 40_000, completion_tokens: 2_000 }),
      expect.objectContaining({ success: true, prompt_tokens: 1_000, completion_tokens: 10 }),
    ]);
  });
});
