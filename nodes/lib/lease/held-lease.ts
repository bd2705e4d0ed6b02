import type { Checkpoint } from './checkpoint';
import type { MonotonicClock } from './clock';
import type { Lease } from './lease';
import type { HeldLeaseState } from './lease-table';

/**
 * One lease this worker holds: the counter its next write is conditioned on, when it was last
 * renewed, and a checkpoint waiting for the next renewal. Its writes run one after another, so
 * each is conditioned on the counter the previous one produced. A stolen lease becomes readable
 * when its previous owner has handed it over, or at the latest at `readableFrom`.
 */
export class HeldLease {
  private counter: number;
  private renewedAt: number;
  private waitingCheckpoint: Checkpoint | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readableAnnounced: boolean;
  private handedOver = false;
  private start: Lease & { readonly leaseOwner: string };

  constructor(
    taken: Lease & { readonly leaseOwner: string },
    /** When the take was sent (see `written`). */
    takenAt: number,
    private readonly clock: MonotonicClock,
    /** From when this worker may read the shard at the latest: later than `takenAt` for a stolen lease. */
    private readonly readableFrom = takenAt,
  ) {
    this.start = taken;
    this.counter = taken.leaseCounter;
    this.renewedAt = takenAt;
    this.readableAnnounced = readableFrom <= takenAt;
  }

  /** The lease as taken, or as handed over by its previous owner: its checkpoint is where reading starts. */
  get taken(): Lease & { readonly leaseOwner: string } {
    return this.start;
  }

  isReadable(): boolean {
    return this.handedOver || this.clock.now() >= this.readableFrom;
  }

  /** A stolen lease whose previous owner may still write its last checkpoint. */
  get awaitingHandOver(): boolean {
    return !this.isReadable();
  }

  /** The item as a renewal found it while awaiting the hand-over: once `checkpointOwner` is gone, the shard is readable from its checkpoint. */
  observe(item: Lease): void {
    if (!this.awaitingHandOver || item.checkpointOwner !== undefined) return;
    this.handedOver = true;
    this.start = { ...this.start, checkpoint: item.checkpoint, ownerSwitchesSinceCheckpoint: item.ownerSwitchesSinceCheckpoint };
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
    return { leaseKey: this.taken.leaseKey, leaseOwner: this.taken.leaseOwner, leaseCounter: this.counter, awaitingHandOver: this.awaitingHandOver };
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
