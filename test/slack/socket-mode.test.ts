import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDS, type SlackHarness, blockText, startSlackHarness, waitFor } from './harness';

let h: SlackHarness;

beforeEach(async () => {
  h = await startSlackHarness({ socketMode: true });
});
afterEach(async () => {
  await h.close();
});

describe('Socket Mode', () => {
  it('connects with the app token and serves /health on PORT', async () => {
    expect(h.sim.socketMode.connections).toBe(1);
    const open = h.sim.callsTo('apps.connections.open');
    expect(open.at(-1)).toMatchObject({ ok: true });
    const res = await fetch(`http://127.0.0.1:${h.port}/health`);
    expect(await res.json()).toMatchObject({ status: 'ok', mode: 'socket' });
    // Nothing listens for Events API requests over HTTP in this mode.
    expect((await fetch(`http://127.0.0.1:${h.port}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('acks events over the socket and hands a redelivery to the engine under the same message id', async () => {
    const post = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> over the socket`);
    const envelope = h.payloads.appMention(post);
    const ack = await h.sim.socketMode.send('events_api', envelope);
    expect(ack.envelope_id).toBeTruthy();
    await h.sim.socketMode.send('events_api', envelope, { retryAttempt: 1 });
    await h.settle();
    // The engine answers it once (deduplication.test.ts proves that with the real engine).
    expect(h.engine.received.map((m) => m.messageId)).toEqual([`${IDS.support}:${post.ts}`, `${IDS.support}:${post.ts}`]);
    const replies = h.sim.workspace.botMessagesIn(IDS.support, post.ts);
    expect(replies).toHaveLength(1);
    expect(blockText(replies[0]!.blocks)).toContain('You said: over the socket');
  });

  it('handles button clicks and /support over the socket', async () => {
    const root = h.sim.workspace.userPost(IDS.support, IDS.member, 'refund please');
    const conversation = { platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.support, threadId: root.ts };
    await h.engine.requestApproval(conversation, { id: 'apr_sock' });
    const card = h.sim.workspace.botMessagesIn(IDS.support, root.ts)[0]!;
    await h.sim.socketMode.send('interactive', h.payloads.blockAction({ user: IDS.admin, message: card, actionId: 'approval_approve', responseUrl: h.sim.responseUrl() }));
    await h.settle();
    expect(h.engine.executed).toEqual(['apr_sock']);
    expect(blockText(h.sim.workspace.findMessage(card.channel, card.ts)!.blocks)).toContain(`Approved by <@${IDS.admin}>`);

    const responseUrl = h.sim.responseUrl();
    await h.sim.socketMode.send('slash_commands', h.payloads.slashCommand({ user: IDS.staff, channel: IDS.support, text: 'status', responseUrl }));
    await waitFor(() => h.sim.responses.find((r) => responseUrl.endsWith(r.id)));
    expect(h.engine.commands[0]).toMatchObject({ name: 'status', caller: { role: 'staff' } });
  });
});
