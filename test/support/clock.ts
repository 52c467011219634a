import type { Clock } from '../../src/core/clock.ts';

/** The real time, moved forward on demand, so tests see expiry without sleeping. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(milliseconds: number): void {
    this.offsetMs += milliseconds;
  }
}
