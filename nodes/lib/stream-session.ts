import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import { ShardLineage } from './shard-lineage';
import { ShardReader, type ReaderTiming, type ShardEnd, type ShardReaderEvent, type StartPosition } from './shard-reader';
import { describeChildShards, describeStream, type ShardInfo, type StreamSnapshot } from './stream-discovery';

export type InitialPosition = 'LATEST' | 'TRIM_HORIZON';

export interface ShardRecords {
  readonly streamArn: string;
  readonly shardId: string;
  readonly keyAttributeNames: readonly string[];
  readonly records: _Record[];
}

export interface StreamSessionOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Where to start the shards present at the first discovery that have no saved position. */
  readonly initialPosition: InitialPosition;
  /** Saved positions: the sequence number each shard may resume after. */
  readonly savedPositions: ReadonlyMap<string, string>;
  readonly batchSize: number;
  readonly timing: ReaderTiming;
  readonly signal: AbortSignal;
  readonly deliver: (batch: ShardRecords) => Promise<void> | void;
  readonly onReaderEvent: (event: ShardReaderEvent) => void;
  readonly onShardsChanged: () => void;
  readonly onReaderFailure: (shardId: string, error: unknown) => void;
  /** Called after a shard has been read to its end (or vanished), before its children start. */
  readonly onShardFinished?: (shardId: string, end: ShardEnd) => void;
}

/** Reads one stream: discovers its shards and runs one reader per readable shard, parents before children. */
export class StreamSession {
  private readonly lineage = new ShardLineage();
  private readonly readers = new Map<string, { reader: ShardReader; done: Promise<void> }>();
  private readonly resumeAfter = new Map<string, string>();
  /** Where readers that crashed start again. */
  private readonly restartAt = new Map<string, StartPosition>();
  private snapshot: StreamSnapshot | undefined;
  private discoveredOnce = false;
  private gone = false;

  constructor(private readonly options: StreamSessionOptions) {
    for (const [shardId, sequenceNumber] of options.savedPositions) this.resumeAfter.set(shardId, sequenceNumber);
  }

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

  private skipClosedShardsWhenStartingAtLatest(shards: ShardInfo[]): void {
    if (this.options.initialPosition !== 'LATEST') return;
    for (const shard of shards) {
      if (shard.endingSequenceNumber && !this.resumeAfter.has(shard.shardId)) this.lineage.markFinished(shard.shardId);
    }
  }

  private startReadableShards(): void {
    if (this.options.signal.aborted) return;
    let started = false;
    for (const shard of this.lineage.readable()) {
      this.lineage.markReading(shard.shardId);
      this.startReader(shard.shardId, this.startPositionFor(shard.shardId));
      started = true;
    }
    if (started) this.options.onShardsChanged();
  }

  private startPositionFor(shardId: string): StartPosition {
    const restart = this.restartAt.get(shardId);
    if (restart) return restart;
    const after = this.resumeAfter.get(shardId);
    if (after) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after };
    const presentAtStart = this.lineage.wasInFirstDiscovery(shardId);
    return presentAtStart && this.options.initialPosition === 'LATEST' ? { type: 'LATEST' } : { type: 'TRIM_HORIZON' };
  }

  private startReader(shardId: string, start: StartPosition): void {
    const { streams, streamArn, batchSize, timing, signal, deliver, onReaderEvent } = this.options;
    const keyAttributeNames = this.snapshot?.keyAttributeNames ?? [];
    const reader = new ShardReader({
      streams,
      streamArn,
      shardId,
      start,
      batchSize,
      timing,
      signal,
      deliver: (records) => deliver({ streamArn, shardId, keyAttributeNames, records }),
      onEvent: onReaderEvent,
    });
    const done = reader.run().then(
      (end) => this.onReaderEnded(shardId, end),
      (error: unknown) => this.onReaderCrashed(shardId, reader, error),
    );
    this.readers.set(shardId, { reader, done });
  }

  private async onReaderEnded(shardId: string, end: ShardEnd): Promise<void> {
    this.readers.delete(shardId);
    if (end === 'aborted') return;
    this.lineage.markFinished(shardId);
    this.options.onShardFinished?.(shardId, end);
    if (end === 'closed') await this.addChildrenOf(shardId);
    this.startReadableShards();
    this.options.onShardsChanged();
  }

  private onReaderCrashed(shardId: string, reader: ShardReader, error: unknown): void {
    this.readers.delete(shardId);
    if (this.options.signal.aborted) return;
    this.options.onReaderFailure(shardId, error);
    const resume = reader.resumePosition;
    if (resume) this.restartAt.set(shardId, resume);
    this.lineage.markPending(shardId);
    this.options.onShardsChanged();
  }

  /** Restarts readers that crashed; the consumer calls this after a pause. */
  restartPending(): void {
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
