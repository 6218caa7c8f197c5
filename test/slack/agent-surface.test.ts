import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_BOT_EVENTS, SLACK_METHOD_SCOPES } from '../../adapters/slack/app-requirements';
import { AgentPayloads } from '../simulators/slack/agent-payloads';
import type { SimMessage } from '../simulators/slack/state';
import { type EngineSlackHarness, startEngineSlackHarness } from './e2e-harness';
import { IDS, blockText, waitFor } from './harness';

/** Streaming, the agent surface, stop and "Edit and approve", through Bolt, the real engine and the simulator. */
let h: EngineSlackHarness;
let agent: AgentPayloads;

beforeEach(async () => {
  h = await startEngineSlackHarness();
  agent = new AgentPayloads(h.sim, h.payloads);
});
afterEach(async () => {
  h.model.hold = undefined;
  await h.close();
});

const inThread = (channel: string, root: string) => h.sim.workspace.botMessagesIn(channel, root);
const textOf = (m: SimMessage) => `${m.text}\n${blockText(m.blocks)}`;
const buttons = (m: SimMessage) =>
  ((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string }> }>).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).map((e) => e.action_id);

async function mention(text: string, options: { settle?: boolean } = {}): Promise<SimMessage> {
  const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> ${text}`);
  expect((await h.delivery.event(h.payloads.appMention(root))).status).toBe(200);
  if (options.settle !== false) await h.settle();
  return root;
}

async function click(user: string, message: SimMessage, actionId: string): Promise<void> {
  const current = h.sim.workspace.findMessage(message.channel, message.ts)!;
  const payload = h.payloads.blockAction({ user, message: current, actionId, responseUrl: h.sim.responseUrl() });
  expect((await h.delivery.interaction(payload)).status).toBe(200);
}

async function audit(): Promise<Array<Record<string, unknown>>> {
  await h.app.audit.flush();
  const text = await readFile(h.app.config.auditLogPath, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The model thinks until released (or the run is stopped). */
function holdModel(): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  h.model.hold = () => held;
  return release;
}

describe('streamed answers', () => {
  it('streams the answer into the thread, with the refund tool as task updates, and no placeholder left', async () => {
    const root = await mention('please refund order 1042');
    const card = inThread(IDS.support, root.ts).find((m) => textOf(m).includes('Approval needed'))!;
    await click(IDS.staff, card, 'approval_approve');
    await h.settle();

    const streams = inThread(IDS.support, root.ts).map((m) => h.sim.agent.stream(m.channel, m.ts)).filter((s) => s !== undefined);
    expect(streams.length).toBe(2); // the lead before the approval, the result after it
    expect(streams.every((s) => s.stopped && s.recipient?.user === IDS.member)).toBe(true);
    expect(streams[0]!.markdown).toContain('I can refund that once a staff member approves.');
    expect(streams[1]!.markdown).toContain('Done: {"refunded":true,"orderId":"1042"}');
    // The finished answer ends with the feedback controls a posted answer has; the lead before the approval does not.
    expect(JSON.stringify(streams[1]!.blocks)).toContain('feedback_buttons');
    expect(JSON.stringify(streams[0]!.blocks)).not.toContain('feedback_buttons');
    const tasks = streams.flatMap((s) => s.tasks);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.title !== '' && ['complete', 'error'].includes(t.status))).toBe(true);
    expect(tasks.some((t) => t.status === 'complete')).toBe(true);
    expect(h.sim.callsTo('chat.appendStream').length + h.sim.callsTo('chat.startStream').length).toBeGreaterThan(0);
    // A finished answer keeps its text and feedback but loses the Stop button it had while written.
    const finished = inThread(IDS.support, root.ts).filter((m) => h.sim.agent.stream(m.channel, m.ts) !== undefined);
    expect(finished.some((m) => buttons(m).includes('turn_stop'))).toBe(false);
    expect(JSON.stringify(finished[1]!.blocks)).toContain('feedback_buttons');
    expect(textOf(finished[1]!)).toContain('Done: {"refunded":true,"orderId":"1042"}');
    expect(h.sim.callsTo('chat.update').filter((c) => finished.some((m) => m.ts === c.args.ts) && c.ok)).toHaveLength(2);
    // Nothing says "working on it" any more.
    expect(inThread(IDS.support, root.ts).some((m) => /Working on it/.test(textOf(m)))).toBe(false);
    expect(h.refunds).toHaveLength(1);
  });

  it('posts and updates instead when Slack refuses to stream, without losing text', async () => {
    h.sim.failNext('chat.startStream', { error: 'method_not_supported', times: 100 });
    const root = await mention('hello there, **friend**');
    const messages = inThread(IDS.support, root.ts);
    expect(messages).toHaveLength(1);
    expect(blockText(messages[0]!.blocks)).toBe('Echo: hello there, *friend*');
    const refused = h.sim.callsTo('chat.startStream');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c.error === 'method_not_supported')).toBe(true);
    expect(h.sim.agent.streams.size).toBe(0);
  });

  it('reacts 👀 on a mention at once and removes it when done', async () => {
    const root = await mention('hello');
    const key = `${IDS.support}:${root.ts}`;
    expect(h.sim.agent.reactionLog).toEqual([`+eyes ${key}`, `-eyes ${key}`]);
    const methods = h.sim.calls.map((c) => c.method);
    expect(methods.indexOf('reactions.add')).toBeLessThan(methods.indexOf('chat.startStream'));
    expect(methods.lastIndexOf('reactions.remove')).toBeGreaterThan(methods.indexOf('chat.stopStream'));
  });
});

describe('stop', () => {
  it('the Stop button stops a thinking turn, for the requester, and refuses others privately', async () => {
    holdModel();
    const root = await mention('tell me a long story', { settle: false });
    const working = await waitFor(() => inThread(IDS.support, root.ts).find((m) => buttons(m).includes('turn_stop')));
    await click(IDS.member2, working, 'turn_stop');
    await waitFor(() => h.sim.workspace.ephemerals.length > 0);
    expect(h.sim.workspace.ephemerals[0]).toMatchObject({ user: IDS.member2, text: expect.stringMatching(/Only the person being helped/) });
    await click(IDS.member, working, 'turn_stop');
    await h.settle();
    const after = inThread(IDS.support, root.ts);
    expect(after.map(textOf).join('\n')).toContain('Stopped.');
    expect(after.some((m) => buttons(m).includes('turn_stop'))).toBe(false);
    expect((await audit()).some((e) => e.event === 'turn_cancelled')).toBe(true);
  });

  it('the Stop button on a message being streamed stops the turn it belongs to', async () => {
    holdModel();
    const root = await mention('write me an essay', { settle: false });
    await waitFor(() => inThread(IDS.support, root.ts).length > 0);
    // A stream in the same conversation, as the engine opens one when text arrives.
    const conversation = { platform: 'slack', workspaceId: h.sim.teamId, channelId: IDS.support, threadId: root.ts };
    const stream = (await h.adapter.channel.openStream(conversation, { recipient: { userId: IDS.member, platform: 'slack', displayName: 'mia', role: 'member' } }))!;
    await stream.append('Once upon a time');
    const streaming = await waitFor(() => inThread(IDS.support, root.ts).find((m) => h.sim.agent.stream(m.channel, m.ts) !== undefined));
    expect(buttons(streaming)).toContain('turn_stop');
    await click(IDS.member, streaming, 'turn_stop');
    await h.settle();
    await stream.finish({ kind: 'reply', text: 'Once upon a time' });
    expect(inThread(IDS.support, root.ts).map(textOf).join('\n')).toContain('Stopped.');
    expect((await audit()).some((e) => e.event === 'turn_cancelled')).toBe(true);
  });

  it("Slack's own stop (agent_session_stopped) stops the turn of an assistant thread", async () => {
    const threadTs = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'thread root').ts;
    await h.delivery.event(agent.assistantThreadStarted({ user: IDS.member, channel: IDS.dmMember, threadTs }));
    await h.settle();
    holdModel();
    const m = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'think hard about my invoice', threadTs);
    await h.delivery.event(h.payloads.message(m));
    await waitFor(() => h.sim.agent.assistant.some((c) => c.method === 'setStatus' && c.status === 'is thinking…'));
    await h.delivery.event(agent.agentSessionStopped({ user: IDS.member, channel: IDS.dmMember, threadTs }));
    await h.settle();
    expect(inThread(IDS.dmMember, threadTs).map(textOf).join('\n')).toContain('Stopped.');
    // The status said what it did, and was cleared at the end.
    expect(h.sim.agent.assistant.filter((c) => c.method === 'setStatus').at(-1)?.status).toBe('');
  });

  it('/support stop in a DM stops the answer being written there', async () => {
    holdModel();
    const m = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'something slow');
    await h.delivery.event(h.payloads.message(m));
    await waitFor(() => h.sim.workspace.botMessagesIn(IDS.dmMember).length > 0);
    await h.delivery.command(h.payloads.slashCommand({ user: IDS.member, channel: IDS.dmMember, text: 'stop', responseUrl: h.sim.responseUrl() }));
    await h.settle();
    expect(h.sim.workspace.botMessagesIn(IDS.dmMember).map(textOf).join('\n')).toContain('Stopped.');
    expect(h.sim.responses.at(-1)?.body.text).toMatch(/Stopping/);
  });
});

describe('assistant threads', () => {
  it('sets suggested prompts when a thread starts, then a title, a status while working, and passes the viewed channel as context', async () => {
    const threadTs = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'thread root').ts;
    await h.delivery.event(agent.assistantThreadStarted({ user: IDS.member, channel: IDS.dmMember, threadTs, contextChannel: IDS.support }));
    await h.settle();
    const prompts = h.sim.agent.assistant.find((c) => c.method === 'setSuggestedPrompts')!;
    expect(prompts).toMatchObject({ channel: IDS.dmMember, threadTs });
    expect(prompts.prompts!.map((p) => p.message)).toContain('Where is my order ORD-1001?');

    await h.delivery.event(agent.assistantContextChanged({ user: IDS.member, channel: IDS.dmMember, threadTs, contextChannel: 'C0RANDOM' }));
    const m = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'what is going on in this channel?', threadTs);
    await h.delivery.event(h.payloads.message(m));
    await h.settle();

    expect(h.sim.agent.assistant.find((c) => c.method === 'setTitle')?.title).toBe('what is going on in this channel?');
    const statuses = h.sim.agent.assistant.filter((c) => c.method === 'setStatus');
    expect(statuses[0]).toMatchObject({ status: 'is thinking…' });
    expect(statuses[0]!.loadingMessages!.length).toBeGreaterThan(0);
    expect(statuses.at(-1)!.status).toBe('');
    const reply = inThread(IDS.dmMember, threadTs);
    expect(reply.map(textOf).join('\n')).toContain('Echo: what is going on in this channel?');
    // No placeholder in an assistant thread: the status says it.
    expect(reply.some((m) => /Working on it/.test(textOf(m)))).toBe(false);
    const inbound = (await audit()).filter((e) => e.event === 'inbound_message');
    expect(inbound.at(-1)?.context_channel_id).toBe('C0RANDOM');
  });
});

describe('Edit and approve', () => {
  async function openEdit(user: string = IDS.staff) {
    const root = await mention('please refund order 1042');
    const card = inThread(IDS.support, root.ts).find((m) => textOf(m).includes('Approval needed'))!;
    expect(buttons(card)).toContain('approval_edit');
    await click(user, card, 'approval_edit');
    await h.settle();
    const opened = h.sim.agent.views.at(-1)!;
    return { root, card, view: opened.view };
  }

  it('opens a modal pre-filled with the arguments; a valid edit approves the edited amount and closes it', async () => {
    const { root, card, view } = await openEdit();
    const inputs = (view.blocks as Array<{ type: string; block_id?: string; element?: { initial_value?: string } }>).filter((b) => b.type === 'input');
    expect(inputs.map((b) => [b.block_id, b.element?.initial_value])).toEqual([
      ['arg:orderId', '1042'],
      ['arg:amountUsd', '120'],
    ]);
    const answer = await h.delivery.interaction(agent.viewSubmission({ user: IDS.staff, view, values: { 'arg:orderId': '1042', 'arg:amountUsd': '25' } }));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    await h.settle();
    expect(h.refunds).toHaveLength(1);
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(textOf(after)).toContain('Refund $25.00 on order #1042');
    expect(buttons(after)).toEqual([]);
    const edited = (await audit()).find((e) => Array.isArray(e.original_args) || (e.original_args && e.tool_args));
    expect(edited).toMatchObject({ original_args: { amountUsd: 120 }, tool_args: { amountUsd: 25 } });
    expect(inThread(IDS.support, root.ts).map(textOf).join('\n')).toContain('Done:');
  });

  it('shows a bad value or a refusal in the modal and changes nothing', async () => {
    const { card, view } = await openEdit(IDS.member2);
    const notANumber = await h.delivery.interaction(agent.viewSubmission({ user: IDS.staff, view, values: { 'arg:orderId': '1042', 'arg:amountUsd': 'twenty' } }));
    expect(JSON.parse(notANumber.body)).toEqual({ response_action: 'errors', errors: { 'arg:amountUsd': expect.stringMatching(/number/) } });
    // A member may not approve a staff-level refund, edited or not: the engine's refusal shows in the modal.
    const refused = await h.delivery.interaction(agent.viewSubmission({ user: IDS.member2, view, values: { 'arg:orderId': '1042', 'arg:amountUsd': '25' } }));
    const body = JSON.parse(refused.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.values(body.errors).join(' ')).toMatch(/staff member or admin/);
    await h.settle();
    expect(h.refunds).toEqual([]);
    const after = h.sim.workspace.findMessage(card.channel, card.ts)!;
    expect(after.blocks).toEqual(card.blocks);
    expect(after.updates).toBe(card.updates);
  });
});

describe('app requirements', () => {
  it('every agent-surface Web API method used is in the scope table, and the manifest grants its scopes and events', async () => {
    const manifest = parse(await readFile(new URL('../../manifest/slack-app.yaml', import.meta.url), 'utf8')) as {
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { bot_events: string[] } };
      features: Record<string, unknown>;
    };
    const threadTs = h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'thread root').ts;
    await h.delivery.event(agent.assistantThreadStarted({ user: IDS.member, channel: IDS.dmMember, threadTs }));
    await h.delivery.event(h.payloads.message(h.sim.workspace.userPost(IDS.dmMember, IDS.member, 'hi', threadTs)));
    const root = await mention('please refund order 1042');
    const card = inThread(IDS.support, root.ts).find((m) => textOf(m).includes('Approval needed'))!;
    await click(IDS.staff, card, 'approval_edit');
    await h.settle();

    const used = [...new Set(h.sim.calls.map((c) => c.method))];
    expect(used).toEqual(expect.arrayContaining(['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'assistant.threads.setStatus', 'assistant.threads.setSuggestedPrompts', 'assistant.threads.setTitle', 'reactions.add', 'reactions.remove', 'views.open']));
    for (const method of used) {
      expect(SLACK_METHOD_SCOPES, `scope table lacks ${method}`).toHaveProperty([method]);
      for (const scope of SLACK_METHOD_SCOPES[method]!) expect(manifest.oauth_config.scopes.bot).toContain(scope);
    }
    for (const event of ['assistant_thread_started', 'assistant_thread_context_changed', 'app_context_changed', 'agent_session_stopped', 'message.im']) {
      expect(SLACK_BOT_EVENTS).toContain(event);
      expect(manifest.settings.event_subscriptions.bot_events).toContain(event);
    }
    expect(manifest.features).toHaveProperty('agent_view.agent_description');
    expect(manifest.features).toHaveProperty('assistant_view.assistant_description');
  });
});
