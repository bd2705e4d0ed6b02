import type { MonotonicClock } from './clock';
import { chooseLeasesToTake } from './lease-balance';
import type { Lease } from './lease';
import type { LeaseObservations } from './lease-observations';
import { LOST, type LeaseTable } from './lease-table';

export interface TakenLease {
  readonly lease: Lease & { readonly leaseOwner: string };
  /** When the take was sent, on this worker's clock: the lease counts as renewed from then. */
  readonly takenAt: number;
  /** The owner it was taken from while that owner was still renewing it. */
  readonly stolenFrom?: string;
}

/**
 * Lists the consumer's leases and takes what the balance asks for (the KCL's LeaseTaker). A take
 * is conditioned on the counter seen in the listing: of two workers reaching for one lease, one wins.
 */
export class LeaseTaker {
  constructor(
    private readonly table: LeaseTable,
    private readonly consumerName: string,
    private readonly workerId: string,
    private readonly observations: LeaseObservations,
    private readonly holds: (leaseKey: string) => boolean,
    private readonly random: () => number,
    private readonly clock: MonotonicClock,
  ) {}

  /** Lists the table into the observations. */
  async refresh(): Promise<void> {
    this.observations.update(await this.table.listLeases(this.consumerName));
  }

  /** Lists the table, then takes available leases up to the target, or steals one. */
  async takeLeases(): Promise<TakenLease[]> {
    await this.refresh();
    const decision = chooseLeasesToTake({
      leases: this.observations.leases(),
      workerId: this.workerId,
      holds: (lease) => this.holds(lease.leaseKey),
      isAvailable: (lease) => this.observations.isAvailable(lease),
      random: this.random,
    });
    const taken: TakenLease[] = [];
    for (const lease of decision.take) {
      const result = await this.take(lease);
      if (result) taken.push(result);
    }
    if (decision.steal?.leaseOwner !== undefined) {
      const result = await this.take(decision.steal, decision.steal.leaseOwner);
      if (result) taken.push({ ...result, stolenFrom: decision.steal.leaseOwner });
    }
    return taken;
  }

  private async take(lease: Lease, stolenFrom?: string): Promise<TakenLease | undefined> {
    const takenAt = this.clock.now();
    const result = await this.table.takeLease(lease, this.workerId, stolenFrom);
    if (result === LOST || result.leaseOwner === undefined) return undefined;
    this.observations.noteWritten(result);
    return { lease: { ...result, leaseOwner: result.leaseOwner }, takenAt };
  }
}
