/** The delay before retry number `attempt` (0 = the first): uniform between `baseMs` and `min(maxMs, baseMs × 2^attempt)`. */
export function jitteredDelay(baseMs: number, maxMs: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(baseMs + random() * (ceiling - baseMs));
}

/**
 * Exponential backoff with "full jitter": each delay is drawn uniformly between
 * `baseMs` and the current ceiling, which doubles per attempt up to `maxMs`.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const delay = jitteredDelay(this.baseMs, this.maxMs, this.attempt, this.random);
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** How a shard that just delivered records is polled while its pages come back empty. */
export interface BusyPolling {
  /** Pause between calls while the shard counts as busy. */
  readonly pollMs: number;
  /** How long after its last records a shard counts as busy. */
  readonly holdMs: number;
}

/** A 10 ms pause (as the latency floor of the bench polls) for 1 s after the last records. */
export const DEFAULT_BUSY_POLLING: BusyPolling = { pollMs: 10, holdMs: 1_000 };

/**
 * Poll delay of one shard. Zero while records flow. A shard that was busy a moment ago is likely
 * busy again: for `busy.holdMs` after its last records it is polled every `busy.pollMs`; only then
 * does the delay start at `firstMs` and double towards `maxMs`, so a long-idle shard costs at most
 * one call per `maxMs`.
 */
export class IdlePollDelay {
  private current = 0;
  private lastRecordsAt: number | undefined;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
    private readonly busy: BusyPolling = DEFAULT_BUSY_POLLING,
    private readonly now: () => number = () => performance.now(),
  ) {}

  afterRecords(): number {
    this.lastRecordsAt = this.now();
    this.current = 0;
    return 0;
  }

  afterEmptyPage(): number {
    if (this.lastRecordsAt !== undefined && this.now() - this.lastRecordsAt < this.busy.holdMs) return Math.min(this.busy.pollMs, this.maxMs);
    this.current = this.current === 0 ? this.firstMs : Math.min(this.maxMs, this.current * 2);
    return this.current;
  }
}
