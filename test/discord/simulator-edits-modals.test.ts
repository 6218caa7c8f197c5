import { InteractionResponseType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';

/** The simulator's edit bucket and modal rules, talked to directly (no discord.js), so adapter tests can rely on them. */
let sim: DiscordSimulator;
beforeAll(async () => {
  sim = await DiscordSimulator.start({ editLimit: { limit: 3, windowMs: 2_000 } });
});
afterAll(async () => {
  await sim?.close();
});

const api = (path: string, init: RequestInit & { auth?: boolean } = {}) =>
  fetch(`${sim.apiUrl}/v10${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.auth === false ? {} : { authorization: `Bot ${sim.token}` }) },
  });

describe('Discord simulator: message edits and modals', () => {
  it('counts edits per channel and answers 429 with retry_after and exhausted x-ratelimit headers once the bucket is spent', async () => {
    const channel = sim.world.fixture.generalChannelId;
    const created = (await (await api(`/channels/${channel}/messages`, { method: 'POST', body: JSON.stringify({ content: 'v0' }) })).json()) as { id: string };
    const edit = (n: number) => api(`/channels/${channel}/messages/${created.id}`, { method: 'PATCH', body: JSON.stringify({ content: `v${n}` }) });
    const answers = [];
    for (let n = 1; n <= 4; n++) answers.push(await edit(n));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers.slice(0, 3).map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0']);
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe('3');
    const limited = answers[3]!;
    const body = (await limited.json()) as { retry_after: number; global: boolean; message: string };
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(2);
    expect(Number(limited.headers.get('retry-after'))).toBe(body.retry_after);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-bucket')).toBe(answers[0]!.headers.get('x-ratelimit-bucket'));
    // The refused edit changed nothing, and it is recorded as a 429 with its time.
    expect(sim.world.messages.get(created.id)!.content).toBe('v3');
    expect(sim.edits(created.id).map((e) => e.status)).toEqual([200, 200, 200, 429]);
    expect(sim.edits(created.id).every((e) => typeof e.at === 'number')).toBe(true);
  });

  it('refuses a modal with more than five components, or a pre-filled value over 4,000 characters', async () => {
    const f = sim.world.fixture;
    const card = sim.botMessage(f.supportChannelId, { content: 'card', components: [{ type: 1, components: [{ type: 2, custom_id: 'approval:edit:x', label: 'Edit', style: 1 }] }] });
    const input = (i: number, value = 'v') => ({ type: 18, label: `f${i}`, component: { type: 4, custom_id: `f${i}`, style: 1, value } });
    const respond = async (components: unknown[]) => {
      const click = sim.actions.click({ by: f.users.staff, messageId: card.id, customId: 'approval:edit:x' });
      const res = await api(`/interactions/${click.id}/${click.token}/callback`, {
        method: 'POST',
        auth: false,
        body: JSON.stringify({ type: InteractionResponseType.Modal, data: { custom_id: 'approval:edit:x', title: 'Edit and approve', components } }),
      });
      return { res, click };
    };
    expect((await respond(Array.from({ length: 6 }, (_, i) => input(i)))).res.status).toBe(400);
    expect((await respond([input(0, 'x'.repeat(4_001))])).res.status).toBe(400);
    const ok = await respond([input(0, '42')]);
    expect(ok.res.status).toBe(204);
    expect(ok.click.modal).toEqual({ customId: 'approval:edit:x', title: 'Edit and approve', inputs: [{ customId: 'f0', label: 'f0', style: 1, value: '42' }] });
  });
});
