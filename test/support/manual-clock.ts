import type { MonotonicClock } from '../../nodes/lib/lease/clock';

/** A monotonic clock that moves only when the test says so. */
export class ManualClock implements MonotonicClock {
  private current = 1_000;

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

