import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import { sleep } from './abortable-sleep';
import { Backoff } from './backoff';
import type { Checkpoint } from './checkpoint/checkpoint';
import { EVERY_SHARD, type AssignmentChange, type ShardAssignment } from './position/shard-assignment';
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
  /** Which shards this node reads (default: all of them). */
  readonly assignment?: ShardAssignment;
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
  /** Called when the assignment could not be asked (e.g. the lease table failed); the next change or discovery asks again. */
  readonly onAssignmentProblem?: (error: unknown) => void;
}

/** Reads one stream: discovers its shards and runs one reader per readable shard, parents before children. */
export class StreamSession {
  private readonly lineage = new ShardLineage();
  private readonly readers = new Map<string, { reader: ShardReader; stop: AbortController; done: Promise<void> }>();
  private readonly assignment: ShardAssignment;
  private readonly stopListening: () => void;
  /** Shared streams: a pass over the assigned shards is running, and another was asked for meanwhile. */
  private startingAssigned = false;
  private startAgain = false;
  /** Shards whose reader failed: how long the next restart waits, and what was delivered at the last failure. */
  private readonly failures = new Map<string, { backoff: Backoff; delivered: string | undefined }>();
  private snapshot: StreamSnapshot | undefined;
  private discoveredOnce = false;
  private gone = false;

  constructor(private readonly options: StreamSessionOptions) {
    this.assignment = options.assignment ?? EVERY_SHARD;
    this.stopListening = this.assignment.onChange((change) => this.onAssignmentChange(change));
    options.signal.addEventListener('abort', () => this.stopListening(), { once: true });
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
    if (this.assignment.shared) return this.readers.size === 0 && this.lineage.allClosed() && this.assignment.streamFinished(this.streamArn);
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
    const first = !this.discoveredOnce;
    this.discoveredOnce = true;
    if (this.assignment.shared) {
      await this.assignment.register(this.streamArn, snapshot.shards, (shard) =>
        first && this.startsAtLatest(shard) && shard.endingSequenceNumber ? { kind: 'SHARD_END' } : this.chooseStart(shard.shardId),
      );
    } else if (first) {
      this.skipClosedShardsWhenStartingAtLatest(added);
    }
    await this.startReadableShards();
    return new Set(snapshot.shards.map((shard) => shard.shardId));
  }

  private startsAtLatest(shard: ShardInfo): boolean {
    return this.options.initialPosition === 'LATEST' && this.lineage.wasInFirstDiscovery(shard.shardId);
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

  private async startReadableShards(): Promise<void> {
    if (this.options.signal.aborted) return;
    if (this.assignment.shared) return this.startAssignedShards();
    let started = false;
    for (const shard of this.lineage.readable()) started = this.startShard(shard) || started;
    if (started) this.options.onShardsChanged();
    // Finished shards found above may have made their children readable.
    if (this.lineage.readable().length > 0) await this.startReadableShards();
  }

  /** Shared stream: starts the shards this worker holds whose parents are finished (by any worker); one pass at a time. */
  private async startAssignedShards(): Promise<void> {
    if (this.startingAssigned) {
      this.startAgain = true;
      return;
    }
    this.startingAssigned = true;
    try {
      do {
        this.startAgain = false;
        for (const shard of this.lineage.pending()) {
          if (this.options.signal.aborted) return;
          if (!this.assignment.holds(this.streamArn, shard.shardId)) continue;
          if (!(await this.assignment.mayStart(this.streamArn, shard)) || this.lineage.state(shard.shardId) !== 'pending') continue;
          if (this.startShard(shard)) this.options.onShardsChanged();
        }
      } while (this.startAgain && !this.options.signal.aborted);
    } catch (error) {
      this.options.onAssignmentProblem?.(error);
    } finally {
      this.startingAssigned = false;
    }
  }

  /** Starts a reader at the shard's position; false when its position says it is finished already. */
  private startShard(shard: ShardInfo): boolean {
    const position = this.positionOf(shard.shardId, () => this.chooseStart(shard.shardId));
    if (position.isFinished) {
      this.lineage.markFinished(shard.shardId);
      return false;
    }
    this.lineage.markReading(shard.shardId);
    this.startReader(position);
    return true;
  }

  private onAssignmentChange(change: AssignmentChange): void {
    if (change.streamArn !== this.streamArn || this.options.signal.aborted) return;
    if (change.type === 'lost') this.stopShard(change.shardId);
    else void this.startReadableShards();
  }

  /** The shard is no longer this worker's: its reader stops at once and its position is dropped. */
  private stopShard(shardId: string): void {
    this.readers.get(shardId)?.stop.abort();
    this.options.positions.revoke(this.streamArn, shardId);
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
    const stop = new AbortController();
    const onSessionStop = (): void => stop.abort();
    signal.addEventListener('abort', onSessionStop, { once: true });
    const reader = new ShardReader({
      streams,
      streamArn,
      shardId,
      position,
      batchSize,
      timing,
      signal: stop.signal,
      deliver: (records) => {
        if (!this.assignment.holds(streamArn, shardId)) return this.stopShard(shardId);
        return deliver({ streamArn, shardId, keyAttributeNames, records, position });
      },
      onEvent: onReaderEvent,
    });
    const done = reader
      .run()
      .then(
        (end) => this.onReaderEnded(position, end),
        (error: unknown) => this.onReaderCrashed(position, error),
      )
      .finally(() => signal.removeEventListener('abort', onSessionStop));
    this.readers.set(shardId, { reader, stop, done });
  }

  /** A shard read to its end is finished once every delivery of it is acknowledged; then its children start. */
  private async onReaderEnded(position: ShardPosition, end: ShardEnd): Promise<void> {
    const { shardId } = position;
    if (end !== 'aborted') {
      position.markEnded();
      await position.whenFinished(this.options.signal);
    }
    this.readers.delete(shardId);
    if (!position.isFinished) {
      // Stopped: by the node, or because the shard went to another worker (it may come back).
      this.lineage.markPending(shardId);
      this.options.onShardsChanged();
      return;
    }
    this.failures.delete(shardId);
    this.lineage.markFinished(shardId);
    this.options.onShardFinished?.(shardId, end);
    if (end === 'closed') await this.addChildrenOf(shardId);
    await this.startReadableShards();
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
    this.options.onShardsChanged();
    this.options.onReaderFailure(shardId, error, retryInMs);
    // Still 'reading' in the lineage while it waits, so that a discovery pass does not restart it sooner.
    await sleep(retryInMs, this.options.signal);
    this.lineage.markPending(shardId);
    await this.startReadableShards();
  }

  private async addChildrenOf(shardId: string): Promise<void> {
    try {
      const children = await describeChildShards(this.options.streams, this.options.streamArn, shardId, this.options.signal);
      this.lineage.add(children);
      if (this.assignment.shared) await this.assignment.register(this.streamArn, children, (child) => this.chooseStart(child.shardId));
    } catch {
      // The next periodic refresh lists every shard, children included.
    }
  }
}
