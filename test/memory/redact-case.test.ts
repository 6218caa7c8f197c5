import { describe, expect, it } from 'vitest';
import { redactCase } from '../../src/memory/redact-case';

describe('redactCase', () => {
  it('removes names, emails, phone numbers, cards and record ids, keeping the shape of the problem', () => {
    const text =
      "Hi, I'm Carol Diaz, carol.diaz@example.com, +1 415 555 0100. Card 4242 4242 4242 4242 was charged twice (ch_3005, ch_3006) for ORD-1002; ticket TCK-2001; user U0DEMOCAROL.";
    const out = redactCase(text, ['Carol Diaz', 'Dana (staff)']);
    for (const leaked of ['Carol', 'Diaz', 'carol.diaz', '555 0100', '4242 4242', 'ch_3005', 'ORD-1002', 'TCK-2001', 'U0DEMOCAROL']) expect(out).not.toContain(leaked);
    expect(out).toContain('charged twice');
  });

  it('takes the surname next to a known first name, and titled names (found by the memory eval scenario)', () => {
    expect(redactCase('Re-added the connection for Alice Martin; Ms. Diaz agreed', ['Alice'])).toBe('Re-added the connection for [name]; [name] agreed');
  });

  it('redacts the names of the people involved wherever they appear', () => {
    expect(redactCase('Dana reset it for Alice', ['Alice', 'Dana (staff)'])).toBe('[name] reset it for [name]');
  });
});
