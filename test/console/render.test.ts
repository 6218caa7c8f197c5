import { describe, expect, it } from 'vitest';
import { parseConsoleOptions, parseSpeakerSpec } from '../../adapters/console/console-options';
import { wantsColor } from '../../adapters/console/console-output';
import { controlsHint, formatApprovalCard, formatArgs, formatExpiry, labelled, plainMarkdown, type Paint } from '../../adapters/console/console-render';
import { ConfigError, type ApprovalView } from '../../src/index';

const plain: Paint = (_style, text) => text;
const marked: Paint = (style, text) => `<${style}>${text}</${style}>`;

describe('plainMarkdown', () => {
  it('drops emphasis and code marks but keeps ids with underscores intact', () => {
    expect(plainMarkdown('You were charged **$29.00** for *Pro plan* (`ch_3005` and ch_3006).', plain)).toBe('You were charged $29.00 for Pro plan (ch_3005 and ch_3006).');
    expect(plainMarkdown('_(Reference: esc__jgM0c-D0)_', plain)).toBe('(Reference: esc__jgM0c-D0)');
    expect(plainMarkdown('snake_case_name stays', plain)).toBe('snake_case_name stays');
    // Random ids may end in "_" or contain "_-": the reference still loses only its own marks.
    for (const id of ['esc_abc_', 'esc_a_-b', 'esc__x', 'esc_x_y_z']) {
      expect(plainMarkdown(`Noted. _(Reference: ${id})_`, plain)).toBe(`Noted. (Reference: ${id})`);
    }
    expect(plainMarkdown('_one_ and _two_.', plain)).toBe('one and two.');
    expect(plainMarkdown('See [the status page](https://status.example.com).', plain)).toBe('See the status page (https://status.example.com).');
  });

  it('keeps bold as a style when colour is on', () => {
    expect(plainMarkdown('**ORD-1001** is **shipped**', marked)).toBe('<bold>ORD-1001</bold> is <bold>shipped</bold>');
  });
});

describe('layout helpers', () => {
  it('indents continuation lines under the label and leaves blank lines blank', () => {
    expect(labelled('bot>', 'one\n\ntwo')).toBe('bot> one\n\n     two');
  });

  it('shows arguments as key=value, quoting anything with spaces', () => {
    expect(formatArgs({ chargeId: 'ch_3006', amountUsd: 29, reason: 'Duplicate charge' })).toBe('chargeId=ch_3006 amountUsd=29 reason="Duplicate charge"');
    expect(formatArgs({})).toBe('(none)');
  });

  it('says when an approval expires', () => {
    expect(formatExpiry(1_000, 2_000)).toBe('expired');
    expect(formatExpiry(45_000, 0)).toMatch(/^in 45 s \(at \d\d:\d\d\)$/);
    expect(formatExpiry(15 * 60_000, 0)).toMatch(/^in 15 min /);
  });

  it('asks the requester to confirm their own request, and names an admin for admin-level ones', () => {
    const view: ApprovalView = {
      id: 'apr_1',
      conversation: { platform: 'console', workspaceId: 'local', channelId: 'console', threadId: 'main' },
      toolName: 'reset_password',
      action: 'Email a reset link',
      args: {},
      requester: { userId: 'alice', displayName: 'alice' },
      requirement: 'requester',
      decidersText: 'alice (the requester) confirms',
      expiresAt: 60_000,
      status: 'pending',
    };
    expect(formatApprovalCard(view, 0, plain)).toContain('decide:       /approve apr_1 to confirm, /deny apr_1 to cancel (as alice)');
    expect(formatApprovalCard({ ...view, requirement: 'admin' }, 0, plain)).toContain('/approve apr_1 as dana:admin');
  });
});

describe('console options', () => {
  it('defaults to alice, a member', () => {
    expect(parseConsoleOptions([], {}).speaker).toEqual({ userId: 'alice', role: 'member', roleSource: 'console:default' });
  });

  it('names the flag or variable at fault', () => {
    const fault = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseConsoleOptions(argv, env);
      } catch (error) {
        return error instanceof ConfigError ? error.variables : ['not a ConfigError'];
      }
      return [];
    };
    expect(fault(['--role', 'root'])).toEqual(['--role']);
    expect(fault(['--role'])).toEqual(['--role']);
    expect(fault(['--user', 'a b'])).toEqual(['--user']);
    expect(fault([], { CONSOLE_ROLE: 'boss' })).toEqual(['CONSOLE_ROLE']);
    expect(fault(['--verbose'])).toEqual(['--verbose']);
  });

  it('parses speakers for /as and "as"', () => {
    expect(parseSpeakerSpec('dana:Staff')).toEqual({ ok: true, userId: 'dana', role: 'staff' });
    expect(parseSpeakerSpec('dana')).toEqual({ ok: true, userId: 'dana' });
    expect(parseSpeakerSpec('dana:staff:x').ok).toBe(false);
    expect(parseSpeakerSpec(':staff').ok).toBe(false);
  });

  it('uses colour only on a terminal without NO_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('reply controls at a terminal', () => {
  it('names the commands that work each control', () => {
    expect(controlsHint({ feedback: true, talkToHuman: true, solved: true })).toBe('(/good · /bad [why] · /human · /solved)');
    expect(controlsHint({ feedback: false, talkToHuman: true, solved: false })).toBe('(/human)');
    expect(controlsHint({ feedback: false, talkToHuman: false, solved: false })).toBe('');
  });
});
