import type { Specialist } from './specialist';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiled keyword and pattern rules of the specialists, built once. */
export class RuleRouter {
  private readonly rules: Array<{ name: string; regexes: RegExp[] }>;

  constructor(specialists: readonly Specialist[]) {
    this.rules = specialists.map((s) => ({
      name: s.name,
      regexes: [
        // Word boundaries, so "order" does not fire inside "border"; a trailing * is a prefix.
        ...(s.keywords ?? []).map((k) => new RegExp(`\\b${escape(k).replace(/\\\*$/, '\\w*')}${k.endsWith('*') ? '' : '\\b'}`, 'iu')),
        ...(s.patterns ?? []).map((p) => new RegExp(p, 'iu')),
      ],
    }));
  }

  /** Names of the specialists whose rules match, in declaration order (empty: rules do not decide). */
  match(text: string): string[] {
    return this.rules.filter((r) => r.regexes.some((re) => re.test(text))).map((r) => r.name);
  }
}
