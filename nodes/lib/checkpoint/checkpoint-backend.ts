import type { Checkpoint } from './checkpoint';

/**
 * Where checkpoints persist (a Node-RED context store today, a lease table next). Only the shard
 * positions write to it; the consumer asks it which streams have checkpoints and prunes it.
 */
export interface CheckpointBackend {
  load(): Promise<void>;
  /** Streams with at least one checkpoint. */
  streamArns(): string[];
  checkpoints(streamArn: string): ReadonlyMap<string, Checkpoint>;
  /** May be buffered: `flush()` writes what is pending. */
  save(streamArn: string, shardId: string, checkpoint: Checkpoint): void;
  /** Drops checkpoints of shards the stream no longer lists (aged out of the retention window). */
  retainShards(streamArn: string, liveShardIds: ReadonlySet<string>): void;
  forgetStream(streamArn: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
