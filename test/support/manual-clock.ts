import type { Clock } from '../../src/ports';

/** A clock tests move by hand, so expiry and budget periods need no sleeping. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse('2026-11-22T10:00:00Z')) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(at: number | string): void {
    this.current = typeof at === 'string' ? Date.parse(at) : at;
  }
}
