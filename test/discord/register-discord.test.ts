import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationCommandOptionType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDiscordCommands, registerDiscordCommands } from '../../manifest/register-discord';
import { ConfigError } from '../../src/errors';
import type { CommandName } from '../../src/ports';
import { DiscordSimulator } from '../simulators/discord/discord-simulator';

let sim: DiscordSimulator;
beforeAll(async () => {
  sim = await DiscordSimulator.start();
});
afterAll(async () => {
  await sim?.close();
});

describe('manifest/discord-commands.json', () => {
  it('defines /support with exactly the engine’s commands, and `all` on cost', async () => {
    const [support, ...others] = await loadDiscordCommands();
    expect(others).toEqual([]);
    expect(support!.name).toBe('support');
    const subcommands = (support!.options ?? []) as { type: number; name: string; options?: { type: number; name: string; required?: boolean }[] }[];
    const names: CommandName[] = ['status', 'cost', 'help', 'handback', 'stop', 'forget'];
    expect(subcommands.map((s) => s.name)).toEqual(names);
    expect(subcommands.every((s) => s.type === ApplicationCommandOptionType.Subcommand)).toBe(true);
    expect(subcommands.find((s) => s.name === 'cost')!.options).toEqual([
      expect.objectContaining({ type: ApplicationCommandOptionType.Boolean, name: 'all', required: false }),
    ]);
    expect(subcommands.find((s) => s.name === 'forget')!.options).toEqual([
      expect.objectContaining({ type: ApplicationCommandOptionType.User, name: 'user', required: false }),
    ]);
  });
});

describe('registerDiscordCommands', () => {
  it('registers in a guild when DISCORD_GUILD_ID is set (instant)', async () => {
    const lines: string[] = [];
    const result = await registerDiscordCommands({ env: sim.env({ DISCORD_GUILD_ID: sim.world.fixture.guildId }), log: (l) => lines.push(l) });
    expect(result).toEqual([{ scope: 'guild', guildId: sim.world.fixture.guildId, names: ['support'] }]);
    const put = sim.requestsTo('PUT', '/applications/:appId/guilds/:guildId/commands').at(-1)!;
    expect(put.status).toBe(200);
    expect(put.body).toEqual(await loadDiscordCommands());
    expect(lines[0]).toContain(`in guild ${sim.world.fixture.guildId}`);
  });

  it('registers globally otherwise', async () => {
    const result = await registerDiscordCommands({ env: sim.env() });
    expect(result).toEqual([{ scope: 'global', names: ['support'] }]);
    expect(sim.registeredCommands.get('global')).toHaveLength(1);
  });

  it('needs DISCORD_APPLICATION_ID', async () => {
    await expect(registerDiscordCommands({ env: sim.env({ DISCORD_APPLICATION_ID: undefined }) })).rejects.toEqual(
      expect.objectContaining({ variables: ['DISCORD_APPLICATION_ID'] }),
    );
    await expect(registerDiscordCommands({ env: sim.env({ DISCORD_APPLICATION_ID: '' }) })).rejects.toBeInstanceOf(ConfigError);
  });

  it('surfaces Discord’s refusal (wrong application)', async () => {
    await expect(registerDiscordCommands({ env: sim.env({ DISCORD_APPLICATION_ID: '111111111111111111' }) })).rejects.toMatchObject({ code: 50001, status: 403 });
  });
});

describe('npm run register:discord', () => {
  it('reads .env from the working directory, like npm start', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'register-discord-'));
    try {
      const settings = { ...sim.env({ DISCORD_GUILD_ID: sim.world.fixture.guildId }), DISCORD_ONCALL_CHANNEL: undefined };
      writeFileSync(path.join(cwd, '.env'), Object.entries(settings).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join('\n'));
      const env: NodeJS.ProcessEnv = {};
      for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key] !== undefined) env[key] = process.env[key];
      const child = spawn(process.execPath, ['--import', path.join(root, 'node_modules/tsx/dist/loader.mjs'), path.join(root, 'manifest/register-discord.ts')], { cwd, env });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toContain(`Registered /support in guild ${sim.world.fixture.guildId}`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});
