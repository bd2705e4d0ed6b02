import { isShardEnd, type Checkpoint } from './checkpoint';

/** Which leases belong together: one consumer (a source node, by default its id) reading one stream. */
export interface LeaseScope {
  readonly consumerName: string;
  readonly streamArn: string;
}

/** One item of the lease table, as last read or written by this worker. */
export interface Lease extends LeaseScope {
  /** `<consumerName>:<streamArn>:<shardId>`, like the KCL's multi-stream lease keys. */
  readonly leaseKey: string;
  readonly shardId: string;
  /** Absent when nobody holds the lease. */
  readonly leaseOwner?: string;
  /**
   * Set by a steal to the owner the lease was taken from (as in KCL 3's graceful hand-off): that
   * owner, once it notices, writes its last checkpoint and removes the attribute; the new owner
   * reads the shard after that (or, if it never happens, the failover time after the steal).
   */
  readonly checkpointOwner?: string;
  /** Incremented by every take, renew, checkpoint and release: the fencing token of every write. */
  readonly leaseCounter: number;
  readonly checkpoint: Checkpoint;
  readonly ownerSwitchesSinceCheckpoint: number;
  readonly parentShardIds: readonly string[];
  readonly childShardIds: readonly string[];
}

export function leaseKeyOf(scope: LeaseScope, shardId: string): string {
  return `${scope.consumerName}:${scope.streamArn}:${shardId}`;
}

/** A finished lease (its shard end is checkpointed) is neither held nor balanced any more. */
export function isFinished(lease: Lease): boolean {
  return isShardEnd(lease.checkpoint);
}
