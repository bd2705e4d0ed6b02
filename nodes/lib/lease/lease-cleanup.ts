import { isFinished, leaseKeyOf, type Lease } from './lease';
import type { LeaseObservations } from './lease-observations';
import type { LeaseTable } from './lease-table';

/**
 * Deletes the leases of finished shards once every child has a lease of its own (the KCL's
 * LeaseCleanupManager): until then the finished lease is the record that the children may start.
 * A lease missing from the table counts as finished for its children (see LeaseLineage).
 */
export class LeaseCleanup {
  constructor(
    private readonly table: LeaseTable,
    private readonly observations: LeaseObservations,
  ) {}

  /** Returns the leases deleted. */
  async deleteFinishedLeases(): Promise<Lease[]> {
    const deleted: Lease[] = [];
    for (const lease of this.observations.leases()) {
      if (!this.isDeletable(lease)) continue;
      if (await this.table.deleteLease(lease)) deleted.push(lease);
    }
    return deleted;
  }

  private isDeletable(lease: Lease): boolean {
    return (
      isFinished(lease) &&
      lease.childShardIds.length > 0 &&
      lease.childShardIds.every((childId) => this.observations.get(leaseKeyOf(lease, childId)) !== undefined)
    );
  }
}
