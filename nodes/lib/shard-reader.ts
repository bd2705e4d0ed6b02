import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { sleep } from './abortable-sleep';
import { classifyAwsError, type AwsErrorKind } from './aws-errors';
import { Backoff, IdlePollDelay } from './backoff';
import { compareSequenceNumbers } from './sequence-number';

export type StartPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

export interface ReaderTiming {
  /** First wait after an empty page; doubles up to idlePollMaxMs while the shard stays idle. */
  idlePollFirstMs: number;
  idlePollMaxMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Ceiling for waits after errors only the user can fix (access denied, bad credentials). */
  fatalRetryMaxMs: number;
}

export const DEFAULT_READER_TIMING: ReaderTiming = {
  idlePollFirstMs: 100,
  idlePollMaxMs: 1_000,
  retryBaseMs: 250,
  retryMaxMs: 15_000,
  fatalRetryMaxMs: 60_000,
};

export type ShardReaderEvent =
  | { readonly type: 'error'; readonly shardId: string; readonly kind: AwsErrorKind; readonly error: unknown; readonly retryInMs: number }
  | { readonly type: 'trimmed'; readonly shardId: string; readonly afterSequenceNumber?: string; readonly error: unknown }
  | { readonly type: 'iterator-expired'; readonly shardId: string; readonly afterSequenceNumber?: string }
  | { readonly type: 'recovered'; readonly shardId: string };

/** How a reader stopped: its shard closed and was read to the end, it no longer exists, or the reader was stopped. */
export type ShardEnd = 'closed' | 'gone' | 'aborted';

export interface ShardReaderOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly shardId: string;
  readonly start: StartPosition;
  readonly batchSize: number;
  readonly signal: AbortSignal;
  readonly timing: ReaderTiming;
  /** Called with each non-empty page, in order; the next GetRecords waits for it. */
  readonly deliver: (records: _Record[]) => Promise<void> | void;
  readonly onEvent: (event: ShardReaderEvent) => void;
}

/** The GetRecords loop of one shard. */
export class ShardReader {
  private lastSequenceNumber: string | undefined;
  /** First sequence number of the page being delivered, until its delivery succeeds. */
  private deliveringFrom: string | undefined;
  private iterator: string | undefined;
  private restartAtTrimHorizon = false;
  private failing = false;
  private readonly errorBackoff: Backoff;
  private readonly fatalBackoff: Backoff;
  private readonly idleDelay: IdlePollDelay;

  constructor(private readonly options: ShardReaderOptions) {
    const { timing } = options;
    this.errorBackoff = new Backoff(timing.retryBaseMs, timing.retryMaxMs);
    this.fatalBackoff = new Backoff(timing.retryBaseMs, timing.fatalRetryMaxMs);
    this.idleDelay = new IdlePollDelay(timing.idlePollFirstMs, timing.idlePollMaxMs);
    if (options.start.type === 'AFTER_SEQUENCE_NUMBER') this.lastSequenceNumber = options.start.sequenceNumber;
  }

  /** Sequence number of the last record delivered (or of the position it started after). */
  get position(): string | undefined {
    return this.lastSequenceNumber;
  }

  /**
   * Where a new reader goes on without loss or repeat: after the last delivered record, or at the
   * first record of a page whose delivery failed (a reader started at LATEST has no other position).
   */
  get resumePosition(): StartPosition | undefined {
    if (this.lastSequenceNumber) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
    if (this.deliveringFrom) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: this.deliveringFrom };
    return undefined;
  }

  async run(): Promise<ShardEnd> {
    const { signal, shardId, onEvent } = this.options;
    while (!signal.aborted) {
      try {
        const ended = await this.readOnePage();
        if (ended) return 'closed';
      } catch (error) {
        if (signal.aborted) break;
        switch (classifyAwsError(error)) {
          case 'expired-iterator':
            onEvent({ type: 'iterator-expired', shardId, afterSequenceNumber: this.lastSequenceNumber });
            this.iterator = undefined;
            break;
          case 'trimmed':
            onEvent({ type: 'trimmed', shardId, afterSequenceNumber: this.lastSequenceNumber, error });
            this.iterator = undefined;
            this.restartAtTrimHorizon = true;
            break;
          case 'not-found':
            return 'gone';
          case 'invalid-request': {
            const retryInMs = this.fatalBackoff.next();
            this.failing = true;
            onEvent({ type: 'error', shardId, kind: 'invalid-request', error, retryInMs });
            this.iterator = undefined;
            await sleep(retryInMs, signal);
            break;
          }
          default:
            throw error;
        }
      }
    }
    return 'aborted';
  }

  /** Reads one page and delivers its records; true when the shard is closed and read to its end. */
  private async readOnePage(): Promise<boolean> {
    const { signal } = this.options;
    if (!this.iterator) {
      const position = this.nextPosition();
      this.iterator = await this.retryingTransientErrors(() => this.getIterator(position));
      this.restartAtTrimHorizon = false;
    }
    const iterator = this.iterator;
    const page = await this.retryingTransientErrors(() => this.getRecords(iterator));
    const records = this.withoutDelivered(page.Records ?? []);
    if (records.length > 0) {
      this.deliveringFrom = records[0].dynamodb?.SequenceNumber;
      await this.options.deliver(records);
      this.deliveringFrom = undefined;
      this.lastSequenceNumber = records[records.length - 1].dynamodb?.SequenceNumber ?? this.lastSequenceNumber;
    }
    if (!page.NextShardIterator) return true;
    this.iterator = page.NextShardIterator;
    await sleep(records.length > 0 ? this.idleDelay.afterRecords() : this.idleDelay.afterEmptyPage(), signal);
    return false;
  }

  private nextPosition(): StartPosition {
    if (this.restartAtTrimHorizon) return { type: 'TRIM_HORIZON' };
    if (this.lastSequenceNumber) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber };
    return this.options.start;
  }

  private async getIterator(position: StartPosition): Promise<string> {
    const { streams, streamArn, shardId, signal } = this.options;
    const response = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...('sequenceNumber' in position ? { SequenceNumber: position.sequenceNumber } : {}),
      }),
      { abortSignal: signal },
    );
    if (!response.ShardIterator) throw Object.assign(new Error(`No iterator for shard ${shardId}`), { name: 'ResourceNotFoundException' });
    return response.ShardIterator;
  }

  private getRecords(iterator: string) {
    const { streams, batchSize, signal } = this.options;
    return streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }), { abortSignal: signal });
  }

  /** After recovering at TRIM_HORIZON, records already delivered come again: drop them. */
  private withoutDelivered(records: _Record[]): _Record[] {
    const last = this.lastSequenceNumber;
    if (!last || records.length === 0) return records;
    const first = records[0].dynamodb?.SequenceNumber;
    if (!first || compareSequenceNumbers(first, last) > 0) return records;
    return records.filter((r) => !r.dynamodb?.SequenceNumber || compareSequenceNumbers(r.dynamodb.SequenceNumber, last) > 0);
  }

  /**
   * Repeats a call through throttling, network and server errors (and, more slowly, through
   * errors only the user can fix) with jittered backoff. Rethrows what the caller must handle.
   */
  private async retryingTransientErrors<T>(call: () => Promise<T>): Promise<T> {
    const { signal, shardId, onEvent } = this.options;
    for (;;) {
      try {
        const result = await call();
        if (this.failing) {
          this.failing = false;
          onEvent({ type: 'recovered', shardId });
        }
        this.errorBackoff.reset();
        this.fatalBackoff.reset();
        return result;
      } catch (error) {
        const kind = classifyAwsError(error);
        if (signal.aborted || RETHROWN.has(kind)) throw error;
        const userMustFix = kind === 'access-denied' || kind === 'bad-credentials';
        const retryInMs = (userMustFix ? this.fatalBackoff : this.errorBackoff).next();
        this.failing = true;
        onEvent({ type: 'error', shardId, kind, error, retryInMs });
        await sleep(retryInMs, signal);
        if (signal.aborted) throw error;
      }
    }
  }
}

const RETHROWN = new Set<AwsErrorKind>(['aborted', 'expired-iterator', 'trimmed', 'not-found', 'invalid-request']);
