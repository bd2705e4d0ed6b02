import { TRIM_HORIZON, type Checkpoint } from './checkpoint';
import { isFinished, leaseKeyOf, type Lease, type LeaseScope } from './lease';
import type { LeaseObservations } from './lease-observations';
import type { LeaseTable } from './lease-table';

/** A shard as stream discovery lists it. */
export interface DiscoveredShard {
  readonly shardId: string;
  /** DynamoDB Streams names at most one parent; a set keeps the KCL's shape (merges). */
  readonly parentShardIds: readonly string[];
  /** It has an ending sequence number: no record will be added to it. */
  readonly closed: boolean;
  /** Where a new lease of the shard starts; without it, the starting position for a root, TRIM_HORIZON for a child. */
  readonly start?: Checkpoint;
}

/** Where a shard without parents starts when it gets its lease. Children always start at TRIM_HORIZON. */
export type StartingPosition = 'LATEST' | 'TRIM_HORIZON';

/**
 * Creates a lease for every discovered shard that has none (the KCL's shard sync), and records
 * children on their parents' leases. Shards already listed cost nothing; creating is a conditional
 * put, so workers that discover the same shard create it once.
 */
export class LeaseRegistrar {
  constructor(
    private readonly table: LeaseTable,
    private readonly observations: LeaseObservations,
    /** Epoch milliseconds, for the time a LATEST position was taken. */
    private readonly wallClock: () => number,
  ) {}

  async registerShards(scope: LeaseScope, shards: readonly DiscoveredShard[], startingPosition: StartingPosition): Promise<void> {
    const existing = (shardId: string): Lease | undefined => this.observations.get(leaseKeyOf(scope, shardId));
    const childrenOf = (shardId: string): DiscoveredShard[] => shards.filter((s) => s.parentShardIds.includes(shardId));
    /** Shards the consumer reads, or has read, from a lease made before this call. */
    const readBefore = new Set(shards.filter((shard) => isRead(existing(shard.shardId))).map((shard) => shard.shardId));
    for (const shard of parentsFirst(shards)) {
      if (existing(shard.shardId)) continue;
      if (shard.closed && (await this.anyLeaseExists(scope, childrenOf(shard.shardId)))) continue;
      const lease = newLease(scope, shard, this.startOf(shard, startingPosition, readBefore));
      if (await this.table.createLeaseIfAbsent(lease)) this.observations.noteWritten(lease);
      else if (isRead(await this.table.getLease(lease.leaseKey))) readBefore.add(shard.shardId);
    }
    for (const parent of shards) {
      const parentLease = existing(parent.shardId);
      const missing = childrenOf(parent.shardId)
        .map((child) => child.shardId)
        .filter((childId) => existing(childId) && !parentLease?.childShardIds.includes(childId));
      if (parentLease && missing.length > 0) await this.table.addChildShards(parentLease.leaseKey, missing);
    }
  }

  /**
   * A closed shard whose children have leases was finished and its lease deleted: it must not get
   * a new one. Asked of the table itself, since the listing may predate the children.
   */
  private async anyLeaseExists(scope: LeaseScope, shards: readonly DiscoveredShard[]): Promise<boolean> {
    for (const shard of shards) {
      if (this.observations.get(leaseKeyOf(scope, shard.shardId))) return true;
      if (await this.table.getLease(leaseKeyOf(scope, shard.shardId))) return true;
    }
    return false;
  }

  /**
   * A child of a shard read from a lease made before this registration starts at TRIM_HORIZON
   * whatever start it was offered: the child's records from the split on are due, even when the
   * worker registering it has just started at LATEST.
   */
  private startOf(shard: DiscoveredShard, position: StartingPosition, readBefore: ReadonlySet<string>): Checkpoint {
    if (shard.parentShardIds.some((parentId) => readBefore.has(parentId))) return TRIM_HORIZON;
    return shard.start ?? (shard.parentShardIds.length > 0 ? TRIM_HORIZON : this.startAt(position));
  }

  private startAt(position: StartingPosition): Checkpoint {
    return position === 'LATEST' ? { kind: 'LATEST', since: this.wallClock() } : TRIM_HORIZON;
  }
}

/**
 * Whether a lease is (or was) read: any but one made finished (a shard already closed when the
 * consumer first started at LATEST, skipped) and never taken since.
 */
function isRead(lease: Lease | undefined): boolean {
  return lease !== undefined && !(isFinished(lease) && lease.leaseCounter === 0);
}

function newLease(scope: LeaseScope, shard: DiscoveredShard, checkpoint: Checkpoint): Lease {
  return {
    leaseKey: leaseKeyOf(scope, shard.shardId),
    consumerName: scope.consumerName,
    streamArn: scope.streamArn,
    shardId: shard.shardId,
    leaseCounter: 0,
    checkpoint,
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: shard.parentShardIds,
    childShardIds: [],
  };
}

/** Parents before their children, so a listing never holds a child lease without its parent's. */
function parentsFirst(shards: readonly DiscoveredShard[]): DiscoveredShard[] {
  const ids = new Set(shards.map((s) => s.shardId));
  const ordered: DiscoveredShard[] = [];
  const placed = new Set<string>();
  const place = (shard: DiscoveredShard): void => {
    if (placed.has(shard.shardId)) return;
    placed.add(shard.shardId);
    for (const parentId of shard.parentShardIds) {
      const parent = ids.has(parentId) ? shards.find((s) => s.shardId === parentId) : undefined;
      if (parent) place(parent);
    }
    ordered.push(shard);
  };
  shards.forEach(place);
  return ordered;
}
