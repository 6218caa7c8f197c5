import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';

/**
 * The simulator must refuse what Discord refuses, or adapter tests prove
 * nothing. These talk to it directly, without discord.js.
 */
let sim: DiscordSimulator;
beforeAll(async () => {
  sim = await DiscordSimulator.start({ interactionWindowMs: 100 });
});
afterAll(async () => {
  await sim?.close();
});

const api = (path: string, init: RequestInit & { auth?: boolean } = {}) =>
  fetch(`${sim.apiUrl}/v10${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.auth === false ? {} : { authorization: `Bot ${sim.token}` }) },
  });

describe('Discord simulator', () => {
  it('requires the bot token', async () => {
    const res = await api('/users/@me', { auth: false });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it('refuses content over 2,000 characters and empty messages', async () => {
    const channel = sim.world.fixture.generalChannelId;
    const long = await api(`/channels/${channel}/messages`, { method: 'POST', body: JSON.stringify({ content: 'x'.repeat(2001) }) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    const empty = await api(`/channels/${channel}/messages`, { method: 'POST', body: JSON.stringify({ content: '' }) });
    expect(await empty.json()).toMatchObject({ code: 50006 });
  });

  it('refuses custom_ids over 100 characters and oversized embeds', async () => {
    const channel = sim.world.fixture.generalChannelId;
    const button = { type: 2, style: 1, label: 'x', custom_id: 'c'.repeat(101) };
    const res = await api(`/channels/${channel}/messages`, { method: 'POST', body: JSON.stringify({ components: [{ type: 1, components: [button] }] }) });
    expect(await res.json()).toMatchObject({ code: 50035 });
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const embed = await api(`/channels/${channel}/messages`, { method: 'POST', body: JSON.stringify({ embeds: [{ fields }] }) });
    expect(await embed.json()).toMatchObject({ code: 50035 });
  });

  it('answers unknown ids with Discord error codes', async () => {
    expect(await (await api('/channels/1/messages', { method: 'POST', body: '{"content":"x"}' })).json()).toEqual({ message: 'Unknown Channel', code: 10003 });
    const res = await api(`/guilds/${sim.world.fixture.guildId}/members/${sim.world.fixture.users.outsider}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Unknown Member', code: 10007 });
  });

  it('voids interactions not acknowledged within the window, and accepts only one acknowledgement', async () => {
    const f = sim.world.fixture;
    const card = sim.botMessage(f.generalChannelId, { components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }] });
    const callback = (i: { id: string; token: string }) =>
      api(`/interactions/${i.id}/${i.token}/callback`, { method: 'POST', auth: false, body: JSON.stringify({ type: 6 }) });

    const prompt = sim.actions.click({ by: f.users.member, messageId: card.id, customId: 'go' });
    expect((await callback(prompt)).status).toBe(204);
    const again = await callback(prompt);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 40060 });

    const late = sim.actions.click({ by: f.users.member, messageId: card.id, customId: 'go' });
    await new Promise((r) => setTimeout(r, 150));
    const res = await callback(late);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Unknown interaction', code: 10062 });
  });

  it('speaks gateway v10 JSON only: refuses compression and bad tokens', async () => {
    const closeCode = (url: string, identify?: object) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('message', (data) => {
          const payload = JSON.parse(data.toString()) as { op: number };
          if (payload.op === 10 && identify) ws.send(JSON.stringify({ op: 2, d: identify }));
        });
        ws.on('close', (code) => resolve(code));
      });
    expect(await closeCode(`${sim.gatewayUrl}/?v=10&encoding=json&compress=zlib-stream`)).toBe(4002);
    expect(await closeCode(`${sim.gatewayUrl}/?v=9&encoding=json`)).toBe(4012);
    expect(await closeCode(`${sim.gatewayUrl}/?v=10&encoding=json`, { token: 'wrong', intents: 1, properties: {} })).toBe(4004);
  });
});
