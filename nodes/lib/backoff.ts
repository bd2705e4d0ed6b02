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

/** Poll delay that is zero while records flow and doubles towards `maxMs` while a shard is idle. */
export class IdlePollDelay {
  private current = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {}

  afterRecords(): number {
    this.current = 0;
    return 0;
  }

  afterEmptyPage(): number {
    this.current = this.current === 0 ? this.firstMs : Math.min(this.maxMs, this.current * 2);
    return this.current;
  }
}
