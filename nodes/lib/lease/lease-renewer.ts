import { isShardEnd, type Checkpoint } from './checkpoint';
import type { MonotonicClock } from './clock';
import { HeldLease } from './held-lease';
import type { Lease } from './lease';
import { LOST, type LeaseTable } from './lease-table';

export type LeaseLossReason =
  /** A conditional write failed: another worker took the lease (or it was released or deleted elsewhere). */
  | 'taken-by-another-worker'
  /** No write succeeded for the failover time: other workers may already treat it as expired. */
  | 'not-renewed-in-time';

export type LeaseWriteResult = 'ok' | 'lost';

export interface LeaseRenewerEvents {
  lost(lease: Lease, reason: LeaseLossReason): void;
  released(lease: Lease): void;
  /** A write that is not retried failed (a hand-over: the new owner then waits for the failover time). */
  problem(error: unknown): void;
}

/**
 * The leases this worker holds (the KCL's LeaseRenewer): renews them, writes their checkpoints
 * and releases them. Every write is conditioned on owner and counter; a failed condition means the
 * lease is lost, which is reported at once and never retried. A lease lost to a steal is then
 * handed over: its last checkpoint written for the new owner, who waits for it.
 */
export class LeaseRenewer {
  private readonly held = new Map<string, HeldLease>();

  constructor(
    private readonly table: LeaseTable,
    private readonly failoverMs: number,
    private readonly clock: MonotonicClock,
    private readonly events: LeaseRenewerEvents,
  ) {}

  /** `takenAt`: when the take was sent, on this worker's clock; `readableFrom`: when the shard may be read (default: at once). */
  add(lease: Lease & { readonly leaseOwner: string }, takenAt: number, readableFrom = takenAt): void {
    this.held.set(lease.leaseKey, new HeldLease(lease, takenAt, this.clock, readableFrom));
  }

  /** Held, readable, and renewed within the failover time (past it, another worker may be reading the shard). */
  holds(leaseKey: string): boolean {
    const lease = this.held.get(leaseKey);
    return lease !== undefined && lease.isReadable() && lease.sinceRenewal() < this.failoverMs;
  }

  /** Held leases that were not readable when taken and are now, each reported once. */
  newlyReadable(): Lease[] {
    return [...this.held.values()].filter((lease) => lease.takeReadableAnnouncement()).map((lease) => lease.taken);
  }

  /** Held at all, fresh or not: the taker must not count such a lease as another worker's. */
  isHeld(leaseKey: string): boolean {
    return this.held.has(leaseKey);
  }

  /** The held leases as they were taken. */
  heldLeases(): Lease[] {
    return [...this.held.values()].map((lease) => lease.taken);
  }

  /** Renews every held lease once; a deferred checkpoint is written instead of a plain renewal. */
  async renewLeases(): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      [...this.held.values()].map(async (lease) => {
        const checkpoint = lease.takeDeferredCheckpoint();
        try {
          await (checkpoint ? this.writeCheckpoint(lease, checkpoint) : this.renew(lease));
        } catch (error) {
          lease.restoreCheckpoint(checkpoint);
          if (lease.sinceRenewal() >= this.failoverMs) this.lose(lease, 'not-renewed-in-time');
          else failures.push(error);
        }
      }),
    );
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Writes `checkpoint` now. Throws on errors other than the lease being lost (the caller may
   * retry those); a deferred checkpoint is superseded.
   */
  async checkpoint(leaseKey: string, checkpoint: Checkpoint): Promise<LeaseWriteResult> {
    const lease = this.held.get(leaseKey);
    if (!lease) return 'lost';
    lease.takeDeferredCheckpoint();
    return (await this.writeCheckpoint(lease, checkpoint)) === LOST ? 'lost' : 'ok';
  }

  /** Writes every deferred checkpoint now (one write per lease that has one); the others wait for their renewal. */
  async flushCheckpoints(): Promise<void> {
    await Promise.all(
      [...this.held.values()].map(async (lease) => {
        const checkpoint = lease.takeDeferredCheckpoint();
        if (!checkpoint) return;
        await this.writeCheckpoint(lease, checkpoint).catch((error: unknown) => {
          lease.restoreCheckpoint(checkpoint);
          throw error;
        });
      }),
    );
  }

  /** Keeps `checkpoint` to be written with the lease's next renewal (no write of its own). */
  deferCheckpoint(leaseKey: string, checkpoint: Checkpoint): LeaseWriteResult {
    const lease = this.held.get(leaseKey);
    if (!lease) return 'lost';
    lease.deferCheckpoint(checkpoint);
    return 'ok';
  }

  /** Writes the deferred checkpoint (if any) and clears the owner in one write, so another worker may take it at once. */
  async release(leaseKey: string): Promise<LeaseWriteResult> {
    const lease = this.held.get(leaseKey);
    if (!lease) return 'lost';
    const checkpoint = lease.takeDeferredCheckpoint();
    const counter = await this.write(
      lease,
      () => (checkpoint ? this.table.checkpoint(lease.state, checkpoint, true) : this.table.releaseLease(lease.state)),
      checkpoint,
    ).catch((error: unknown) => {
      lease.restoreCheckpoint(checkpoint);
      throw error;
    });
    if (counter === LOST) return 'lost';
    this.held.delete(leaseKey);
    this.events.released(lease.taken);
    return 'ok';
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((leaseKey) => this.release(leaseKey)));
  }

  /** SHARD_END also clears the owner in the same write: a finished lease needs no holder. */
  private async writeCheckpoint(lease: HeldLease, checkpoint: Checkpoint): Promise<number | typeof LOST> {
    const finished = isShardEnd(checkpoint);
    const counter = await this.write(lease, () => this.table.checkpoint(lease.state, checkpoint, finished), checkpoint);
    if (finished && counter !== LOST) this.held.delete(lease.leaseKey);
    return counter;
  }

  /** A plain renewal; one of a stolen lease awaiting its hand-over also reads whether it happened. */
  private renew(lease: HeldLease): Promise<number | typeof LOST> {
    if (!lease.awaitingHandOver) return this.write(lease, () => this.table.renewLease(lease.state));
    return this.write(lease, async () => {
      const item = await this.table.renewAwaitingHandOver(lease.state);
      if (item === LOST) return LOST;
      lease.observe(item);
      return item.leaseCounter;
    });
  }

  /**
   * Runs a write on a lease still held (skipped when it was dropped while queued), records the
   * counter it produced, and drops the lease when the write's condition failed, then hands it over
   * with the newest checkpoint it has (`attempted`, or one deferred since).
   */
  private write(lease: HeldLease, attempt: () => Promise<number | typeof LOST>, attempted?: Checkpoint): Promise<number | typeof LOST> {
    return lease.serialize(async () => {
      if (this.held.get(lease.leaseKey) !== lease) return LOST;
      const sentAt = this.clock.now();
      const counter = await attempt();
      if (counter === LOST) {
        this.lose(lease, 'taken-by-another-worker');
        await this.handOver(lease, lease.takeDeferredCheckpoint() ?? attempted);
      } else lease.written(counter, sentAt);
      return counter;
    });
  }

  /** Refused unless the lease was stolen from this worker and the thief still waits; then it is the last word on the shard's position. */
  private async handOver(lease: HeldLease, checkpoint: Checkpoint | undefined): Promise<void> {
    await this.table.handOver(lease.leaseKey, lease.taken.leaseOwner, checkpoint).catch((error: unknown) => this.events.problem(error));
  }

  private lose(lease: HeldLease, reason: LeaseLossReason): void {
    if (this.held.get(lease.leaseKey) !== lease) return;
    this.held.delete(lease.leaseKey);
    this.events.lost(lease.taken, reason);
  }
}
