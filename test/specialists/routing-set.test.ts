import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { routingSetSchema } from '../../eval/routing/routing-set-schema';
import { demoSpecialists } from '../../plugins/helpdesk/specialists';
import { RuleRouter } from '../../src/specialists/rule-router';
import { OfflineRouter } from '../../src/specialists/offline-router';
import { GENERAL_SPECIALIST, parseSpecialists } from '../../src/specialists/specialist';

describe('the labelled routing set', () => {
  it('has at least 60 valid messages, and the offline routing (rules, then offline rules) is at least 95 % right', async () => {
    const set = routingSetSchema.parse(parse(await readFile(path.join(import.meta.dirname, '../../eval/routing/routing-set.yaml'), 'utf8')));
    const specialists = parseSpecialists(demoSpecialists);
    const rules = new RuleRouter(specialists);
    const offline = new OfflineRouter(specialists);
    const routeOf = (text: string) => {
      const byRules = rules.match(text).filter((n) => n !== GENERAL_SPECIALIST);
      return byRules.length > 0 ? byRules : offline.route(text);
    };
    const correct = set.messages.filter((c) => {
      const got = routeOf(c.text);
      return got.length === c.expect.length && got.every((n) => c.expect.includes(n));
    });
    expect(set.messages.length).toBeGreaterThanOrEqual(60);
    expect(correct.length / set.messages.length).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects a set with an unlabelled message', () => {
    const messages = Array.from({ length: 60 }, () => ({ text: 'hi', expect: ['general'] }));
    expect(routingSetSchema.safeParse({ messages: [...messages, { text: 'x', expect: [] }] }).success).toBe(false);
  });
});
