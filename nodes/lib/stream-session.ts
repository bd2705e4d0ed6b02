import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import { sleep } from './abortable-sleep';
import { Backoff } from './backoff';
import type { Checkpoint } from './checkpoint/checkpoint';
import type { ShardPosition } from './position/shard-position';
import type { ShardPositions } from './position/shard-positions';
import { ShardLineage } from './shard-lineage';
import { ShardReader, type ReaderTiming, type ShardEnd, type ShardReaderEvent } from './shard-reader';
import { describeChildShards, describeStream, type ShardInfo, type StreamSnapshot } from './stream-discovery';

export type InitialPosition = 'LATEST' | 'TRIM_HORIZON';

export interface ShardRecords {
  readonly streamArn: string;
  readonly shardId: string;
  readonly keyAttributeNames: readonly string[];
  readonly records: _Record[];
  /** The shard's position, which the delivery tells what it sent and what was acknowledged. */
  readonly position: ShardPosition;
}

export interface StreamSessionOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Where to start the shards present at the first discovery that have no checkpoint. */
  readonly initialPosition: InitialPosition;
  /** Every shard's position: its checkpoint, or where it starts. */
  readonly positions: ShardPositions;
  readonly batchSize: number;
  readonly timing: ReaderTiming;
  readonly signal: AbortSignal;
  readonly deliver: (batch: ShardRecords) => Promise<void> | void;
  readonly onReaderEvent: (event: ShardReaderEvent) => void;
  readonly onShardsChanged: () => void;
  /** A reader failed on something unexpected (a record that cannot be delivered): it starts again after `retryInMs`. */
  readonly onReaderFailure: (shardId: string, error: unknown, retryInMs: number) => void;
  /** Called after a shard is finished (read to its end or vanished, and all of it acknowledged), before its children start. */
  readonly onShardFinished?: (shardId: string, end: ShardEnd) => void;
}

/** Reads one stream: discovers its shards and runs one reader per readable shard, parents before children. */
export class StreamSession {
  private readonly lineage = new ShardLineage();
  private readonly readers = new Map<string, { reader: ShardReader; done: Promise<void> }>();
  /** Shards whose reader failed: how long the next restart waits, and what was delivered at the last failure. */
  private readonly failures = new Map<string, { backoff: Backoff; delivered: string | undefined }>();
  private snapshot: StreamSnapshot | undefined;
  private discoveredOnce = false;
  private gone = false;

  constructor(private readonly options: StreamSessionOptions) {}

  get streamArn(): string {
    return this.options.streamArn;
  }

  get status(): string | undefined {
    return this.gone ? 'GONE' : this.snapshot?.status;
  }

  get viewType(): string | undefined {
    return this.snapshot?.viewType;
  }

  get activeShardCount(): number {
    return this.readers.size;
  }

  /** True once the stream can yield no more records: every shard is closed or gone and read to its end. */
  get drained(): boolean {
    if (this.gone) return this.readers.size === 0;
    if (!this.snapshot) return false;
    // An enabled stream keeps getting shards: a closed leaf's children may simply not be listed yet.
    if (this.snapshot.status === 'ENABLED' || this.snapshot.status === 'ENABLING') return false;
    const counts = this.lineage.counts();
    return counts.pending === 0 && counts.reading === 0 && this.lineage.allClosed();
  }

  markGone(): void {
    this.gone = true;
  }

  /** Describes the stream (all pages) and starts readers for shards that became readable; returns the listed shard ids. */
  async refresh(): Promise<Set<string>> {
    const snapshot = await describeStream(this.options.streams, this.options.streamArn, this.options.signal);
    this.snapshot = snapshot;
    const added = this.lineage.add(snapshot.shards);
    if (!this.discoveredOnce) {
      this.discoveredOnce = true;
      this.skipClosedShardsWhenStartingAtLatest(added);
    }
    this.startReadableShards();
    return new Set(snapshot.shards.map((shard) => shard.shardId));
  }

  async waitForReaders(): Promise<void> {
    await Promise.allSettled([...this.readers.values()].map((r) => r.done));
  }

  /** At LATEST, shards already closed at the first discovery are not read: their end is checkpointed as reached. */
  private skipClosedShardsWhenStartingAtLatest(shards: ShardInfo[]): void {
    if (this.options.initialPosition !== 'LATEST') return;
    for (const shard of shards) {
      if (!shard.endingSequenceNumber) continue;
      const position = this.positionOf(shard.shardId, () => ({ kind: 'SHARD_END' }));
      if (position.isFinished) this.lineage.markFinished(shard.shardId);
    }
  }

  private startReadableShards(): void {
    if (this.options.signal.aborted) return;
    let started = false;
    for (const shard of this.lineage.readable()) {
      const position = this.positionOf(shard.shardId, () => this.chooseStart(shard.shardId));
      if (position.isFinished) {
        this.lineage.markFinished(shard.shardId);
        continue;
      }
      this.lineage.markReading(shard.shardId);
      this.startReader(position);
      started = true;
    }
    if (started) this.options.onShardsChanged();
    // Finished shards found above may have made their children readable.
    if (this.lineage.readable().length > 0) this.startReadableShards();
  }

  private positionOf(shardId: string, choose: () => Checkpoint): ShardPosition {
    return this.options.positions.open(this.options.streamArn, shardId, choose);
  }

  /** For a shard without a checkpoint: LATEST for shards present at the first start, their oldest record for the rest. */
  private chooseStart(shardId: string): Checkpoint {
    const presentAtStart = this.lineage.wasInFirstDiscovery(shardId);
    return presentAtStart && this.options.initialPosition === 'LATEST' ? { kind: 'LATEST', since: Date.now() } : { kind: 'TRIM_HORIZON' };
  }

  private startReader(position: ShardPosition): void {
    const { streams, streamArn, batchSize, timing, signal, deliver, onReaderEvent } = this.options;
    const { shardId } = position;
    const keyAttributeNames = this.snapshot?.keyAttributeNames ?? [];
    const reader = new ShardReader({
      streams,
      streamArn,
      shardId,
      position,
      batchSize,
      timing,
      signal,
      deliver: (records) => deliver({ streamArn, shardId, keyAttributeNames, records, position }),
      onEvent: onReaderEvent,
    });
    const done = reader.run().then(
      (end) => this.onReaderEnded(position, end),
      (error: unknown) => this.onReaderCrashed(position, error),
    );
    this.readers.set(shardId, { reader, done });
  }

  /** A shard read to its end is finished once every delivery of it is acknowledged; then its children start. */
  private async onReaderEnded(position: ShardPosition, end: ShardEnd): Promise<void> {
    const { shardId } = position;
    if (end === 'aborted') {
      this.readers.delete(shardId);
      return;
    }
    position.markEnded();
    await position.whenFinished(this.options.signal);
    this.readers.delete(shardId);
    if (!position.isFinished) return;
    this.failures.delete(shardId);
    this.lineage.markFinished(shardId);
    this.options.onShardFinished?.(shardId, end);
    if (end === 'closed') await this.addChildrenOf(shardId);
    this.startReadableShards();
    this.options.onShardsChanged();
  }

  /** Starts the shard's reader again after a backoff that grows while it keeps failing without progress. */
  private async onReaderCrashed(position: ShardPosition, error: unknown): Promise<void> {
    const { shardId } = position;
    this.readers.delete(shardId);
    if (this.options.signal.aborted) return;
    let failure = this.failures.get(shardId);
    if (!failure || failure.delivered !== position.delivered) {
      failure = { backoff: new Backoff(this.options.timing.retryBaseMs, this.options.timing.retryMaxMs), delivered: position.delivered };
      this.failures.set(shardId, failure);
    }
    const retryInMs = failure.backoff.next();
    this.lineage.markPending(shardId);
    this.options.onShardsChanged();
    this.options.onReaderFailure(shardId, error, retryInMs);
    await sleep(retryInMs, this.options.signal);
    this.startReadableShards();
  }

  private async addChildrenOf(shardId: string): Promise<void> {
    try {
      const children = await describeChildShards(this.options.streams, this.options.streamArn, shardId, this.options.signal);
      this.lineage.add(children);
    } catch {
      // The next periodic refresh lists every shard, children included.
    }
  }
}
