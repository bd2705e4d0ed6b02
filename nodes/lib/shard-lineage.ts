import type { ShardInfo } from './stream-discovery';

export type ShardState = 'pending' | 'reading' | 'finished';

/**
 * The shards of one stream and which of them may be read now: a shard becomes
 * readable once its parent is finished, or when its parent is no longer listed
 * (aged out of the 24-hour retention window).
 */
export class ShardLineage {
  private readonly shards = new Map<string, ShardInfo>();
  private readonly states = new Map<string, ShardState>();
  private firstDiscovery: ReadonlySet<string> | undefined;

  /** Adds shards not seen before, and records that known shards have since closed. Returns the new ones. */
  add(shards: Iterable<ShardInfo>): ShardInfo[] {
    const added: ShardInfo[] = [];
    const firstCall = this.firstDiscovery === undefined;
    for (const shard of shards) {
      const known = this.shards.get(shard.shardId);
      if (!known) {
        this.shards.set(shard.shardId, shard);
        this.states.set(shard.shardId, 'pending');
        added.push(shard);
      } else if (!known.endingSequenceNumber && shard.endingSequenceNumber) {
        this.shards.set(shard.shardId, shard);
      }
    }
    if (firstCall) this.firstDiscovery = new Set(added.map((s) => s.shardId));
    return added;
  }

  /** Whether the shard was listed by the very first discovery (as opposed to created or found later). */
  wasInFirstDiscovery(shardId: string): boolean {
    return this.firstDiscovery?.has(shardId) ?? false;
  }

  get(shardId: string): ShardInfo | undefined {
    return this.shards.get(shardId);
  }

  state(shardId: string): ShardState | undefined {
    return this.states.get(shardId);
  }

  markReading(shardId: string): void {
    this.states.set(shardId, 'reading');
  }

  markPending(shardId: string): void {
    if (this.states.has(shardId)) this.states.set(shardId, 'pending');
  }

  markFinished(shardId: string): void {
    if (this.states.has(shardId)) this.states.set(shardId, 'finished');
  }

  /** Pending shards whose parent is finished or unknown, parents before children. */
  readable(): ShardInfo[] {
    const ready: ShardInfo[] = [];
    for (const [shardId, state] of this.states) {
      if (state !== 'pending') continue;
      const shard = this.shards.get(shardId);
      if (shard && this.parentDone(shard)) ready.push(shard);
    }
    return ready;
  }

  /** Every pending shard, whatever its parent's state (another worker may have finished the parent). */
  pending(): ShardInfo[] {
    const pending: ShardInfo[] = [];
    for (const [shardId, state] of this.states) {
      const shard = this.shards.get(shardId);
      if (state === 'pending' && shard) pending.push(shard);
    }
    return pending;
  }

  counts(): Record<ShardState, number> {
    const counts: Record<ShardState, number> = { pending: 0, reading: 0, finished: 0 };
    for (const state of this.states.values()) counts[state] += 1;
    return counts;
  }

  /** True when every known shard is closed (has an ending sequence number). */
  allClosed(): boolean {
    for (const shard of this.shards.values()) if (!shard.endingSequenceNumber) return false;
    return true;
  }

  private parentDone(shard: ShardInfo): boolean {
    if (!shard.parentShardId) return true;
    const parentState = this.states.get(shard.parentShardId);
    return parentState === undefined || parentState === 'finished';
  }
}
