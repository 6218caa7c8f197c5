/**
 * The system under test of the Slack benchmark, wired as `npm start` wires
 * it: `bootstrap` from an environment (SQLite store and audit log under a
 * fresh DATA_DIR, sealed sessions, budgets on a priced model, the OpenAI
 * client through the SDK, info-level logs to a file), then the Slack adapter
 * as `startSlack` builds it (Bolt HTTP receiver, roles from users.info,
 * placeholder then answer in place), then the engine's sweeper. What-if
 * variants (bench/lib/slack-what-if.ts) change one thing each.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSlackAdapter } from '../../adapters/slack/index';
import { slackConfigFromEnv } from '../../adapters/slack/config';
import { bootstrap, type App } from '../../src/bootstrap';
import { BENCH_MODEL, createLookupTool, createOrderBook } from './slack-model-work';
import { deleteRedisNamespace, REDIS_URL, useMemoryStore, type WhatIf } from './slack-what-if';

export interface ProductOptions {
  botToken: string;
  signingSecret: string;
  slackApiUrl: string;
  staffUsergroup: string;
  /** Channel id for escalations (required by the Slack adapter). */
  oncallChannel: string;
  openaiBaseUrl: string;
  openaiApiKey: string;
  whatIfs?: WhatIf[];
}

/** Start the product on a free port; `stop` shuts it down as SIGTERM does and removes its data. */
export async function startProduct(options: ProductOptions): Promise<{ port: number; app: App; stop(): Promise<void> }> {
  const whatIf = new Set(options.whatIfs ?? []);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-slack-'));
  const redisNamespace = `bench-slack-${process.pid}`;
  const app = await bootstrap({
    env: {
      DATA_DIR: dataDir,
      BUILTIN_TOOLS: 'none',
      LOG_LEVEL: whatIf.has('silent-logs') ? 'silent' : 'info',
      OPENAI_API_KEY: options.openaiApiKey,
      OPENAI_BASE_URL: options.openaiBaseUrl,
      OPENAI_MODEL: BENCH_MODEL,
      ...(whatIf.has('redis-store') ? { STORE_URL: REDIS_URL, ENCRYPTION_KEY: randomBytes(32).toString('hex') } : {}),
      ...(whatIf.has('no-budget') ? { MODEL_PRICES: JSON.stringify({ [BENCH_MODEL]: { input: 0, output: 0 } }) } : {}),
    },
    tools: [createLookupTool(createOrderBook())],
    logDestination: path.join(dataDir, 'app.log'),
    ...(whatIf.has('redis-store') ? { storeNamespace: redisNamespace } : {}),
    ...(whatIf.has('no-audit') ? { audit: { write: () => undefined, flush: async () => {} } } : {}),
  });
  if (whatIf.has('memory-store')) useMemoryStore(app.store);

  // What startSlack does, keeping the adapter so a variant can change its channel.
  const adapter = createSlackAdapter({
    engine: app.engine,
    logger: app.logger,
    config: slackConfigFromEnv({
      SLACK_BOT_TOKEN: options.botToken,
      SLACK_SIGNING_SECRET: options.signingSecret,
      SLACK_API_URL: options.slackApiUrl,
      SLACK_STAFF_USERGROUP: options.staffUsergroup,
      SLACK_ONCALL_CHANNEL: options.oncallChannel,
      PORT: '0',
    }),
  });
  if (whatIf.has('no-placeholder')) (adapter.channel as { startWorking?: unknown }).startWorking = undefined;
  const { port } = await adapter.start();
  app.engine.start();
  return {
    port,
    app,
    async stop() {
      await adapter.stop();
      await app.close();
      if (whatIf.has('redis-store')) await deleteRedisNamespace(redisNamespace);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
