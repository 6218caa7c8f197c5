import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEngineDiscordHarness, type EngineDiscordHarness } from './e2e-harness';
import { botMessages } from './harness';

/** What a person in a busy Discord thread experiences, through discord.js and the real engine. */
let h: EngineDiscordHarness;
beforeEach(async () => {
  h = await startEngineDiscordHarness();
});
afterEach(async () => {
  await h?.close();
});

const f = () => h.sim.world.fixture;

describe('Discord threads lose nothing', () => {
  it('answers a follow-up sent while the bot is still writing its first answer', async () => {
    let release: () => void = () => undefined;
    const thinking = new Promise<void>((resolve) => (release = resolve));
    let asked = false;
    h.model.hold = (text) => {
      if (text !== 'my order never came') return Promise.resolve();
      asked = true;
      return thinking;
    };
    const mention = h.sim.actions.say({ from: f().users.member, channelId: f().supportChannelId, content: 'my order never came', mentionBot: true });
    await vi.waitFor(() => expect(asked).toBe(true));
    // The thread exists, the first answer does not: no mention needed, the thread is the bot's.
    h.sim.actions.say({ from: f().users.member, channelId: mention.id, content: 'it was ORD-1001' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await vi.waitFor(() => expect(botMessages(h.sim, mention.id).map((m) => m.content)).toEqual(['Echo: my order never came', 'Echo: it was ORD-1001']));
  });
});
