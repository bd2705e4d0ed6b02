import { leaseKeyOf, type Lease } from './lease';
import type { LeaseTable } from './lease-table';

/**
 * Whether every parent of a lease has its shard end checkpointed, whichever worker holds it. A
 * parent without a lease counts as finished: its lease was deleted after its end (or the shard
 * aged out before any lease was made). Read from the table, not from the last listing, so a
 * child never starts on a stale view.
 */
export async function parentsFinished(table: LeaseTable, lease: Lease): Promise<boolean> {
  for (const parentId of lease.parentShardIds) {
    const parent = await table.getLease(leaseKeyOf(lease, parentId));
    if (parent && parent.checkpoint.kind !== 'SHARD_END') return false;
  }
  return true;
}
