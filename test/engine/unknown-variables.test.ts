import { describe, expect, it } from 'vitest';
import { DISCORD_ENV_NAMES } from '../../adapters/discord/config';
import { SLACK_ENV_NAMES } from '../../adapters/slack/config';
import { ENGINE_ENV_NAMES } from '../../src/config';
import { findUnknownVariables, unknownVariableWarning } from '../../src/unknown-variables';

const KNOWN = [...ENGINE_ENV_NAMES, ...SLACK_ENV_NAMES, ...DISCORD_ENV_NAMES];

describe('unknown variables', () => {
  it('names each misspelled SLACK_/DISCORD_/OPENAI_/BUDGET_ variable with the closest known name', () => {
    const found = findUnknownVariables(
      {
        SLACK_ONCALL_CHANEL: 'C0X',
        DISCORD_SUPORT_CHANNELS: '1',
        OPENAI_APIKEY: 'sk-secret',
        BUDGET_MONTHY_USD: '5',
        SLACK_BOT_TOKEN: 'xoxb-1',
        OPENAI_ORG_ID: 'org-1',
        PATH: '/bin',
        NODE_OPTIONS: '',
        SLACK_SOMETHING_ELSE_ENTIRELY: 'x',
      },
      KNOWN,
    );
    expect(found).toEqual([
      { name: 'BUDGET_MONTHY_USD', suggestion: 'BUDGET_MONTHLY_USD' },
      { name: 'DISCORD_SUPORT_CHANNELS', suggestion: 'DISCORD_SUPPORT_CHANNELS' },
      { name: 'OPENAI_APIKEY', suggestion: 'OPENAI_API_KEY' },
      { name: 'SLACK_ONCALL_CHANEL', suggestion: 'SLACK_ONCALL_CHANNEL' },
      { name: 'SLACK_SOMETHING_ELSE_ENTIRELY', suggestion: undefined },
    ]);
    expect(unknownVariableWarning(found[3]!)).toBe('SLACK_ONCALL_CHANEL is not a setting this app reads and is ignored (did you mean SLACK_ONCALL_CHANNEL?).');
  });

  it('says nothing when every variable is known', () => {
    expect(findUnknownVariables({ SLACK_ONCALL_CHANNEL: 'C0X', BUDGET_TIMEZONE: 'UTC', DISCORD_GUILD_ID: '1' }, KNOWN)).toEqual([]);
  });
});
