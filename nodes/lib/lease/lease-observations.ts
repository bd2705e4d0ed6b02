import type { MonotonicClock } from './clock';
import type { Lease } from './lease';

interface Observation {
  readonly lease: Lease;
  /** When this worker last saw `leaseCounter` change, on its own monotonic clock. */
  readonly counterChangedAt: number;
}

/**
 * The lease table as this worker last listed it, and when it saw each lease's counter change
 * (the KCL's lastCounterIncrementNanos). A lease is expired when its counter has not changed
 * for the failover time on this worker's clock: a live owner increments it at every renewal.
 */
export class LeaseObservations {
  private observed = new Map<string, Observation>();
  private listed = false;

  constructor(
    private readonly failoverMs: number,
    private readonly clock: MonotonicClock,
  ) {}

  /** Replaces the view with a fresh listing of the table. */
  update(fresh: readonly Lease[]): void {
    const now = this.clock.now();
    const next = new Map<string, Observation>();
    for (const lease of fresh) {
      const before = this.observed.get(lease.leaseKey);
      next.set(lease.leaseKey, { lease, counterChangedAt: this.changedAt(lease, before, now) });
    }
    this.observed = next;
    this.listed = true;
  }

  /** Records a lease this worker itself has just written. */
  noteWritten(lease: Lease): void {
    this.observed.set(lease.leaseKey, { lease, counterChangedAt: this.clock.now() });
  }

  get hasListed(): boolean {
    return this.listed;
  }

  leases(): Lease[] {
    return [...this.observed.values()].map((o) => o.lease);
  }

  get(leaseKey: string): Lease | undefined {
    return this.observed.get(leaseKey)?.lease;
  }

  isExpired(lease: Lease): boolean {
    const observation = this.observed.get(lease.leaseKey);
    if (!observation || lease.leaseOwner === undefined) return false;
    return this.clock.now() - observation.counterChangedAt > this.failoverMs;
  }

  /** Nobody holds it, or its holder stopped renewing it. */
  isAvailable(lease: Lease): boolean {
    return lease.leaseOwner === undefined || this.isExpired(lease);
  }

  private changedAt(lease: Lease, before: Observation | undefined, now: number): number {
    if (before) return before.lease.leaseCounter === lease.leaseCounter ? before.counterChangedAt : now;
    // Seen for the first time: an owned lease counts as just renewed, so a worker that starts
    // does not take leases from live workers before it has watched them for the failover time.
    return lease.leaseOwner === undefined ? Number.NEGATIVE_INFINITY : now;
  }
}
