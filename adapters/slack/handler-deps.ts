import type { Engine, Logger } from '../../src/index';
import type { BackgroundWork } from './background-work';
import type { SlackApi, SlackIdentity } from './slack-api';
import type { SlackChannel } from './slack-channel';
import type { SlackRoleResolver } from './slack-roles';

/** What the Bolt listeners share. */
export interface HandlerDeps {
  engine: Engine;
  channel: SlackChannel;
  roles: SlackRoleResolver;
  api: SlackApi;
  /** The bot itself, from `auth.test`. */
  identity: SlackIdentity;
  work: BackgroundWork;
  logger: Logger;
  /** Whether every question in this channel is for the bot (`respond: all`), not only mentions. */
  respondsToAll?: (channelId: string) => boolean;
}
