import { describe, expect, it } from 'vitest';
import { botMention } from '../../adapters/slack/conversation';

describe('botMention', () => {
  const mention = botMention('U0BOT');

  it('strips both mention forms and tidies spaces, leaving other users alone', () => {
    expect(mention.strip('<@U0BOT> where is   ORD-1? <@U0BOT|support> <@U0OTHER>')).toBe('where is ORD-1? <@U0OTHER>');
    expect(mention.strip('no mention')).toBe('no mention');
  });

  it('gives the same answer however often the compiled pattern is reused', () => {
    const text = 'hi <@U0BOT> there';
    expect([1, 2, 3].map(() => mention.foundIn(text))).toEqual([true, true, true]);
    expect([1, 2].map(() => mention.strip(text))).toEqual(['hi there', 'hi there']);
    expect(mention.foundIn('hi <@U0OTHER>')).toBe(false);
    expect(mention.foundIn(undefined)).toBe(false);
  });
});
