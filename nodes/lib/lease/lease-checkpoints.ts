import type { Checkpoint } from '../checkpoint/checkpoint';
import type { CheckpointBackend } from '../checkpoint/checkpoint-backend';
import type { LeaseCoordinator } from './lease-coordinator';

/**
 * Checkpoints kept in the lease items: written with the next renewal (one write per lease per renew
 * interval), a shard's end at once so that other workers may start its children. A write refused
 * because the lease is no longer ours changes nothing; the coordinator reports the loss.
 */
export class LeaseCheckpoints implements CheckpointBackend {
  constructor(
    private readonly coordinator: LeaseCoordinator,
    private readonly onError: (error: unknown) => void,
  ) {}

  load(): Promise<void> {
    return this.coordinator.start();
  }

  streamArns(): string[] {
    return this.coordinator.unfinishedStreamArns();
  }

  checkpoints(streamArn: string): ReadonlyMap<string, Checkpoint> {
    return this.coordinator.checkpoints(streamArn);
  }

  save(streamArn: string, shardId: string, checkpoint: Checkpoint): void {
    const leaseKey = this.coordinator.leaseKey(streamArn, shardId);
    if (checkpoint.kind === 'SHARD_END') {
      this.coordinator.checkpoint(leaseKey, checkpoint).catch(this.onError);
      return;
    }
    this.coordinator.deferCheckpoint(leaseKey, checkpoint);
  }

  retainShards(streamArn: string, liveShardIds: ReadonlySet<string>): void {
    this.coordinator.retainShards(streamArn, liveShardIds).catch(this.onError);
  }

  forgetStream(streamArn: string): void {
    this.coordinator.forgetStream(streamArn).catch(this.onError);
  }

  flush(): Promise<void> {
    return this.coordinator.flushCheckpoints();
  }

  /** Writes the last checkpoints and releases every lease, so other workers take them at once. */
  close(): Promise<void> {
    return this.coordinator.shutdown();
  }
}
