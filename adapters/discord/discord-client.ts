import { SimpleShardingStrategy, type IShardingStrategy, type WebSocketManager } from '@discordjs/ws';
import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordConfig } from './config';

/**
 * What the bot asks the gateway for. MessageContent is privileged: it must be
 * switched on in the Developer Portal (Bot → Privileged Gateway Intents) or
 * the gateway closes the connection with 4014 "Disallowed intents".
 */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
] as const;

/**
 * A discord.js client configured for the support bot (not logged in). Without
 * `messageContent` it asks for no privileged intent: guild messages then arrive
 * with text only when they mention the bot.
 */
export function createDiscordClient(config: DiscordConfig, options: { messageContent?: boolean } = {}): Client {
  const messageContent = options.messageContent ?? true;
  return new Client({
    intents: DISCORD_INTENTS.filter((intent) => messageContent || intent !== GatewayIntentBits.MessageContent),
    // DM channels are not cached until a DM arrives; partials let those events through.
    partials: [Partials.Channel, Partials.Message],
    rest: config.apiUrl === undefined ? {} : { api: config.apiUrl },
    ws: config.gatewayUrl === undefined ? {} : { buildStrategy: gatewayUrlOverride(config.gatewayUrl) },
    allowedMentions: { parse: [] },
    failIfNotExists: false,
  });
}

/**
 * Normally Discord's `GET /gateway/bot` names the gateway. discord.js has no
 * option for another URL, so when DISCORD_GATEWAY_URL is set the manager's
 * answer is amended before the default sharding strategy reads it. Resumes
 * still follow the `resume_gateway_url` the gateway hands out, as Discord asks.
 */
function gatewayUrlOverride(url: string): (manager: WebSocketManager) => IShardingStrategy {
  return (manager) => {
    const fetchGatewayInformation = manager.fetchGatewayInformation.bind(manager);
    manager.fetchGatewayInformation = async (force?: boolean) => ({ ...(await fetchGatewayInformation(force)), url });
    return new SimpleShardingStrategy(manager);
  };
}
