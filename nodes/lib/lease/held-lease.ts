import type { Checkpoint } from './checkpoint';
import type { MonotonicClock } from './clock';
import type { Lease } from './lease';
import type { HeldLeaseState } from './lease-table';

/**
 * One lease this worker holds: the counter its next write is conditioned on, when it was last
 * renewed, and a checkpoint waiting for the next renewal. Its writes run one after another, so
 * each is conditioned on the counter the previous one produced.
 */
export class HeldLease {
  private counter: number;
  private renewedAt: number;
  private waitingCheckpoint: Checkpoint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readableAnnounced: boolean;

  constructor(
    /** The lease as it was taken (its checkpoint is where reading starts). */
    readonly taken: Lease & { readonly leaseOwner: string },
    /** When the take was sent (see `written`). */
    takenAt: number,
    private readonly clock: MonotonicClock,
    /** From when this worker may read the shard: later than `takenAt` for a stolen lease. */
    private readonly readableFrom = takenAt,
  ) {
    this.counter = taken.leaseCounter;
    this.renewedAt = takenAt;
    this.readableAnnounced = readableFrom <= takenAt;
  }

  isReadable(): boolean {
    return this.clock.now() >= this.readableFrom;
  }

  /** True once, when a lease that was not readable at its take has become readable. */
  takeReadableAnnouncement(): boolean {
    if (this.readableAnnounced || !this.isReadable()) return false;
    this.readableAnnounced = true;
    return true;
  }

  get leaseKey(): string {
    return this.taken.leaseKey;
  }

  get state(): HeldLeaseState {
    return { leaseKey: this.taken.leaseKey, leaseOwner: this.taken.leaseOwner, leaseCounter: this.counter };
  }

  /** Milliseconds since the last successful write, on this worker's clock. */
  sinceRenewal(): number {
    return this.clock.now() - this.renewedAt;
  }

  /**
   * Called after a write succeeded with the counter it produced and the time it was sent: another
   * worker may have seen the new counter as early as that, so the lease counts as renewed from then.
   */
  written(counter: number, sentAt: number): void {
    this.counter = counter;
    this.renewedAt = sentAt;
  }

  /** A checkpoint to write with the next renewal instead of a write of its own. */
  deferCheckpoint(checkpoint: Checkpoint): void {
    this.waitingCheckpoint = checkpoint;
  }

  /** Takes the deferred checkpoint for a write; `restoreCheckpoint` puts it back if that write did not happen. */
  takeDeferredCheckpoint(): Checkpoint | undefined {
    const checkpoint = this.waitingCheckpoint;
    this.waitingCheckpoint = undefined;
    return checkpoint;
  }

  restoreCheckpoint(checkpoint: Checkpoint | undefined): void {
    this.waitingCheckpoint ??= checkpoint;
  }

  /** Runs `write` after every write queued before it. */
  serialize<T>(write: () => Promise<T>): Promise<T> {
    const result = this.queue.then(write);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
