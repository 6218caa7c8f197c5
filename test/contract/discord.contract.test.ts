import { DiscordDriver } from './discord-driver';
import { describePlatformContract } from './platform-contract';

describePlatformContract('discord', () => new DiscordDriver());
