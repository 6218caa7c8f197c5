import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors';
import { startHttp, type AppServer } from '../../src/http/app-server';
import type { HealthReport } from '../../src/http/health-route';
import { EngineHarness } from '../support/engine-harness';
import { ScriptedModel } from '../support/scripted-model';

let harness: EngineHarness | undefined;
let server: AppServer | undefined;
afterEach(async () => {
  await server?.close();
  await harness?.close();
  server = undefined;
  harness = undefined;
});

async function health(s: AppServer): Promise<{ status: number; body: HealthReport }> {
  const res = await fetch(`${s.url}/health`);
  return { status: res.status, body: (await res.json()) as HealthReport };
}

async function start(env: Record<string, string> = {}, model = new ScriptedModel()): Promise<{ h: EngineHarness; s: AppServer }> {
  harness = await EngineHarness.create({ env, model });
  server = await startHttp({ app: harness.app, host: '127.0.0.1', port: 0 });
  return { h: harness, s: server };
}

describe('GET /health', () => {
  it('is 200 with the state of store, model and platforms when all is well', async () => {
    const { s } = await start();
    s.platforms.set('slack', () => true);
    const { status, body } = await health(s);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', store: { ok: true }, model: { ok: true, breaker: 'closed' }, platforms: { slack: true } });
    expect(s.host).toBe('127.0.0.1');
  });

  it('is 503 while a platform is disconnected', async () => {
    const { s } = await start();
    let connected = true;
    s.platforms.set('discord', () => connected);
    expect((await health(s)).status).toBe(200);
    connected = false;
    const { status, body } = await health(s);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', platforms: { discord: false } });
  });

  it('is 503 when the store cannot be reached', async () => {
    const { h, s } = await start();
    await h.app.store.close();
    const { status, body } = await health(s);
    expect(status).toBe(503);
    expect(body.store.ok).toBe(false);
    // No connection strings or paths in the answer.
    expect(JSON.stringify(body)).not.toContain(h.dataDir);
  });

  it('is 503 while the model breaker is open', async () => {
    const model = new ScriptedModel();
    const { h, s } = await start({ BREAKER_FAILURES: '1', MODEL_MAX_ATTEMPTS: '1', BREAKER_COOLDOWN_MS: '60000' }, model);
    model.push(new ModelError('upstream down', { status: 503 }));
    await h.send('Hello');
    const { status, body } = await health(s);
    expect(status).toBe(503);
    expect(body.model).toEqual({ ok: false, breaker: 'open' });
  });
});
