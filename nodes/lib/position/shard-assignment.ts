import type { Checkpoint } from '../checkpoint/checkpoint';
import type { ShardInfo } from '../stream-discovery';

/**
 * Which shards this node reads. Alone it reads every shard, its own lineage deciding the order;
 * sharing a stream with other workers (a lease table) it reads the shards it holds, once their
 * parents' ends are checkpointed by whichever worker read them.
 */
export interface ShardAssignment {
  /** True when other workers may read this stream's shards: parents are then finished elsewhere too. */
  readonly shared: boolean;
  /** Learns the shards a discovery listed, with the start each would get (a lease table creates their leases). */
  register(streamArn: string, shards: readonly ShardInfo[], startOf: (shard: ShardInfo) => Checkpoint): Promise<void>;
  /** May this worker start reading the shard now? */
  mayStart(streamArn: string, shard: ShardInfo): Promise<boolean>;
  /** Is the shard still this worker's? Checked before each page is delivered. */
  holds(streamArn: string, shardId: string): boolean;
  /** Called when shards are gained or lost; returns a function that stops listening. */
  onChange(listener: (change: AssignmentChange) => void): () => void;
  /** Shared: whether every shard of the stream is finished, by whichever worker (the stream is done with). */
  streamFinished(streamArn: string): boolean;
}

export type AssignmentChange =
  | { readonly type: 'gained'; readonly streamArn: string; readonly shardId: string }
  | { readonly type: 'lost'; readonly streamArn: string; readonly shardId: string };

/** A node reading the whole stream alone. */
export const EVERY_SHARD: ShardAssignment = {
  shared: false,
  register: async () => undefined,
  mayStart: async () => true,
  holds: () => true,
  onChange: () => () => undefined,
  streamFinished: () => false,
};
