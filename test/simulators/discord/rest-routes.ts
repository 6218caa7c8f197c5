import { ChannelType } from 'discord.js';
import type { SimulatorCore } from './discord-simulator';
import { ApiError, type ApiRouter } from './http-router';
import { channelJson, memberJson, userJson } from './payloads';
import { validateMessageBody } from './validate-message';

/** The REST routes the bot uses besides interactions: gateway, channels, messages, threads, typing, members, commands. */
export function registerRestRoutes(router: ApiRouter, sim: SimulatorCore): void {
  const { world } = sim;

  router.add('GET', '/gateway/bot', () => ({
    url: sim.advertisedGatewayUrl,
    shards: 1,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  }));

  router.add('GET', '/users/@me', () => ({ ...userJson(world.bot), verified: true, mfa_enabled: false, flags: 0 }));

  router.add('GET', '/channels/:channelId', ({ params }) => channelJson(world, sim.channel(params.channelId!)));

  router.add('POST', '/channels/:channelId/messages', ({ params, body }) => sim.botMessage(params.channelId!, validateMessageBody(body, { creating: true })));

  router.add('GET', '/channels/:channelId/messages/:messageId', ({ params }) => {
    const message = world.messages.get(params.messageId!);
    if (!message || message.channel_id !== sim.channel(params.channelId!).id) throw new ApiError(404, 10008, 'Unknown Message');
    return message;
  });

  // Edits share a per-channel bucket, as on Discord; exceeding it is a 429 the bot must never provoke.
  router.add(
    'PATCH',
    '/channels/:channelId/messages/:messageId',
    ({ params, body }) => sim.editMessage(params.channelId!, params.messageId!, validateMessageBody(body, { creating: false })),
    { limit: { ...sim.editLimit, key: (params) => params.channelId! } },
  );

  router.add('DELETE', '/channels/:channelId/messages/:messageId', ({ params }) => {
    sim.deleteMessage(params.channelId!, params.messageId!);
    return undefined;
  });

  router.add('POST', '/channels/:channelId/messages/:messageId/threads', ({ params, body }) => {
    const name = (body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw new ApiError(400, 50035, 'Invalid Form Body', { errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } } });
    }
    return channelJson(world, sim.createThread(params.channelId!, params.messageId!, name));
  });

  router.add('POST', '/channels/:channelId/typing', ({ params }) => {
    sim.channel(params.channelId!);
    return undefined;
  });

  router.add('POST', '/users/@me/channels', ({ body }) => {
    const recipientId = (body as { recipient_id?: string } | undefined)?.recipient_id ?? '';
    if (!world.users.has(recipientId)) throw new ApiError(400, 50033, 'Invalid Recipient(s)');
    const existing = [...world.channels.values()].find((c) => c.type === ChannelType.DM && c.recipientId === recipientId);
    const dm = existing ?? { id: world.nextId(), type: ChannelType.DM as const, name: null, guildId: null, parentId: null, ownerId: null, recipientId, messageIds: [] };
    world.channels.set(dm.id, dm);
    return channelJson(world, dm);
  });

  router.add('GET', '/guilds/:guildId/members/:userId', ({ params }) => {
    const guild = world.guilds.get(params.guildId!);
    if (!guild) throw new ApiError(404, 10004, 'Unknown Guild');
    const member = guild.members.get(params.userId!);
    if (!member) throw new ApiError(404, 10007, 'Unknown Member');
    return memberJson(world, member);
  });

  const putCommands = (scope: string, body: unknown, guildId?: string) => {
    if (!Array.isArray(body)) throw new ApiError(400, 50035, 'Invalid Form Body');
    const saved = body.map((command: Record<string, unknown>, i) => {
      if (typeof command.name !== 'string' || !/^[-_\p{Ll}\p{N}]{1,32}$/u.test(command.name)) {
        throw new ApiError(400, 50035, 'Invalid Form Body', { errors: { [i]: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] } } } });
      }
      if (typeof command.description !== 'string' || command.description.length < 1 || command.description.length > 100) {
        throw new ApiError(400, 50035, 'Invalid Form Body', { errors: { [i]: { description: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } } } });
      }
      return { type: 1, ...command, id: world.nextId(), application_id: world.applicationId, version: world.nextId(), default_member_permissions: null, nsfw: false, ...(guildId ? { guild_id: guildId } : {}) };
    });
    sim.registeredCommands.set(scope, saved);
    return saved;
  };

  router.add('PUT', '/applications/:appId/commands', ({ params, body }) => {
    if (params.appId !== world.applicationId) throw new ApiError(403, 50001, 'Missing Access');
    return putCommands('global', body);
  });

  router.add('PUT', '/applications/:appId/guilds/:guildId/commands', ({ params, body }) => {
    if (params.appId !== world.applicationId) throw new ApiError(403, 50001, 'Missing Access');
    if (!world.guilds.has(params.guildId!)) throw new ApiError(404, 10004, 'Unknown Guild');
    return putCommands(`guild:${params.guildId}`, body, params.guildId);
  });
}
