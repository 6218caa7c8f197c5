import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSupportCommand } from '../../adapters/slack/command-handler';
import { IDS, type SlackHarness, blockText, startSlackHarness, waitFor } from './harness';

let h: SlackHarness;

beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

async function support(user: string, text: string, channel: string = IDS.support) {
  const responseUrl = h.sim.responseUrl();
  const res = await h.delivery.command(h.payloads.slashCommand({ user, channel, text, responseUrl }));
  expect(res.status).toBe(200);
  expect(res.body).toBe(''); // acknowledged empty: the answer comes through response_url
  await h.settle();
  return h.sim.responses.filter((r) => r.body && responseUrl.endsWith(r.id)).map((r) => r.body);
}

describe('/support', () => {
  it.each(['status', 'help', 'cost'] as const)('%s calls the engine with the caller and answers ephemerally in Block Kit', async (name) => {
    const [reply] = await support(IDS.staff, name);
    expect(h.engine.commands).toEqual([{ name, args: [], caller: expect.objectContaining({ userId: IDS.staff, role: 'staff' }), workspaceId: expect.any(String) }]);
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: `${name} for Sam (Support)` });
    const blocks = reply!.blocks as Array<{ type: string }>;
    expect(blocks[0]!.type).toBe('header');
    expect(blockText(blocks)).toContain(`Support ${name}`);
    expect(blockText(blocks)).toContain('Sam (Support) is *staff*');
  });

  it('passes `forget me` with the workspace it was typed in (memory is scoped per workspace)', async () => {
    await support(IDS.member, 'forget me');
    expect(h.engine.commands).toMatchObject([{ name: 'forget', args: ['me'], workspaceId: expect.stringMatching(/^T/) }]);
  });

  it('passes `cost all` with the real role; the engine enforces it', async () => {
    await support(IDS.admin, 'cost all');
    const [denied] = await support(IDS.member, 'cost all');
    expect(h.engine.commands.map((c) => [c.name, c.args, c.caller.role])).toEqual([
      ['cost', ['all'], 'admin'],
      ['cost', ['all'], 'member'],
    ]);
    expect(blockText(denied!.blocks as unknown[])).toContain('⚠️ Not allowed');
  });

  it('treats an empty or unknown subcommand as help', async () => {
    await support(IDS.member, '');
    await support(IDS.member, 'dance');
    expect(h.engine.commands.map((c) => c.name)).toEqual(['help', 'help']);
  });

  it('acknowledges at once even when the engine is slow', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = h.engine.command.bind(h.engine);
    h.engine.command = async (input) => {
      await gate;
      return original(input);
    };
    const responseUrl = h.sim.responseUrl();
    const started = Date.now();
    const res = await h.delivery.command(h.payloads.slashCommand({ user: IDS.member, channel: IDS.support, text: 'status', responseUrl }));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.sim.responses).toHaveLength(0);
    release();
    await waitFor(() => h.sim.responses.length === 1);
  });
});

describe('/support handback', () => {
  it('hands back the thread named by a link', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, 'help');
    const reply = h.sim.workspace.userPost(IDS.support, IDS.member, 'still there?', root.ts);
    await support(IDS.staff, `handback ${h.sim.permalink(reply)}`);
    expect(h.engine.commands[0]).toMatchObject({
      name: 'handback',
      caller: { role: 'staff' },
      conversation: { platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.support, threadId: root.ts },
    });
  });

  it('in a DM, hands back the DM itself', async () => {
    await support(IDS.member, 'handback', IDS.dmMember);
    expect(h.engine.commands[0]!.conversation).toEqual({ platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.dmMember, threadId: IDS.dmMember });
  });

  it('explains how to name the thread when typed in a channel without a link', async () => {
    const [reply] = await support(IDS.staff, 'handback');
    expect(h.engine.commands).toEqual([]);
    expect(String(reply!.text)).toMatch(/slash commands from inside threads/);
  });
});

describe('parseSupportCommand', () => {
  it('splits words and lower-cases the subcommand', () => {
    expect(parseSupportCommand('  COST   all ')).toEqual({ name: 'cost', args: ['all'] });
    expect(parseSupportCommand('handback https://x/archives/C1/p1')).toEqual({ name: 'handback', args: ['https://x/archives/C1/p1'] });
    expect(parseSupportCommand('what')).toEqual({ name: 'help', args: ['what'] });
  });
});
