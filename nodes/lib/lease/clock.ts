import { performance } from 'node:perf_hooks';

/**
 * Milliseconds on this process's own monotonic clock. Lease expiry is measured with it, never
 * compared across workers, so their wall clocks need not agree.
 */
export interface MonotonicClock {
  now(): number;
}

export const processClock: MonotonicClock = { now: () => performance.now() };
