import { afterEach, describe, expect, it } from 'vitest';
import { slackConfigFromEnv } from '../../adapters/slack/config';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index';
import { createHttpServer, sendJson, type HttpServer } from '../../src/http/http-server';
import { SlackDelivery } from '../simulators/slack/delivery';
import { SlackPayloads } from '../simulators/slack/payloads';
import { SlackSimulator } from '../simulators/slack/web-api';
import { FakeEngine } from '../support/fake-engine';
import { captureLogger, IDS, SIGNING_SECRET, seedWorkspace, waitFor } from './harness';

let sim: SlackSimulator | undefined;
let server: HttpServer | undefined;
let adapter: SlackAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  await server?.close();
  await sim?.close();
  adapter = undefined;
  server = undefined;
  sim = undefined;
});

describe('Slack HTTP mode on the process HTTP server', () => {
  it('mounts POST /slack/events on the shared server: signatures still checked, other routes still served, 503 once stopped', async () => {
    sim = await new SlackSimulator().start();
    seedWorkspace(sim);
    const engine = new FakeEngine();
    server = await createHttpServer({ host: '127.0.0.1', port: 0, routes: [(req, res) => (req.url === '/health' ? (sendJson(res, 200, { status: 'ok' }), true) : false)] });
    const config = slackConfigFromEnv({ SLACK_BOT_TOKEN: sim.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: sim.apiUrl, SLACK_ONCALL_CHANNEL: IDS.oncall, PORT: '1' });
    adapter = createSlackAdapter({ engine, config, logger: captureLogger(), placeholderDelayMs: 0, server });
    // The adapter reports the shared server's port and opens none of its own (PORT=1 could not be bound anyway).
    expect(await adapter.start()).toEqual({ port: server.port });
    expect(adapter.connected()).toBe(true);

    const delivery = new SlackDelivery({ url: `${server.url}/slack/events`, signingSecret: SIGNING_SECRET });
    const payloads = new SlackPayloads(sim);
    const mention = () => payloads.appMention(sim!.workspace.userPost(IDS.support, IDS.member, `<@${sim!.botUserId}> hi`));

    expect((await delivery.event(mention(), { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await delivery.event(mention())).status).toBe(200);
    await waitFor(() => engine.received.length === 1);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/slack/events`)).status).toBe(404);

    await adapter.stop();
    expect(adapter.connected()).toBe(false);
    expect((await delivery.event(mention())).status).toBe(503);
    adapter = undefined;
  });
});
