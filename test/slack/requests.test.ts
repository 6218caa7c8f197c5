import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackConfigFromEnv } from '../../adapters/slack/config';
import { createSlackAdapter, startSlack } from '../../adapters/slack/index';
import { SlackDelivery, signSlackRequest } from '../simulators/slack/delivery';
import { SlackPayloads } from '../simulators/slack/payloads';
import { SlackSimulator } from '../simulators/slack/web-api';
import { FakeEngine } from '../support/fake-engine';
import { IDS, SIGNING_SECRET, type SlackHarness, captureLogger, seedWorkspace, startSlackHarness } from './harness';

describe('request verification', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const mentionEnvelope = () => h.payloads.appMention(h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> hi`));

  it('rejects a bad signature with 401 and processes nothing', async () => {
    const before = h.sim.calls.length;
    const res = await h.delivery.event(mentionEnvelope(), { signature: 'v0=deadbeef' });
    expect(res.status).toBe(401);
    const wrongSecret = await h.delivery.event(mentionEnvelope(), { signingSecret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    await h.settle();
    expect(h.engine.received).toHaveLength(0);
    expect(h.sim.calls.slice(before)).toEqual([]);
  });

  it('rejects a correctly signed request with a stale timestamp (replay) with 401', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await h.delivery.event(mentionEnvelope(), { timestamp: sixMinutesAgo });
    expect(res.status).toBe(401);
    await h.settle();
    expect(h.engine.received).toHaveLength(0);
  });

  it('rejects a body altered after signing', async () => {
    const body = JSON.stringify(mentionEnvelope());
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`http://127.0.0.1:${h.port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, ts, body) },
      body: body.replace('hi', 'rm -rf'),
    });
    expect(res.status).toBe(401);
  });

  it('answers the url_verification handshake', async () => {
    const res = await h.delivery.event({ token: 'x', challenge: 'c-12345', type: 'url_verification' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('c-12345');
  });

  it('acknowledges events before the work is done (3-second rule)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.engine.reply = async () => {
      await gate;
      return 'done';
    };
    const started = Date.now();
    const res = await h.delivery.event(mentionEnvelope());
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(h.adapter.idle(50)).resolves.toBe(false);
    release();
    await h.settle();
    expect(h.engine.answered).toHaveLength(1);
  });

  it('serves GET /health as JSON on the same port, 404 elsewhere', async () => {
    const res = await fetch(`http://127.0.0.1:${h.port}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok', platform: 'slack', mode: 'http' });
    expect((await fetch(`http://127.0.0.1:${h.port}/nope`)).status).toBe(404);
  });

  it('never logs the bot token or the signing secret', async () => {
    await h.delivery.event(mentionEnvelope(), { signature: 'v0=bad' });
    await h.delivery.event(mentionEnvelope());
    h.sim.failNext('chat.postMessage', { error: 'invalid_auth' });
    await h.delivery.event(mentionEnvelope());
    await h.settle();
    const dump = JSON.stringify(h.logger.entries);
    expect(h.logger.entries.length).toBeGreaterThan(0);
    expect(dump).not.toContain(h.sim.botToken);
    expect(dump).not.toContain(SIGNING_SECRET);
  });
});

describe('startSlack', () => {
  it('starts from env on port 0, reports the real port, and stops cleanly', async () => {
    const sim = await new SlackSimulator().start();
    seedWorkspace(sim);
    const engine = new FakeEngine();
    const running = await startSlack({
      engine,
      env: { SLACK_BOT_TOKEN: sim.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: sim.apiUrl, SLACK_ONCALL_CHANNEL: IDS.oncall, PORT: '0' },
      logger: captureLogger(),
    });
    try {
      expect(running.port).toBeGreaterThan(0);
      expect(engine.channel?.platform).toBe('slack');
      expect((await fetch(`http://127.0.0.1:${running.port}/health`)).status).toBe(200);
      const delivery = new SlackDelivery({ url: `http://127.0.0.1:${running.port}/slack/events`, signingSecret: SIGNING_SECRET });
      const post = sim.workspace.userPost(IDS.support, IDS.member, `<@${sim.botUserId}> hello`);
      await delivery.event(new SlackPayloads(sim).appMention(post));
      await running.stop(); // waits for the acknowledged work
      expect(sim.workspace.botMessagesIn(IDS.support, post.ts)).toHaveLength(1);
      await expect(fetch(`http://127.0.0.1:${running.port}/health`)).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });

  it('fails to start with a ConfigError naming SLACK_BOT_TOKEN when Slack rejects the token', async () => {
    const sim = await new SlackSimulator().start();
    try {
      const start = startSlack({
        engine: new FakeEngine(),
        env: { SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: sim.apiUrl, SLACK_ONCALL_CHANNEL: IDS.oncall, PORT: '0' },
        logger: captureLogger(),
      });
      await expect(start).rejects.toMatchObject({ name: 'ConfigError', variables: ['SLACK_BOT_TOKEN'] });
    } finally {
      await sim.close();
    }
  });
});

describe('port conflicts', () => {
  it('rejects start() when PORT is taken, and can start again on a free port', async () => {
    const first = await startSlackHarness();
    try {
      const env = { SLACK_BOT_TOKEN: first.sim.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: first.sim.apiUrl, SLACK_ONCALL_CHANNEL: IDS.oncall };
      const clash = createSlackAdapter({ engine: new FakeEngine(), logger: captureLogger(), config: slackConfigFromEnv({ ...env, PORT: String(first.port) }) });
      await expect(clash.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const fine = createSlackAdapter({ engine: new FakeEngine(), logger: captureLogger(), config: slackConfigFromEnv({ ...env, PORT: '0' }) });
      expect((await fine.start()).port).toBeGreaterThan(0);
      await fine.stop();
    } finally {
      await first.close();
    }
  });
});
