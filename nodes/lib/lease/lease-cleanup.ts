import { isFinished, leaseKeyOf, type Lease } from './lease';
import type { LeaseObservations } from './lease-observations';
import type { LeaseTable } from './lease-table';

/**
 * Deletes leases that are no longer needed (the KCL's LeaseCleanupManager), each conditioned on the
 * counter of the last listing. A lease missing from the table counts as finished for its children
 * (see lease-lineage), so only finished leases are ever deleted.
 */
export class LeaseCleanup {
  constructor(
    private readonly table: LeaseTable,
    private readonly observations: LeaseObservations,
  ) {}

  /** Finished leases whose children all have leases of their own: until then the finished lease tells them they may start. */
  deleteFinishedLeases(): Promise<Lease[]> {
    return this.deleteAll(this.observations.leases().filter((lease) => this.childrenLeased(lease)));
  }

  /** Finished leases of `streamArn` whose shard is no longer listed (aged out of the stream's 24 hours). */
  deleteUnlistedShards(streamArn: string, listedShardIds: ReadonlySet<string>): Promise<Lease[]> {
    return this.deleteAll(this.leasesOf(streamArn).filter((lease) => !listedShardIds.has(lease.shardId)));
  }

  /**
   * Every lease of a stream the consumer has left (a replaced or deleted stream), but only once all of
   * them are finished; returns whether the stream has no lease left.
   */
  async deleteStream(streamArn: string): Promise<boolean> {
    const leases = this.leasesOf(streamArn);
    if (leases.some((lease) => !isFinished(lease))) return false;
    const deleted = await this.deleteAll(leases);
    return deleted.length === leases.length;
  }

  private leasesOf(streamArn: string): Lease[] {
    return this.observations.leases().filter((lease) => lease.streamArn === streamArn);
  }

  private childrenLeased(lease: Lease): boolean {
    return lease.childShardIds.length > 0 && lease.childShardIds.every((childId) => this.observations.get(leaseKeyOf(lease, childId)) !== undefined);
  }

  /** Deletes the finished ones among `leases`; returns those deleted. */
  private async deleteAll(leases: readonly Lease[]): Promise<Lease[]> {
    const deleted: Lease[] = [];
    for (const lease of leases) {
      if (isFinished(lease) && (await this.table.deleteLease(lease))) deleted.push(lease);
    }
    return deleted;
  }
}
