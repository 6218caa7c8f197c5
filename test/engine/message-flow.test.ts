import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESTARTED_NOTICE } from '../../src/agent/recover-turns';
import type { ModelRequest, ModelResponse, Sender } from '../../src/ports';
import { EngineHarness, users } from '../support/engine-harness';
import { staffRefundTool } from '../support/refund-tool';
import { answer, callTools, ScriptedModel } from '../support/scripted-model';

const harnesses: EngineHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close().catch(() => undefined);
});
const track = (h: EngineHarness) => (harnesses.push(h), h);

/** A model that waits for `release()` before answering each call. */
function gatedModel(reply: (request: ModelRequest) => ModelResponse = () => answer('ok')) {
  const model = new ScriptedModel();
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  model.fallback = async (request) => {
    await gate;
    return reply(request);
  };
  return {
    model,
    release() {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

const lastUser = (request: ModelRequest) => request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

describe('no message is dropped', () => {
  it('handles a follow-up sent while the first answer is still being written', async () => {
    const gated = gatedModel((r) => answer(`re: ${lastUser(r)}`));
    const h = track(await EngineHarness.create({ model: gated.model }));
    const first = h.send('my order is late');
    await vi.waitFor(() => expect(gated.model.calls).toBe(1));
    // No mention: the adapter marks it a follow-up; the thread is not saved yet.
    const second = h.engine.handleMessage({ conversation: h.conversation(), caller: users.alice, text: 'it is ORD-1001', messageId: 'm-2', followUp: true });
    gated.release();
    await first;
    await vi.waitFor(() => expect(gated.model.calls).toBe(2));
    gated.release();
    expect((await second).status).toBe('answered');
    expect(h.channel.texts()).toEqual(['re: my order is late', 're: it is ORD-1001']);
  });

  it('ignores follow-ups in threads the bot never joined, without writing anything for them', async () => {
    const h = track(await EngineHarness.create({ model: new ScriptedModel('m', [answer('no')]) }));
    const result = await h.engine.handleMessage({ conversation: h.conversation('other'), caller: users.alice, text: 'chatter', messageId: 'c-1', followUp: true });
    expect(result.status).toBe('ignored');
    expect(h.channel.posts).toEqual([]);
    expect(await h.app.store.get('inbound:test:c-1')).toBeUndefined();
  });

  it('keeps arrival order when the sender lookup of the first message is slower than the second', async () => {
    const model = new ScriptedModel();
    model.fallback = (r) => answer(`re: ${lastUser(r)}`);
    const h = track(await EngineHarness.create({ model }));
    const delays: Record<string, number> = { U_SLOW: 80, U_FAST: 0 };
    h.channel.identify = async (sender: Sender) => {
      await new Promise((r) => setTimeout(r, delays[sender.userId] ?? 0));
      return { ...users.alice, userId: sender.userId, displayName: sender.userId };
    };
    const a = h.engine.handleMessage({ conversation: h.conversation(), caller: { userId: 'U_SLOW', platform: 'test' }, text: 'first', messageId: 'o-1' });
    const b = h.engine.handleMessage({ conversation: h.conversation(), caller: { userId: 'U_FAST', platform: 'test' }, text: 'second', messageId: 'o-2' });
    await Promise.all([a, b]);
    expect(h.channel.texts()).toEqual(['re: first', 're: second']);
  });
});

describe('replicas sharing Redis keep arrival order', () => {
  it('runs five messages delivered alternately to two replicas in the order they arrived', async () => {
    const seen: string[] = [];
    const slow = () => {
      const model = new ScriptedModel();
      model.fallback = async (r) => {
        seen.push(lastUser(r));
        await new Promise((resolve) => setTimeout(resolve, 30));
        return answer('ok');
      };
      return model;
    };
    const env = { STORE_URL: 'redis://127.0.0.1:6379', ENCRYPTION_KEY: 'ab'.repeat(32) };
    const a = track(await EngineHarness.create({ model: slow(), env }));
    const b = track(await EngineHarness.create({ model: slow(), env }));
    const thread = a.conversation(`order-${Date.now()}-${Math.random()}`);
    const sends = [];
    for (let i = 1; i <= 5; i++) {
      sends.push((i % 2 === 1 ? a : b).send(`message ${i}`, { conversation: thread }));
      await new Promise((resolve) => setTimeout(resolve, 5)); // arrivals a few ms apart, as people type
    }
    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual(['answered', 'answered', 'answered', 'answered', 'answered']);
    expect(seen).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
  });
});


describe('while an approval is pending', () => {
  it('escalates at once when the user asks for a person', async () => {
    const model = new ScriptedModel('m', [callTools({ name: 'issue_refund', args: { amount: 29 } })]);
    const h = track(await EngineHarness.create({ model, tools: [staffRefundTool([])] }));
    const paused = await h.send('refund the duplicate charge');
    expect(paused.status).toBe('paused');
    const result = await h.send('I want to speak to a manager now');
    expect(result.status).toBe('escalated');
    expect(h.channel.oncall).toHaveLength(1);
    expect(h.channel.oncall[0]?.pending.join(' ')).toContain('issue_refund');
  });

  it('tells the outcome of the approved action, then answers what the user wrote meanwhile', async () => {
    const log: number[] = [];
    const model = new ScriptedModel('m', [
      callTools({ name: 'issue_refund', args: { amount: 29 } }),
      answer('Done: your $29.00 refund was issued.'),
      answer('Your order ORD-1001 ships tomorrow.'),
    ]);
    const h = track(await EngineHarness.create({ model, tools: [staffRefundTool(log)] }));
    const paused = await h.send('refund the duplicate charge');
    await h.send('also, where is ORD-1001?');
    const decided = await h.engine.decideApproval({ approvalId: paused.pendingApprovals[0]!, decision: 'approve', decider: users.dana });
    expect(decided.ok).toBe(true);
    expect(log).toEqual([29]);
    const texts = h.channel.texts();
    const refund = texts.indexOf('Done: your $29.00 refund was issued.');
    const order = texts.indexOf('Your order ORD-1001 ships tomorrow.');
    expect(refund).toBeGreaterThan(-1);
    expect(order).toBeGreaterThan(refund);
    // The second run sees the user's question after the refund result.
    expect(lastUser(model.requests[2]!)).toBe('also, where is ORD-1001?');
  });
});

describe('a turn interrupted by a crash', () => {
  it('is picked up after a restart: the user is told and the turn runs again', async () => {
    const crashed = gatedModel();
    const first = track(await EngineHarness.create({ model: crashed.model }));
    void first.send('where is my refund?', { messageId: 'crash-1' }).catch(() => undefined);
    await vi.waitFor(() => expect(crashed.model.calls).toBe(1));
    // The first process is gone mid-turn; a new one starts on the same data.
    const model = new ScriptedModel('m', [answer('Your refund arrives Friday.')]);
    const second = track(await EngineHarness.create({ model, dataDir: first.dataDir, clock: first.clock }));
    await second.engine.sweep();
    await vi.waitFor(() => expect(second.channel.texts()).toEqual([RESTARTED_NOTICE, 'Your refund arrives Friday.']));
    expect(lastUser(model.requests[0]!)).toBe('where is my refund?');
    const audit = await second.audit();
    expect(audit.find((e) => e.event === 'turn_recovered')).toMatchObject({ message_id: 'crash-1', attempts: 1 });
    // Recovered once: a later sweep finds nothing left to do.
    await second.engine.sweep();
    expect(model.calls).toBe(1);
    crashed.release();
  });

  it('goes to a person when it was interrupted again after each restart', async () => {
    const gates = [gatedModel(), gatedModel(), gatedModel()];
    const first = track(await EngineHarness.create({ model: gates[0]!.model }));
    void first.send('cancel my subscription', { messageId: 'crash-2' }).catch(() => undefined);
    await vi.waitFor(() => expect(gates[0]!.model.calls).toBe(1));
    const second = track(await EngineHarness.create({ model: gates[1]!.model, dataDir: first.dataDir, clock: first.clock }));
    await second.engine.sweep();
    await vi.waitFor(() => expect(gates[1]!.model.calls).toBe(1));
    expect(second.channel.texts()).toEqual([RESTARTED_NOTICE]);
    const third = track(await EngineHarness.create({ model: gates[2]!.model, dataDir: first.dataDir, clock: first.clock }));
    await third.engine.sweep();
    try {
      await vi.waitFor(() => expect(third.channel.texts().join('\n')).toContain('asked a human teammate'));
      expect(third.channel.oncall).toHaveLength(1);
      expect(third.channel.oncall[0]).toMatchObject({ trigger: 'turn_interrupted', urgency: 'high' });
      expect(gates[2]!.model.calls).toBe(0);
    } finally {
      for (const g of gates) g.release();
    }
  });

  it('on Redis, another replica takes over the turns of a replica that stopped, without scanning the keyspace', async () => {
    const env = { STORE_URL: 'redis://127.0.0.1:6379', ENCRYPTION_KEY: 'cd'.repeat(32) };
    const crashed = gatedModel();
    const a = track(await EngineHarness.create({ model: crashed.model, env }));
    const model = new ScriptedModel('m', [answer('Picked up by the other replica.')]);
    const b = track(await EngineHarness.create({ model, env, clock: a.clock }));
    await a.engine.sweep(); // A proves it is alive
    await b.engine.sweep();
    const thread = a.conversation(`takeover-${Date.now()}-${Math.random()}`);
    void a.send('is anyone there?', { conversation: thread, messageId: `takeover-${Math.random()}` }).catch(() => undefined);
    await vi.waitFor(() => expect(crashed.model.calls).toBe(1));
    // A goes silent; once its heartbeat is older than the limit, B's sweep finds its open turn through the index.
    a.clock.advance(61_000); // past the heartbeat limit (30 s) and B's recovery interval (60 s); the clock is shared
    const scan = b.app.store.scan.bind(b.app.store);
    let scans = 0;
    b.app.store.scan = <T>(prefix: string) => {
      scans += 1;
      return scan<T>(prefix);
    };
    await b.engine.sweep();
    await vi.waitFor(() => expect(b.channel.texts(thread)).toEqual([RESTARTED_NOTICE]));
    expect(scans).toBe(0);
    expect((await b.audit()).filter((e) => e.event === 'turn_recovered')).toHaveLength(1);
    // In this test the "stopped" replica was only silent, and still holds the thread's turn: it finishes it,
    // and the taken-over copy, waiting its turn behind it, sees the answer saved and does not run it again.
    crashed.release();
    await vi.waitFor(() => expect(a.channel.texts(thread)).toEqual(['ok']));
    await b.engine.stop();
    expect(model.calls).toBe(0);
    expect(b.channel.texts(thread)).toEqual([RESTARTED_NOTICE]);
  });
});
