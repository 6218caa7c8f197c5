import { describe, expect, it } from 'vitest';
import { renderApproval } from '../../adapters/slack/approval-blocks';
import { renderCommandReply, renderText } from '../../adapters/slack/blocks';
import { markdownToMrkdwn } from '../../adapters/slack/mrkdwn';
import { renderOncall } from '../../adapters/slack/oncall-blocks';
import { splitMrkdwn } from '../../adapters/slack/split-message';
import type { ConversationRef } from '../../src/ports';
import { blockProblems } from '../simulators/slack/block-rules';

describe('markdownToMrkdwn', () => {
  it.each([
    ['**bold** and *italic* and _also italic_', '*bold* and _italic_ and _also italic_'],
    ['__bold__ and ***both***', '*bold* and *_both_*'],
    ['~~gone~~', '~gone~'],
    ['# Title\n## Sub *title*', '*Title*\n*Sub _title_*'],
    ['- one\n* two\n  - nested\n1. first\n2) second', '• one\n• two\n    • nested\n1. first\n2. second'],
    ['> quoted **text**', '> quoted *text*'],
    ['see [the docs](https://example.com/a_b?x=1&y=2) now', 'see <https://example.com/a_b?x=1&amp;y=2|the docs> now'],
    ['bare https://example.com/snake_case_path stays', 'bare https://example.com/snake_case_path stays'],
    ['a < b && c > d', 'a &lt; b &amp;&amp; c &gt; d'],
    ['use `a**b**c < d` here', 'use `a**b**c &lt; d` here'],
    ['snake_case_word is not italic', 'snake_case_word is not italic'],
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['ping <@U0ABC123> in <#C0XYZ|general>', 'ping <@U0ABC123> in <#C0XYZ|general>'],
    ['<!channel> everyone', '&lt;!channel&gt; everyone'],
    ['[evil](javascript:alert(1))', '[evil](javascript:alert(1))'],
    ['---', '──────────'],
  ])('%j → %j', (input, expected) => {
    expect(markdownToMrkdwn(input)).toBe(expected);
  });

  it('keeps code blocks verbatim (escaped), drops the language tag and closes an unclosed fence', () => {
    expect(markdownToMrkdwn('```ts\nconst a = **b** < c;\n```')).toBe('```\nconst a = **b** &lt; c;\n```');
    expect(markdownToMrkdwn('text\n```\nunclosed *x*')).toBe('text\n```\nunclosed *x*\n```');
  });
});

describe('splitMrkdwn', () => {
  it('returns short text unchanged', () => {
    expect(splitMrkdwn('hello\n\nworld', 3000)).toEqual(['hello\n\nworld']);
  });

  it('breaks at paragraphs, keeps every chunk within the limit and loses nothing', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `p${i} ${'word '.repeat(40).trim()}`);
    const chunks = splitMrkdwn(paragraphs.join('\n\n'), 500);
    expect(chunks.every((c) => c.length <= 500)).toBe(true);
    expect(chunks.join('\n\n')).toBe(paragraphs.join('\n\n'));
  });

  it('moves a code block that fits to the next chunk instead of splitting it', () => {
    const code = '```\n' + Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n```';
    const chunks = splitMrkdwn(`${'x'.repeat(150)}\n\n${code}`, 200);
    expect(chunks).toEqual(['x'.repeat(150), code]);
  });

  it('splits an over-long code block into fenced pieces', () => {
    const code = '```\n' + Array.from({ length: 100 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n') + '\n```';
    const chunks = splitMrkdwn(code, 300);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(300);
      expect(c.startsWith('```\n') && c.endsWith('\n```')).toBe(true);
    }
    expect(chunks.join('\n')).toContain('line 99');
  });

  it('hard-splits a single huge line at spaces, never inside a link or an entity', () => {
    const line = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? `<https://example.com/${i}|link ${i}> &amp;` : `word${i}`)).join(' ');
    const chunks = splitMrkdwn(line, 100);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect((c.match(/</g) ?? []).length).toBe((c.match(/>/g) ?? []).length);
      expect(c).not.toMatch(/&[a-z]*$/);
    }
  });
});

const conversation: ConversationRef = { platform: 'slack', workspaceId: 'T1', channelId: 'C1', threadId: '1.2' };

describe('Block Kit renderers stay within Slack limits', () => {
  it('renders a huge reply as several valid messages of at most 50 blocks', () => {
    const messages = renderText({ text: Array.from({ length: 200 }, (_, i) => `para ${i} ${'z'.repeat(2_900)}`).join('\n\n') });
    expect(messages.length).toBe(4);
    for (const m of messages) {
      expect(blockProblems(m.blocks)).toEqual([]);
      expect(m.text.length).toBeLessThanOrEqual(4_000);
    }
  });

  it('renders approvals, on-call notices and command replies validly even with oversized fields', () => {
    const long = 'L'.repeat(10_000);
    const approval = renderApproval({
      id: 'a'.repeat(40),
      conversation,
      toolName: 'refund',
      action: long,
      args: { note: long },
      requester: { userId: 'U1', displayName: long },
      requirement: 'admin',
      decidersText: long,
      expiresAt: Date.now(),
      status: 'pending',
    });
    expect(blockProblems(approval.blocks)).toEqual([]);
    const notice = renderOncall(
      {
        id: 'e1',
        conversation,
        customer: { userId: 'U1', displayName: long, role: 'guest' },
        trigger: 'model_unavailable',
        reason: long,
        urgency: 'urgent',
        summary: long,
        stepsTaken: Array.from({ length: 300 }, () => 'step'),
        pending: [long],
        status: 'claimed',
        claimedBy: { userId: 'U2', displayName: 'Sam' },
        createdAt: Date.now(),
        notifications: 3,
      },
      'https://acme.slack.com/archives/C1/p12',
    );
    expect(blockProblems(notice.blocks)).toEqual([]);
    const reply = renderCommandReply({ ok: true, title: long, sections: Array.from({ length: 80 }, (_, i) => ({ title: `s${i}`, lines: [long] })), text: long });
    expect(blockProblems(reply.blocks)).toEqual([]);
  });
});
