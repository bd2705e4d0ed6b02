import type { Checkpoint } from '../checkpoint/checkpoint';
import type { CheckpointBackend } from '../checkpoint/checkpoint-backend';
import { ShardPosition } from './shard-position';

export interface ShardPositionsOptions {
  /** Where checkpoints persist; without one, positions live only as long as the node. */
  readonly backend?: CheckpointBackend;
  /** Outstanding deliveries per shard at most. */
  readonly capacity: number;
}

/** The shard positions of one source node, by stream and shard, and the checkpoints they persist. */
export class ShardPositions<T = unknown> {
  private readonly positions = new Map<string, ShardPosition<T>>();
  private closed = false;

  constructor(private readonly options: ShardPositionsOptions) {}

  /** Streams with saved checkpoints (an unfinished one is read to its end before its successor). */
  savedStreams(): string[] {
    return this.options.backend?.streamArns() ?? [];
  }

  saved(streamArn: string): ReadonlyMap<string, Checkpoint> {
    return this.options.backend?.checkpoints(streamArn) ?? new Map();
  }

  /** The shard's position: the one already open, else one starting at its checkpoint, else at `choose()`. */
  open(streamArn: string, shardId: string, choose: () => Checkpoint): ShardPosition<T> {
    const key = keyOf(streamArn, shardId);
    const open = this.positions.get(key);
    if (open) return open;
    const saved = this.saved(streamArn).get(shardId);
    const backend = this.options.backend;
    const position = new ShardPosition<T>({
      streamArn,
      shardId,
      start: saved ?? choose(),
      restored: saved !== undefined,
      capacity: this.options.capacity,
      ...(backend ? { save: (checkpoint: Checkpoint) => backend.save(streamArn, shardId, checkpoint) } : {}),
    });
    if (this.closed) position.close();
    this.positions.set(key, position);
    return position;
  }

  get(streamArn: string, shardId: string): ShardPosition<T> | undefined {
    return this.positions.get(keyOf(streamArn, shardId));
  }

  all(): IterableIterator<ShardPosition<T>> {
    return this.positions.values();
  }

  /** The shard went to another worker: its position stops and is dropped (a later take starts from the lease's checkpoint). */
  revoke(streamArn: string, shardId: string): void {
    const key = keyOf(streamArn, shardId);
    this.positions.get(key)?.revoke();
    this.positions.delete(key);
  }

  retainShards(streamArn: string, liveShardIds: ReadonlySet<string>): void {
    this.options.backend?.retainShards(streamArn, liveShardIds);
  }

  /** The stream is done with (every shard finished) or gone: its positions and checkpoints are dropped. */
  forgetStream(streamArn: string): void {
    for (const [key, position] of this.positions) {
      if (position.streamArn === streamArn) {
        position.close();
        this.positions.delete(key);
      }
    }
    this.options.backend?.forgetStream(streamArn);
  }

  /** Nothing is sent any more: releases every reader waiting for room. */
  close(): void {
    this.closed = true;
    for (const position of this.positions.values()) position.close();
  }
}

function keyOf(streamArn: string, shardId: string): string {
  return `${streamArn} ${shardId}`;
}
