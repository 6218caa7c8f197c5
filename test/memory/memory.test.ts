import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationRef, ModelRequest } from '../../src/ports';
import { EngineHarness, users } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

const systemOf = (request: ModelRequest | undefined) => {
  const first = request?.messages[0];
  return first?.role === 'system' ? first.content : '';
};
const thread = (threadId: string, workspaceId = 'W1'): ConversationRef => ({ platform: 'test', workspaceId, channelId: 'C1', threadId });

const ALICE_PROBLEM = "Hi, I'm Alice Martin (alice@example.com). The CSV export fails with error E42 on order ORD-1001";
const ALICE_FIX = 'Alice, turn off the compact format under Settings > Export, then export again; ORD-1001 exports fine after that.';

describe('memory: solved cases, history, forgetting', () => {
  let h: EngineHarness;
  afterEach(async () => h?.close());

  /** Alice's export problem is solved in thread A1 (she says so). */
  async function aliceSolvesExport(model: ScriptedModel) {
    model.push(answer(ALICE_FIX), answer('Glad that helped!'));
    await h.send(ALICE_PROBLEM, { conversation: thread('A1') });
    await h.send('that fixed it, thanks', { conversation: thread('A1') });
  }

  it('a solved case is offered, redacted, to another customer with a similar problem, and is sealed at rest', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await aliceSolvesExport(model);
    model.push(answer('Try turning off the compact export format.'));
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B1') });
    const system = systemOf(model.requests.at(-1));
    expect(system).toContain('Past case');
    expect(system).toContain('turn off the compact format under Settings > Export');
    for (const secret of ['Alice', 'Martin', 'alice@example.com', 'ORD-1001', 'U_ALICE']) expect(system).not.toContain(secret);
    const audit = await h.audit();
    expect(audit.find((e) => e.event === 'case_solved')).toMatchObject({ by: 'customer', success: true });
    expect(audit.filter((e) => e.event === 'memory_recalled').at(-1)).toMatchObject({ user_id: 'U_BOB', past_cases: 1, past_conversations: 0 });
    // Sealed at rest: the store file never holds the words.
    const raw = await readFile(path.join(h.dataDir, 'store.sqlite'));
    expect(raw.includes('compact format')).toBe(false);
  });

  it('an unrelated problem gets no past case, and another workspace never sees this one’s cases', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await aliceSolvesExport(model);
    model.push(answer('a'), answer('b'));
    await h.send('how do I change my profile picture?', { caller: users.bob, conversation: thread('B1') });
    expect(systemOf(model.requests.at(-1))).not.toContain('Past case');
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B2', 'W2') });
    expect(systemOf(model.requests.at(-1))).not.toContain('Past case');
  });

  it('the customer’s own history is summarised into their next conversation only, and into hand-off summaries', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await aliceSolvesExport(model);
    model.push(answer('Hello again.'), answer('Hello Bob.'));
    await h.send('hello again', { conversation: thread('A2') });
    expect(systemOf(model.requests.at(-1))).toMatch(/history \(last 365 days\): 1 earlier conversation, 1 resolved/);
    await h.send('hello', { caller: users.bob, conversation: thread('B1') });
    expect(systemOf(model.requests.at(-1))).not.toContain('earlier conversation');
    await h.send('I want to talk to a human', { conversation: thread('A2') });
    const escalation = h.channel.oncall.at(-1);
    expect(escalation?.summary).toContain('1 earlier conversation, 1 resolved');
  });

  it('staff handing back with a resolution note store a redacted solved case', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await h.send('I need a human, the invoice PDF is blank', { conversation: thread('A1') });
    const back = await h.engine.command({ name: 'handback', args: ['Regenerated', 'the', 'PDF', 'for', 'Alice;', 'blank', 'invoices', 'come', 'from', 'the', 'old', 'template'], caller: users.dana, conversation: thread('A1') });
    expect(back.ok).toBe(true);
    model.push(answer('ok'));
    await h.send('the invoice PDF is blank when I download it', { caller: users.bob, conversation: thread('B1') });
    const system = systemOf(model.requests.at(-1));
    expect(system).toContain('Regenerated the PDF for [name]; blank invoices come from the old template');
    expect((await h.audit()).find((e) => e.event === 'case_solved')).toMatchObject({ by: 'staff', user_id: 'U_DANA' });
  });

  it('/support forget me deletes the person’s history and cases; only admins forget someone else; audited', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await aliceSolvesExport(model);
    model.push(answer('w'));
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B0') });
    expect(systemOf(model.requests.at(-1))).toContain('Past case');
    const refused = await h.engine.command({ name: 'forget', args: ['U_ALICE'], caller: users.bob, conversation: thread('B0') });
    expect(refused.ok).toBe(false);
    const forgot = await h.engine.command({ name: 'forget', args: ['me'], caller: users.alice, conversation: thread('A1') });
    expect(forgot).toMatchObject({ ok: true });
    expect(forgot.text).toContain('1 earlier conversation, 1 solved case');
    model.push(answer('x'), answer('y'));
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B1') });
    expect(systemOf(model.requests.at(-1))).not.toContain('Past case');
    await h.send('hello again', { conversation: thread('A2') });
    expect(systemOf(model.requests.at(-1))).not.toContain('earlier conversation');
    const audit = await h.audit();
    expect(audit.find((e) => e.event === 'memory_forgotten')).toMatchObject({ user_id: 'U_ALICE', target_user_id: 'U_ALICE', cases: 1 });
    expect(audit.find((e) => e.event === 'memory_forget_refused')).toMatchObject({ user_id: 'U_BOB' });
  });

  it('an admin forgets a user', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model });
    await aliceSolvesExport(model);
    const forgot = await h.engine.command({ name: 'forget', args: ['U_ALICE'], caller: users.root, conversation: thread('R1') });
    expect(forgot.ok).toBe(true);
    expect(forgot.text).toContain('1 solved case');
  });

  it('memory expires after MEMORY_RETENTION_DAYS (manual clock)', async () => {
    const model = new ScriptedModel();
    h = await EngineHarness.create({ model, env: { MEMORY_RETENTION_DAYS: '30' } });
    await aliceSolvesExport(model);
    h.clock.advance(29 * 86_400_000);
    model.push(answer('x'), answer('y'), answer('z'));
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B1') });
    expect(systemOf(model.requests.at(-1))).toContain('Past case');
    h.clock.advance(2 * 86_400_000);
    await h.send('my csv export keeps failing with error E42', { caller: users.bob, conversation: thread('B2') });
    expect(systemOf(model.requests.at(-1))).not.toContain('Past case');
    await h.send('hello again', { conversation: thread('A2') });
    expect(systemOf(model.requests.at(-1))).not.toContain('earlier conversation');
  });
});
