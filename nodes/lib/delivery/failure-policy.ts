import { jitteredDelay } from '../backoff';

/** First re-send after a failure waits 1 s at most (jittered), doubling per failure of the same delivery up to 60 s. */
export const REDELIVERY_BASE_MS = 1_000;
export const REDELIVERY_MAX_MS = 60_000;

export interface FailurePolicyOptions {
  /** Failed attempts before a delivery is given up; -1: never. */
  readonly maxRetries: number;
  /** A failed delivery of several records is split in halves, down to single records. */
  readonly bisectOnError: boolean;
  readonly baseMs?: number;
  readonly maxMs?: number;
  readonly random?: () => number;
}

export type FailureDecision =
  | { readonly kind: 'bisect'; readonly delayMs: number }
  | { readonly kind: 'give-up' }
  | { readonly kind: 'retry'; readonly delayMs: number };

/** What happens to a delivery whose attempt failed (negative acknowledgement, ack timeout, batchItemFailures). */
export class FailurePolicy {
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly options: FailurePolicyOptions) {
    this.baseMs = options.baseMs ?? REDELIVERY_BASE_MS;
    this.maxMs = options.maxMs ?? REDELIVERY_MAX_MS;
  }

  /** `attempts`: how often the delivery was sent, all of them failed. */
  decide(attempts: number, recordCount: number): FailureDecision {
    if (this.options.bisectOnError && recordCount > 1) return { kind: 'bisect', delayMs: this.delay(0) };
    if (this.options.maxRetries >= 0 && attempts > this.options.maxRetries) return { kind: 'give-up' };
    return { kind: 'retry', delayMs: this.delay(attempts - 1) };
  }

  private delay(failuresBefore: number): number {
    return jitteredDelay(this.baseMs, this.maxMs, Math.max(0, failuresBefore), this.options.random);
  }
}
