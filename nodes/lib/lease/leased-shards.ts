import type { Checkpoint } from '../checkpoint/checkpoint';
import type { AssignmentChange, ShardAssignment } from '../position/shard-assignment';
import type { ShardInfo } from '../stream-discovery';
import type { LeaseCoordinator } from './lease-coordinator';

/** The shards this worker holds leases for, read once every parent's end is checkpointed (by any worker). */
export class LeasedShards implements ShardAssignment {
  readonly shared = true;

  constructor(private readonly coordinator: LeaseCoordinator) {}

  async register(streamArn: string, shards: readonly ShardInfo[], startOf: (shard: ShardInfo) => Checkpoint): Promise<void> {
    const discovered = shards.map((shard) => ({
      shardId: shard.shardId,
      parentShardIds: shard.parentShardId ? [shard.parentShardId] : [],
      closed: shard.endingSequenceNumber !== undefined,
      start: startOf(shard),
    }));
    await this.coordinator.registerShards(streamArn, discovered, 'TRIM_HORIZON');
  }

  async mayStart(streamArn: string, shard: ShardInfo): Promise<boolean> {
    const leaseKey = this.coordinator.leaseKey(streamArn, shard.shardId);
    if (!this.coordinator.holds(leaseKey)) return false;
    return this.coordinator.parentsFinished(leaseKey);
  }

  holds(streamArn: string, shardId: string): boolean {
    return this.coordinator.holds(this.coordinator.leaseKey(streamArn, shardId));
  }

  streamFinished(streamArn: string): boolean {
    return !this.coordinator.unfinishedStreamArns().includes(streamArn);
  }

  onChange(listener: (change: AssignmentChange) => void): () => void {
    const onTaken = (lease: { streamArn: string; shardId: string }): void => listener({ type: 'gained', streamArn: lease.streamArn, shardId: lease.shardId });
    const onLost = (lease: { streamArn: string; shardId: string }): void => listener({ type: 'lost', streamArn: lease.streamArn, shardId: lease.shardId });
    this.coordinator.on('taken', onTaken);
    this.coordinator.on('readable', onTaken);
    this.coordinator.on('lost', onLost);
    return () => {
      this.coordinator.off('taken', onTaken);
      this.coordinator.off('readable', onTaken);
      this.coordinator.off('lost', onLost);
    };
  }
}
