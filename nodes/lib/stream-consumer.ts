import { setMaxListeners } from 'node:events';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { sleep } from './abortable-sleep';
import { parseDynamoDbArn, type DynamoDbArn } from './arn';
import { classifyAwsError, type AwsErrorKind } from './aws-errors';
import { Backoff } from './backoff';
import type { ShardAssignment } from './position/shard-assignment';
import type { ShardPositions } from './position/shard-positions';
import { DEFAULT_READER_TIMING, type ReaderTiming, type ShardEnd } from './shard-reader';
import { describeTableStream } from './stream-discovery';
import { StreamSession, type InitialPosition, type ShardRecords } from './stream-session';

export interface ConsumerTiming extends ReaderTiming {
  /** How often the stream's shard list (and, for a table ARN, the table's latest stream) is checked again. */
  discoveryIntervalMs: number;
  /** How often a table without an enabled stream is checked again. */
  waitForStreamIntervalMs: number;
  /** How often a missing table or stream is checked again. */
  missingRecheckIntervalMs: number;
}

export const DEFAULT_CONSUMER_TIMING: ConsumerTiming = {
  ...DEFAULT_READER_TIMING,
  discoveryIntervalMs: 30_000,
  waitForStreamIntervalMs: 10_000,
  missingRecheckIntervalMs: 60_000,
};

export type ConsumerEvent =
  | { readonly type: 'connecting' }
  | { readonly type: 'waiting-for-stream'; readonly tableName: string; readonly reason: 'no-stream' | 'stream-disabled' }
  | { readonly type: 'reading'; readonly streamArn: string; readonly activeShards: number }
  | { readonly type: 'stream-changed'; readonly from?: string; readonly to: string }
  | { readonly type: 'table-missing'; readonly tableName: string }
  | { readonly type: 'stream-missing'; readonly streamArn: string }
  | { readonly type: 'stream-ended'; readonly streamArn: string }
  | {
      readonly type: 'problem';
      readonly operation: string;
      readonly kind: AwsErrorKind;
      readonly error: unknown;
      readonly shardId?: string;
      readonly retryInMs: number;
    }
  | { readonly type: 'trimmed'; readonly shardId: string; readonly afterSequenceNumber?: string; readonly error: unknown }
  | { readonly type: 'iterator-expired'; readonly shardId: string; readonly afterSequenceNumber?: string }
  | { readonly type: 'recovered' }
  | { readonly type: 'shard-finished'; readonly streamArn: string; readonly shardId: string; readonly end: ShardEnd };

export interface StreamConsumerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly arn: DynamoDbArn;
  readonly startingPosition: InitialPosition;
  readonly batchSize: number;
  readonly deliver: (batch: ShardRecords) => Promise<void> | void;
  /** Must not throw; a throw is caught and ignored. */
  readonly onEvent: (event: ConsumerEvent) => void;
  /** Every shard's position: reading resumes at checkpoints, and streams left unfinished are finished first. */
  readonly positions: ShardPositions;
  /** Which shards this node reads (default: all; a lease table shares them among workers). */
  readonly assignment?: ShardAssignment;
  readonly timing?: Partial<ConsumerTiming>;
}

/**
 * Follows a table's stream (or one given stream) and reads all of it: resolves the stream,
 * keeps its shard list current, drains a replaced stream before starting its successor.
 */
export class StreamConsumer {
  private readonly abort = new AbortController();
  private readonly timing: ConsumerTiming;
  private readonly errorBackoff: Backoff;
  private session: StreamSession | undefined;
  private readonly sessions = new Set<StreamSession>();
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sessionsStarted = 0;
  /** Set once the table had no stream to read (or did not exist): any stream found later was created after we started. */
  private waitedForStream = false;

  constructor(private readonly options: StreamConsumerOptions) {
    this.timing = { ...DEFAULT_CONSUMER_TIMING, ...options.timing };
    this.errorBackoff = new Backoff(this.timing.retryBaseMs, this.timing.retryMaxMs);
    // Every shard's pause and in-flight calls listen to this one signal: many shards are not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  start(): void {
    if (this.running) return;
    this.emit({ type: 'connecting' });
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
    await Promise.allSettled([...this.sessions].map((s) => s.waitForReaders()));
  }

  get activeShardCount(): number {
    let count = 0;
    for (const session of this.sessions) count += session.activeShardCount;
    return count;
  }

  get currentStreamArn(): string | undefined {
    return this.session?.streamArn;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Never rejects: whatever fails is reported and tried again after a backoff. */
  private async run(): Promise<void> {
    while (!this.signal.aborted) {
      let pause: number;
      try {
        pause = await this.step();
      } catch (error) {
        if (this.signal.aborted) break;
        pause = this.problem('discovery', error);
      }
      await this.pause(pause);
    }
  }

  private emit(event: ConsumerEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A failing listener must not stop reading.
    }
  }

  /** One round of discovery; returns how long to wait before the next. */
  private async step(): Promise<number> {
    const { arn } = this.options;
    let target = arn.streamArn;
    if (!target) {
      const resolved = await this.resolveTableStream();
      if (typeof resolved === 'number') return resolved;
      target = resolved;
    }
    if (!this.session) await this.resumeUnfinishedCheckpointedStream(target);
    this.forgetDrainedPredecessors();
    if (this.session?.streamArn !== target) {
      if (this.session && !this.session.drained) {
        await this.refreshSession(this.session);
        if (!this.session.drained) return this.timing.discoveryIntervalMs;
      }
      await this.openSession(target);
    }
    const session = this.session as StreamSession;
    const refreshed = await this.refreshSession(session);
    if (refreshed !== undefined) return refreshed;
    if (session.drained) {
      if (arn.streamArn) {
        this.emit({ type: 'stream-ended', streamArn: session.streamArn });
      } else {
        this.emit({ type: 'waiting-for-stream', tableName: arn.tableName, reason: 'stream-disabled' });
      }
      return this.timing.waitForStreamIntervalMs;
    }
    return this.timing.discoveryIntervalMs;
  }

  private forgetDrainedPredecessors(): void {
    for (const session of this.sessions) {
      if (session !== this.session && session.drained) {
        this.sessions.delete(session);
        this.options.positions.forgetStream(session.streamArn);
      }
    }
  }

  /**
   * Checkpoints of an older stream of the same table (replaced while the node was stopped):
   * that stream is read to its end first. Checkpoints of other tables' streams are dropped.
   */
  private async resumeUnfinishedCheckpointedStream(target: string): Promise<void> {
    const { positions } = this.options;
    for (const streamArn of positions.savedStreams()) {
      if (streamArn === target) continue;
      let sameTable = false;
      try {
        sameTable = !this.options.arn.streamArn && parseDynamoDbArn(streamArn).tableName === this.options.arn.tableName;
      } catch {
        sameTable = false;
      }
      if (sameTable && !this.session) await this.openSession(streamArn);
      else positions.forgetStream(streamArn);
    }
  }

  /** The table's latest stream ARN, or the time to wait when there is none to read. */
  private async resolveTableStream(): Promise<string | number> {
    const { arn } = this.options;
    try {
      const table = await describeTableStream(this.options.dynamodb, arn.tableName, this.signal);
      this.errorBackoff.reset();
      if (!table.latestStreamArn) {
        this.waitedForStream = true;
        this.emit({ type: 'waiting-for-stream', tableName: arn.tableName, reason: 'no-stream' });
        return this.timing.waitForStreamIntervalMs;
      }
      if (!table.streamEnabled && !this.session) {
        // A disabled stream keeps its records for 24 hours: read them when asked to start at TRIM_HORIZON.
        if (this.options.startingPosition === 'LATEST') {
          this.waitedForStream = true;
          this.emit({ type: 'waiting-for-stream', tableName: arn.tableName, reason: 'stream-disabled' });
          return this.timing.waitForStreamIntervalMs;
        }
      }
      return table.latestStreamArn;
    } catch (error) {
      if (this.signal.aborted) return 0;
      if (classifyAwsError(error) === 'not-found') {
        this.waitedForStream = true;
        this.emit({ type: 'table-missing', tableName: arn.tableName });
        return this.timing.missingRecheckIntervalMs;
      }
      return this.problem('DescribeTable', error);
    }
  }

  private async openSession(streamArn: string): Promise<void> {
    const previous = this.session?.streamArn;
    // startingPosition applies only to a stream never read before and found at start: a stream
    // created while we run (or waited for), and shards new since a checkpoint, are read from their start.
    const foundAtStart = this.sessionsStarted === 0 && !this.waitedForStream;
    const neverRead = this.options.positions.saved(streamArn).size === 0;
    const initialPosition = foundAtStart && neverRead ? this.options.startingPosition : 'TRIM_HORIZON';
    this.sessionsStarted += 1;
    const session: StreamSession = new StreamSession({
      streams: this.options.streams,
      streamArn,
      initialPosition,
      positions: this.options.positions,
      ...(this.options.assignment ? { assignment: this.options.assignment } : {}),
      onAssignmentProblem: (error) => this.problem('lease table', error),
      batchSize: this.options.batchSize,
      timing: this.timing,
      signal: this.signal,
      deliver: this.options.deliver,
      onReaderEvent: (event) => {
        if (event.type === 'error') {
          this.emit({
            type: 'problem',
            operation: event.operation,
            kind: event.kind,
            error: event.error,
            shardId: event.shardId,
            retryInMs: event.retryInMs,
          });
        } else if (event.type === 'recovered') {
          this.emit({ type: 'recovered' });
        } else {
          this.emit(event);
        }
      },
      onShardsChanged: () => this.reportReading(session),
      onReaderFailure: (shardId, error, retryInMs) => {
        this.emit({ type: 'problem', operation: 'deliver', kind: 'unknown', error, shardId, retryInMs });
      },
      onShardFinished: (shardId, end) => this.emit({ type: 'shard-finished', streamArn, shardId, end }),
    });
    this.sessions.add(session);
    this.session = session;
    if (previous || this.sessionsStarted > 1) this.emit({ type: 'stream-changed', from: previous, to: streamArn });
  }

  /** Returns undefined on success, or the pause before retrying. */
  private async refreshSession(session: StreamSession): Promise<number | undefined> {
    try {
      const shardIds = await session.refresh();
      this.options.positions.retainShards(session.streamArn, shardIds);
      this.errorBackoff.reset();
      this.reportReading(session);
      return undefined;
    } catch (error) {
      if (this.signal.aborted) return 0;
      if (classifyAwsError(error) === 'not-found') {
        session.markGone();
        if (session !== this.session || !this.options.arn.streamArn) this.options.positions.forgetStream(session.streamArn);
        this.emit({ type: 'stream-missing', streamArn: session.streamArn });
        return this.options.arn.streamArn ? this.timing.missingRecheckIntervalMs : this.timing.waitForStreamIntervalMs;
      }
      return this.problem('DescribeStream', error);
    }
  }

  private reportReading(session: StreamSession): void {
    if (this.signal.aborted || session !== this.session || session.drained) return;
    this.emit({ type: 'reading', streamArn: session.streamArn, activeShards: this.activeShardCount });
  }

  private problem(operation: string, error: unknown, retryInMs = this.errorBackoff.next()): number {
    this.emit({ type: 'problem', operation, kind: classifyAwsError(error), error, retryInMs });
    return retryInMs;
  }

  private async pause(ms: number): Promise<void> {
    if (this.signal.aborted) return;
    const wakeUp = new AbortController();
    this.wake = () => wakeUp.abort();
    const onStop = (): void => wakeUp.abort();
    this.signal.addEventListener('abort', onStop, { once: true });
    await sleep(ms, wakeUp.signal);
    this.signal.removeEventListener('abort', onStop);
    this.wake = undefined;
  }
}
