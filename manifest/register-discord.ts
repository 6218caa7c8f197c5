/**
 * Register the `/support` slash command with Discord.
 *
 *   DISCORD_BOT_TOKEN=… DISCORD_APPLICATION_ID=… [DISCORD_GUILD_ID=…] npm run register:discord
 *
 * Reads `.env` from the working directory first, like `npm start`.
 * With DISCORD_GUILD_ID the command is registered in that guild (or each of a
 * comma-separated list) and is usable at once; without it, globally, which
 * Discord may take up to an hour to show everywhere. Re-running replaces the
 * previous definitions (PUT is a bulk overwrite).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { z } from 'zod';
import { discordConfigFromEnv } from '../adapters/discord/config';
import { ConfigError, describeError, loadDotEnv } from '../src/index';

// Discord's rules for chat-input command and option names and descriptions.
const name = z.string().regex(/^[-_\p{Ll}\p{N}]{1,32}$/u, 'names are 1-32 lowercase letters, digits, - or _');
const description = z.string().min(1).max(100);
const option: z.ZodType<{ type: number; name: string; description: string; options?: unknown[] }> = z.lazy(() =>
  z.looseObject({ type: z.number().int().min(1).max(11), name, description, options: z.array(option).max(25).optional() }),
);
const commandsSchema = z
  .array(z.looseObject({ name, description, type: z.literal(1).optional(), options: z.array(option).max(25).optional() }))
  .min(1)
  .max(100);

/** The command definitions shipped in `manifest/discord-commands.json`, checked against Discord's rules. */
export type DiscordCommandDefinitions = z.infer<typeof commandsSchema>;

/** Load and check `discord-commands.json`. */
export async function loadDiscordCommands(): Promise<DiscordCommandDefinitions> {
  const raw = await readFile(new URL('./discord-commands.json', import.meta.url), 'utf8');
  return commandsSchema.parse(JSON.parse(raw));
}

/** Where commands were registered. */
export interface RegisteredCommands {
  scope: 'guild' | 'global';
  guildId?: string;
  names: string[];
}

/** Register the commands for each DISCORD_GUILD_ID, or globally when none is set. */
export async function registerDiscordCommands(options: {
  env: Record<string, string | undefined>;
  log?: (line: string) => void;
}): Promise<RegisteredCommands[]> {
  // Registering commands posts nothing to on-call, so it does not insist on that channel.
  const config = discordConfigFromEnv(options.env, { requireOncall: false });
  if (config.applicationId === undefined) {
    throw new ConfigError('DISCORD_APPLICATION_ID is required to register commands', ['DISCORD_APPLICATION_ID']);
  }
  const log = options.log ?? (() => undefined);
  const body = await loadDiscordCommands();
  const rest = new REST(config.apiUrl === undefined ? {} : { api: config.apiUrl }).setToken(config.token);
  const results: RegisteredCommands[] = [];
  const targets = config.guildIds.length > 0 ? config.guildIds.map((guildId) => ({ guildId })) : [{ guildId: undefined }];
  for (const { guildId } of targets) {
    const route = guildId === undefined ? Routes.applicationCommands(config.applicationId) : Routes.applicationGuildCommands(config.applicationId, guildId);
    const saved = (await rest.put(route, { body })) as { name: string }[];
    const names = saved.map((command) => command.name);
    results.push(guildId === undefined ? { scope: 'global', names } : { scope: 'guild', guildId, names });
    log(`Registered /${names.join(', /')} ${guildId === undefined ? 'globally (may take up to an hour to appear)' : `in guild ${guildId}`}`);
  }
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  // The same .env as `npm start`, read the same way (real environment variables win).
  Promise.resolve()
    .then(() => loadDotEnv())
    .then(() => registerDiscordCommands({ env: process.env, log: (line) => console.log(line) }))
    .catch((error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : `Registration failed: ${describeError(error)}`);
      process.exitCode = 1;
    });
}
