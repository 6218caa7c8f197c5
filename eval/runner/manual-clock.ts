import type { Clock } from '../../src/ports';

/** Time the runner moves by hand: `wait` turns advance it, so expiry needs no sleeping. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
