import { describe, expect, it } from 'vitest';
import { DEFAULT_SUGGESTED_PROMPTS, slackConfigFromEnv, slackEnabled } from '../../adapters/slack/config';
import { ConfigError } from '../../src/errors';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh-secret-value', SLACK_ONCALL_CHANNEL: 'C0ONCALL' };

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    slackConfigFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('slackConfigFromEnv', () => {
  it('applies defaults for HTTP mode', () => {
    expect(slackConfigFromEnv(base)).toEqual({
      botToken: 'xoxb-1-2-abc',
      signingSecret: 'shh-secret-value',
      appToken: undefined,
      apiUrl: 'https://slack.com/api/',
      oncallChannel: 'C0ONCALL',
      staffUsergroup: undefined,
      port: 3000,
      mode: 'http',
      suggestedPrompts: DEFAULT_SUGGESTED_PROMPTS,
    });
  });

  it('reads every variable and normalises them', () => {
    const config = slackConfigFromEnv({
      ...base,
      SLACK_APP_TOKEN: 'xapp-1-A1-xyz',
      SLACK_API_URL: 'https://slack-gov.com/api',
      SLACK_ONCALL_CHANNEL: 'C0ONCALL',
      SLACK_STAFF_USERGROUP: '@support-staff',
      PORT: '8080',
    });
    expect(config).toMatchObject({
      mode: 'socket',
      apiUrl: 'https://slack-gov.com/api/',
      oncallChannel: 'C0ONCALL',
      staffUsergroup: { handle: 'support-staff' },
      port: 8080,
    });
    expect(slackConfigFromEnv({ ...base, SLACK_STAFF_USERGROUP: 'S0123ABC' }).staffUsergroup).toEqual({ id: 'S0123ABC' });
  });

  it('allows Socket Mode without a signing secret', () => {
    expect(slackConfigFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_ONCALL_CHANNEL: 'C0ONCALL' }).mode).toBe('socket');
  });

  it.each([
    [{ SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN'],
    [{ ...base, SLACK_BOT_TOKEN: 'xoxp-user-token' }, 'SLACK_BOT_TOKEN'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_ONCALL_CHANNEL: 'C0ONCALL' }, 'SLACK_SIGNING_SECRET'],
    [{ ...base, SLACK_APP_TOKEN: 'xoxb-wrong-kind' }, 'SLACK_APP_TOKEN'],
    [{ ...base, SLACK_API_URL: 'not a url' }, 'SLACK_API_URL'],
    [{ ...base, SLACK_ONCALL_CHANNEL: '#support-oncall' }, 'SLACK_ONCALL_CHANNEL'],
    [{ ...base, SLACK_STAFF_USERGROUP: 'support staff' }, 'SLACK_STAFF_USERGROUP'],
    [{ ...base, PORT: '70000' }, 'PORT'],
    [{ ...base, PORT: 'http' }, 'PORT'],
  ])('names the bad variable (%j → %s) without echoing secrets', (env, variable) => {
    const error = configError(env);
    expect(error.variables).toContain(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('shh-secret-value');
    expect(error.message).not.toContain('xoxp-user-token');
  });

  it('refuses Slack without an on-call channel, naming SLACK_ONCALL_CHANNEL (escalations would reach nobody)', () => {
    for (const value of [undefined, '', '  ']) {
      const error = configError({ ...base, SLACK_ONCALL_CHANNEL: value });
      expect(error.variables).toEqual(['SLACK_ONCALL_CHANNEL']);
      expect(error.message).toMatch(/SLACK_ONCALL_CHANNEL is required/);
    }
    // Socket Mode too.
    expect(configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).variables).toEqual(['SLACK_ONCALL_CHANNEL']);
  });

  it('treats blank values as unset', () => {
    expect(slackConfigFromEnv({ ...base, SLACK_STAFF_USERGROUP: '  ', PORT: '' })).toMatchObject({ staffUsergroup: undefined, port: 3000 });
    expect(slackEnabled({ SLACK_BOT_TOKEN: ' ' })).toBe(false);
    expect(slackEnabled(base)).toBe(true);
  });
});
