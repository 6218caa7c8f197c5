import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackReplyStream, type SlackReplyStreamOptions } from '../../adapters/slack/reply-stream';
import { SlackApi } from '../../adapters/slack/slack-api';
import { SlackSimulator } from '../simulators/slack/web-api';
import type { SimCall } from '../simulators/slack/state';
import { IDS, blockText, captureLogger, seedWorkspace } from './harness';

/** SlackReplyStream against the simulated Web API: buffering, task updates, limits, fallback. */
let sim: SlackSimulator;
let api: SlackApi;
let clock: number;
let root: string;
const times: Array<{ call: SimCall; at: number }> = [];

beforeEach(async () => {
  sim = await new SlackSimulator().start();
  seedWorkspace(sim);
  api = new SlackApi({ token: sim.botToken, apiUrl: sim.apiUrl, logger: captureLogger() });
  clock = Date.UTC(2030, 0, 1);
  sim.agent.now = () => clock;
  root = sim.workspace.userPost(IDS.support, IDS.member, 'help').ts;
  times.length = 0;
  sim.onCall = (call) => times.push({ call, at: Date.now() });
});
afterEach(async () => {
  await sim.close();
});

function open(options: Partial<SlackReplyStreamOptions> = {}): SlackReplyStream {
  return new SlackReplyStream({
    api,
    logger: captureLogger(),
    target: { channel: IDS.support, thread_ts: root },
    recipient: { userId: IDS.member, teamId: sim.teamId },
    now: () => clock,
    ...options,
  });
}

const streamCalls = () => sim.calls.filter((c) => c.method.startsWith('chat.') && c.method.endsWith('Stream'));
const only = (method: string) => sim.callsTo(method).filter((c) => c.ok);

describe('streamed replies', () => {
  it('starts in the thread for its recipient, buffers text into few appends, shows tool steps, and stops with the whole text', async () => {
    const stream = open({ flushMs: 10_000, flushChars: 50 });
    const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
    for (const w of words.slice(0, 30)) await stream.append(w);
    await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'in_progress' });
    await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' });
    for (const w of words.slice(30)) await stream.append(w);
    const ref = await stream.finish({ kind: 'reply', text: `${words.join('').trim()}\n\nAll done.` });

    const start = sim.callsTo('chat.startStream')[0]!;
    expect(start.args).toMatchObject({ channel: IDS.support, thread_ts: root, recipient_user_id: IDS.member, recipient_team_id: sim.teamId });
    // 60 words (~400 chars) at 50 chars per flush plus two steps: a handful of calls, not one per word.
    expect(streamCalls().length).toBeLessThan(15);
    const s = sim.agent.stream(IDS.support, ref!.messageId)!;
    expect(s.stopped).toBe(true);
    expect(s.markdown).toBe(`${words.join('')}\n\nAll done.`);
    expect(s.tasks).toEqual([{ id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' }]);
    expect(sim.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('sends the first words at once, then flushes a short buffer after the interval', async () => {
    const stream = open({ flushMs: 20, flushChars: 200 });
    await stream.append('Hello');
    expect(only('chat.startStream')[0]!.args.chunks).toEqual([{ type: 'markdown_text', text: 'Hello' }]);
    await stream.append(' world');
    expect(sim.callsTo('chat.appendStream')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(only('chat.appendStream')[0]!.args.chunks).toEqual([{ type: 'markdown_text', text: ' world' }]);
    await stream.finish({ kind: 'reply', text: 'Hello world' });
  });

  it('sends the last words and steps with chat.stopStream: no appendStream for what waits at the finish', async () => {
    const stream = open({ flushMs: 10_000, flushChars: 200 });
    await stream.append('Your order ');
    await stream.append('shipped on ');
    const ref = await stream.finish({ kind: 'reply', text: 'Your order shipped on November 20.' });
    expect(only('chat.startStream')).toHaveLength(1);
    expect(sim.callsTo('chat.appendStream')).toHaveLength(0);
    const stop = only('chat.stopStream')[0]!;
    expect(stop.args.chunks).toEqual([{ type: 'markdown_text', text: 'shipped on November 20.' }]);
    expect(sim.agent.stream(IDS.support, ref!.messageId)!.markdown).toBe('Your order shipped on November 20.');
  });

  it('sends the first words at once after a tool step, and lets a finished step ride with them', async () => {
    const stream = open({ flushMs: 10_000, flushChars: 200 });
    await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'in_progress' });
    await stream.progress({ id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' });
    // The finished step waits for what comes next…
    expect(sim.callsTo('chat.appendStream')).toHaveLength(0);
    await stream.append('It shipped');
    // …and goes with the first words, which do not wait for the buffer.
    expect(only('chat.appendStream').map((c) => c.args.chunks)).toEqual([
      [
        { type: 'markdown_text', text: 'It shipped' },
        { type: 'task_update', id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' },
      ],
    ]);
    const ref = await stream.finish({ kind: 'reply', text: 'It shipped.' });
    const s = sim.agent.stream(IDS.support, ref!.messageId)!;
    expect(s.markdown).toBe('It shipped.');
    expect(s.tasks).toEqual([{ id: 'call_1', title: 'Looking up order ORD-1001', status: 'complete' }]);
  });

  it('sends a finished step within the flush interval when nothing follows it', async () => {
    const stream = open({ flushMs: 20, flushChars: 200 });
    await stream.progress({ id: 'call_1', title: 'Checking the refund', status: 'in_progress' });
    await stream.progress({ id: 'call_1', title: 'Checking the refund', status: 'error' });
    await new Promise((r) => setTimeout(r, 80));
    expect(only('chat.appendStream').map((c) => c.args.chunks)).toEqual([[{ type: 'task_update', id: 'call_1', title: 'Checking the refund', status: 'error' }]]);
    await stream.finish({ kind: 'reply', text: 'I could not check it.' });
  });

  it('when chat.stopStream refuses the last words, sends them with appendStream and closes: nothing lost', async () => {
    const stream = open({ flushMs: 10_000, flushChars: 200 });
    await stream.append('Part one, ');
    await stream.append('part two.');
    sim.failNext('chat.stopStream', { error: 'invalid_arguments' });
    const ref = await stream.finish({ kind: 'reply', text: 'Part one, part two.' });
    expect(sim.callsTo('chat.stopStream').map((c) => c.ok)).toEqual([false, true]);
    expect(only('chat.appendStream')[0]!.args.chunks).toEqual([{ type: 'markdown_text', text: 'part two.' }]);
    const s = sim.agent.stream(IDS.support, ref!.messageId)!;
    expect(s.stopped).toBe(true);
    expect(s.markdown).toBe('Part one, part two.');
  });

  it('when Slack closed the stream before the finish, the last words go on in a new message', async () => {
    const stream = open({ flushMs: 10_000, flushChars: 200, maxAgeMs: 60 * 60_000 });
    await stream.append('Before. ');
    clock += 6 * 60_000;
    await stream.append('After.');
    await stream.finish({ kind: 'reply', text: 'Before. After.' });
    expect(sim.calls.some((c) => c.method === 'chat.stopStream' && c.error === 'message_not_in_streaming_state')).toBe(true);
    const texts = sim.workspace.botMessagesIn(IDS.support, root).map((m) => m.text);
    expect(texts.join('')).toBe('Before. After.');
  });

  it('takes the Stop button off through the clean-up hook, after the stream is stopped and whole', async () => {
    const tasks: Array<{ label: string; task: () => Promise<void> }> = [];
    const stream = open({
      controls: [{ type: 'actions', block_id: 'turn_controls', elements: [{ type: 'button', action_id: 'turn_stop', text: { type: 'plain_text', text: 'Stop' }, value: 'x' }] }],
      cleanup: (label, task) => tasks.push({ label, task }),
    });
    await stream.append('All done here.');
    const ref = await stream.finish({ kind: 'reply', text: 'All done here.' });
    // Stopped and whole at once; the button is still there until the clean-up runs.
    expect(sim.agent.stream(IDS.support, ref!.messageId)!.stopped).toBe(true);
    expect(sim.callsTo('chat.update')).toHaveLength(0);
    expect(tasks.map((t) => t.label)).toEqual(['slack stop button removal']);
    await tasks[0]!.task();
    const message = sim.workspace.botMessagesIn(IDS.support, root)[0]!;
    expect(JSON.stringify(message.blocks)).not.toContain('turn_stop');
    expect(JSON.stringify(message.blocks)).toContain('All done here.');
  });

  it('continues in a new message before the size limit, and when Slack closed the stream after five minutes', async () => {
    const stream = open({ flushChars: 1, maxChars: 100 });
    const para = `${'x'.repeat(60)}\n\n`;
    await stream.append(para);
    await stream.append(para); // 124 chars would pass 100: a new message
    clock += 5 * 60_000 + 1; // Slack closes it; our own age limit is off (default 4 min passed too)
    await stream.append('tail');
    await stream.finish({ kind: 'reply', text: `${para}${para}tail`.trim() });
    const messages = sim.workspace.botMessagesIn(IDS.support, root);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    const all = messages.map((m) => sim.agent.stream(m.channel, m.ts)!.markdown).join('');
    expect(all.replace(/\s+/g, '')).toBe(`${para}${para}tail`.replace(/\s+/g, ''));
    expect(sim.calls.filter((c) => c.error === 'msg_too_long')).toHaveLength(0);
  });

  it("carries on in a new message when Slack says the stream is no longer open (message_not_in_streaming_state)", async () => {
    const stream = open({ flushChars: 1, maxAgeMs: 60 * 60_000 });
    await stream.append('first part. ');
    clock += 6 * 60_000; // past Slack's ~5 minutes; our own limit set higher so Slack's error is what we meet
    await stream.append('second part.');
    await stream.finish({ kind: 'reply', text: 'first part. second part.' });
    expect(sim.calls.some((c) => c.error === 'message_not_in_streaming_state')).toBe(true);
    const texts = sim.workspace.botMessagesIn(IDS.support, root).map((m) => m.text);
    expect(texts.join('')).toBe('first part. second part.');
  });

  it('falls back to post-then-update when streaming is refused, at most once a second, without losing text', async () => {
    sim.failNext('chat.startStream', { error: 'method_not_supported', times: 100 });
    const stream = open({ flushChars: 1, controls: [{ type: 'actions', block_id: 'c', elements: [{ type: 'button', action_id: 'turn_stop', text: { type: 'plain_text', text: 'Stop' }, value: 'x' }] }] });
    const started = Date.now();
    const sentence = 'The **refund** of $29.00 is on its way. ';
    for (let i = 0; i < 8; i++) {
      clock = Date.UTC(2030, 0, 1) + (Date.now() - started);
      await stream.append(sentence);
      await new Promise((r) => setTimeout(r, 150));
    }
    clock = Date.UTC(2030, 0, 1) + (Date.now() - started);
    await stream.finish({ kind: 'reply', text: sentence.repeat(8).trim() });
    const message = sim.workspace.botMessagesIn(IDS.support, root);
    expect(message).toHaveLength(1);
    // Same mrkdwn as the non-streamed path; nothing lost; the Stop button gone once finished.
    expect(blockText(message[0]!.blocks)).toBe(Array(8).fill('The *refund* of $29.00 is on its way.').join(' '));
    expect(JSON.stringify(message[0]!.blocks)).not.toContain('turn_stop');
    const updates = times.filter((t) => t.call.method === 'chat.update' || t.call.method === 'chat.postMessage').map((t) => t.at);
    expect(updates.length).toBeGreaterThan(1);
    for (let i = 1; i < updates.length; i++) expect(updates[i]! - updates[i - 1]!).toBeGreaterThanOrEqual(950);
  });

  it('refuses to start a stream in a channel without a recipient (simulator keeps Slack honest)', async () => {
    const r = await fetch(`${sim.apiUrl}chat.startStream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: IDS.support, thread_ts: root, markdown_text: 'hi' }),
    });
    expect(await r.json()).toMatchObject({ ok: false, error: 'missing_recipient_user_id' });
  });
});
