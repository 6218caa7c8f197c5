import { describePlatformContract } from './platform-contract';
import { SlackDriver } from './slack-driver';

describePlatformContract('slack', () => new SlackDriver());
