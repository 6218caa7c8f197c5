import { GatewayIntentBits } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import { discordConfigFromEnv, isDiscordConfigured, startDiscord } from '../../adapters/discord/index';
import { ConfigError } from '../../src/errors';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';
import { FakeEngine } from '../support/fake-engine';
import { CapturingLogger, startHarness } from './harness';

const SECRET = 'MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.secret.token-value';
const ID = '123456789012345678';

describe('discordConfigFromEnv', () => {
  it('parses lists, trims and drops trailing slashes', () => {
    const config = discordConfigFromEnv({
      DISCORD_BOT_TOKEN: ` ${SECRET} `,
      DISCORD_SUPPORT_CHANNELS: `${ID}, 223456789012345678 ,`,
      DISCORD_ONCALL_CHANNEL: ' 323456789012345678 ',
      DISCORD_STAFF_ROLES: '',
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      DISCORD_GATEWAY_URL: 'ws://127.0.0.1:9999',
    });
    expect(config).toMatchObject({
      token: SECRET,
      applicationId: undefined,
      oncallChannelId: '323456789012345678',
      guildIds: [],
      apiUrl: 'http://127.0.0.1:9999/api',
      gatewayUrl: 'ws://127.0.0.1:9999',
    });
    expect([...config.supportChannelIds]).toEqual([ID, '223456789012345678']);
    expect(config.staffRoleIds.size).toBe(0);
  });

  it('names every bad variable, never echoing the token', () => {
    const error = (() => {
      try {
        discordConfigFromEnv({
          DISCORD_BOT_TOKEN: SECRET,
          DISCORD_SUPPORT_CHANNELS: `${ID},general`,
          DISCORD_ONCALL_CHANNEL: '#oncall',
          DISCORD_API_URL: 'discord.com/api',
          DISCORD_GATEWAY_URL: 'http://127.0.0.1:1',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual(['DISCORD_API_URL', 'DISCORD_GATEWAY_URL', 'DISCORD_ONCALL_CHANNEL', 'DISCORD_SUPPORT_CHANNELS']);
    expect((error as Error).message).toContain('not ids: general');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('refuses Discord without an on-call channel, naming DISCORD_ONCALL_CHANNEL (escalations would reach nobody)', () => {
    for (const value of [undefined, '', '  ']) {
      expect(() => discordConfigFromEnv({ DISCORD_BOT_TOKEN: SECRET, DISCORD_ONCALL_CHANNEL: value })).toThrow(
        expect.objectContaining({ name: 'ConfigError', variables: ['DISCORD_ONCALL_CHANNEL'], message: expect.stringContaining('DISCORD_ONCALL_CHANNEL is required') }),
      );
    }
  });

  it('registering commands does not need the on-call channel', () => {
    expect(discordConfigFromEnv({ DISCORD_BOT_TOKEN: SECRET }, { requireOncall: false }).oncallChannelId).toBeUndefined();
  });

  it('requires the token', () => {
    expect(() => discordConfigFromEnv({ DISCORD_ONCALL_CHANNEL: ID })).toThrow(expect.objectContaining({ variables: ['DISCORD_BOT_TOKEN'] }));
    expect(isDiscordConfigured({ DISCORD_BOT_TOKEN: '  ' })).toBe(false);
    expect(isDiscordConfigured({ DISCORD_BOT_TOKEN: SECRET })).toBe(true);
  });
});

describe('startDiscord', () => {
  it('connects, attaches its channel, never logs the token, and stops cleanly', async () => {
    const h = await startHarness();
    try {
      expect(h.engine.channel?.platform).toBe('discord');
      expect(h.logger.lines.some((l) => l.msg === 'discord connected')).toBe(true);
      expect(h.adapter.connected()).toBe(true); // what /health reports

      // A turn in flight when stop() is called is allowed to finish and answer.
      let release!: () => void;
      h.engine.gate = new Promise<void>((resolve) => (release = resolve));
      const dm = h.sim.actions.dm({ from: h.sim.world.fixture.users.member, content: 'in flight' });
      await vi.waitFor(() => expect(h.engine.pending).toBe(1));
      let stopped = false;
      const stopping = h.adapter.stop().then(() => (stopped = true));
      expect(h.adapter.connected()).toBe(false); // not ready from the moment it stops taking events
      await new Promise((r) => setTimeout(r, 100));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(h.sim.messagesIn(dm.channel_id).at(-1)!.content).toBe('You said: in flight');
      expect(h.sim.gateway.connected).toBe(false);
    } finally {
      await h.sim.close();
    }
    expect(h.logger.dump()).not.toContain(h.sim.token);
  });

  it('rejects a bad token with a ConfigError naming DISCORD_BOT_TOKEN', async () => {
    const sim = await DiscordSimulator.start();
    const logger = new CapturingLogger();
    try {
      const attempt = startDiscord({ engine: new FakeEngine(), env: sim.env({ DISCORD_BOT_TOKEN: SECRET }), logger });
      await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      await expect(attempt).rejects.toMatchObject({ variables: ['DISCORD_BOT_TOKEN'] });
      expect(logger.dump()).not.toContain(SECRET);
    } finally {
      await sim.close();
    }
  });

  it('without the Message Content intent (gateway close 4014) connects again without it, and says how to enable it', async () => {
    const sim = await DiscordSimulator.start({ privilegedIntents: false });
    const logger = new CapturingLogger();
    try {
      const adapter = await startDiscord({ engine: new FakeEngine(), env: sim.env(), logger, readyTimeoutMs: 5_000 });
      expect(adapter.connected()).toBe(true);
      expect(sim.gateway.intents & GatewayIntentBits.MessageContent).toBe(0);
      expect(logger.dump()).toMatch(/Message Content intent.*Developer Portal.*answering mentions and DMs only/);
      await adapter.stop();
    } finally {
      await sim.close();
    }
  });

  it('uses DISCORD_GATEWAY_URL over the URL Discord advertises', async () => {
    const sim = await DiscordSimulator.start({ advertisedGatewayUrl: 'ws://127.0.0.1:9' });
    const logger = new CapturingLogger();
    try {
      const adapter = await startDiscord({ engine: new FakeEngine(), env: sim.env({ DISCORD_GATEWAY_URL: sim.gatewayUrl }), logger, readyTimeoutMs: 5_000 });
      expect(sim.gateway.identifies).toBe(1);
      await adapter.stop();
    } finally {
      await sim.close();
    }
  });

  it('warns about setup that would silently do nothing', async () => {
    const h = await startHarness({ env: { DISCORD_SUPPORT_CHANNELS: `${ID}`, DISCORD_APPLICATION_ID: '987654321098765432' } });
    try {
      const warnings = h.logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
      expect(warnings).toContain('support channel not visible to the bot (wrong id, or missing View Channel)');
      expect(warnings.some((w) => w?.startsWith('DISCORD_APPLICATION_ID does not match'))).toBe(true);
      const f = h.sim.world.fixture;
      // The real support channel is no longer configured: mentions there are ignored.
      const asked = h.sim.actions.say({ from: f.users.member, channelId: f.supportChannelId, content: 'hello?', mentionBot: true });
      const dm = h.sim.actions.dm({ from: f.users.member, content: 'marker' });
      await vi.waitFor(() => expect(h.engine.received.some((m) => m.messageId === dm.id)).toBe(true));
      expect(h.engine.received.some((m) => m.messageId === asked.id)).toBe(false);
    } finally {
      await h.stop();
    }
  });
});
