import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type GetRecordsCommandOutput,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { sleep } from './abortable-sleep';
import { classifyAwsError, type AwsErrorKind } from './aws-errors';
import { Backoff, IdlePollDelay } from './backoff';
import { withGetRecordsFastPath } from './get-records-fast-path';
import type { ShardPosition, StartPosition } from './position/shard-position';

export type { StartPosition };

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
  | {
      readonly type: 'error';
      readonly shardId: string;
      readonly operation: ReaderOperation;
      readonly kind: AwsErrorKind;
      readonly error: unknown;
      readonly retryInMs: number;
    }
  | { readonly type: 'trimmed'; readonly shardId: string; readonly afterSequenceNumber?: string; readonly error: unknown }
  | { readonly type: 'iterator-expired'; readonly shardId: string; readonly afterSequenceNumber?: string }
  | { readonly type: 'recovered'; readonly shardId: string };

export type ReaderOperation = 'GetShardIterator' | 'GetRecords';

/** How a reader stopped: its shard closed and was read to the end, it no longer exists, or the reader was stopped. */
export type ShardEnd = 'closed' | 'gone' | 'aborted';

type GetRecordsPage = GetRecordsCommandOutput;

/** A GetRecords call made ahead, while the page before was being parsed or delivered. */
interface ReadAhead {
  readonly iterator: string;
  readonly outcome: Promise<{ readonly page: GetRecordsPage } | { readonly error: unknown }>;
}

export interface ShardReaderOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly shardId: string;
  /** The shard's position: where to start, what was delivered. */
  readonly position: ShardPosition;
  readonly batchSize: number;
  readonly signal: AbortSignal;
  readonly timing: ReaderTiming;
  /**
   * Called with each non-empty page, in order; the next call waits until a returned promise
   * settles (e.g. for acknowledgements). Meanwhile the reader has asked for the following page
   * (read-ahead): it holds at most that one page beyond the one being delivered.
   */
  readonly deliver: (records: _Record[]) => Promise<void> | void;
  readonly onEvent: (event: ShardReaderEvent) => void;
}

/** The GetRecords loop of one shard. */
export class ShardReader {
  private iterator: string | undefined;
  private restartAtTrimHorizon = false;
  /** A trimmed-data error came and no page was read since: the next one is backed off, not reported again. */
  private trimmedWithoutProgress = false;
  private failing = false;
  private readonly errorBackoff: Backoff;
  private readonly fatalBackoff: Backoff;
  /** Waits between attempts while trimmed-data errors persist; reset once a page is read. */
  private readonly trimmedBackoff: Backoff;
  private readonly idleDelay: IdlePollDelay;
  private readAhead: ReadAhead | undefined;
  /** The call whose error the reader is handling. */
  private failedOperation: ReaderOperation = 'GetRecords';

  constructor(private readonly options: ShardReaderOptions) {
    const { timing } = options;
    this.errorBackoff = new Backoff(timing.retryBaseMs, timing.retryMaxMs);
    this.fatalBackoff = new Backoff(timing.retryBaseMs, timing.fatalRetryMaxMs);
    this.trimmedBackoff = new Backoff(timing.retryBaseMs, timing.retryMaxMs);
    this.idleDelay = new IdlePollDelay(timing.idlePollFirstMs, timing.idlePollMaxMs);
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
            onEvent({ type: 'iterator-expired', shardId, afterSequenceNumber: this.options.position.delivered });
            this.iterator = undefined;
            break;
          case 'trimmed':
            await this.onTrimmed(error);
            break;
          case 'not-found':
            return 'gone';
          case 'invalid-request': {
            const retryInMs = this.fatalBackoff.next();
            this.failing = true;
            onEvent({ type: 'error', shardId, operation: this.failedOperation, kind: 'invalid-request', error, retryInMs });
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

  /**
   * Records are gone (24-hour retention) or, for a persisting error, unreadable: reading starts over
   * at TRIM_HORIZON. The gap is reported once; a repeat before any page was read is backed off.
   */
  private async onTrimmed(error: unknown): Promise<void> {
    const { shardId, signal, onEvent } = this.options;
    this.iterator = undefined;
    this.restartAtTrimHorizon = true;
    if (!this.trimmedWithoutProgress) {
      this.trimmedWithoutProgress = true;
      onEvent({ type: 'trimmed', shardId, afterSequenceNumber: this.options.position.delivered, error });
      return;
    }
    const retryInMs = this.trimmedBackoff.next();
    this.failing = true;
    onEvent({ type: 'error', shardId, operation: this.failedOperation, kind: 'trimmed', error, retryInMs });
    await sleep(retryInMs, signal);
  }

  /** Reads one page and delivers its records; true when the shard is closed and read to its end. */
  private async readOnePage(): Promise<boolean> {
    const { signal } = this.options;
    if (!this.iterator) {
      const position = this.restartAtTrimHorizon ? ({ type: 'TRIM_HORIZON' } as const) : this.options.position.iteratorStart();
      this.iterator = await this.retryingTransientErrors('GetShardIterator', () => this.getIterator(position));
      this.restartAtTrimHorizon = false;
    }
    const page = await this.nextPage(this.iterator);
    if (this.trimmedWithoutProgress) {
      this.trimmedWithoutProgress = false;
      this.trimmedBackoff.reset();
    }
    const records = this.withoutDelivered(page.Records ?? []);
    const next = page.NextShardIterator;
    // A read-ahead started from the raw body must have asked for the iterator the SDK parsed.
    if (this.readAhead && this.readAhead.iterator !== next) this.readAhead = undefined;
    if (records.length > 0) {
      if (next && !this.readAhead) await this.startReadAhead(next);
      await this.deliver(records);
    }
    if (!next) return true;
    this.iterator = next;
    // A page whose records were all skipped is not a sign of an idle shard.
    const hadRecords = (page.Records?.length ?? 0) > 0;
    await sleep(hadRecords ? this.idleDelay.afterRecords() : this.idleDelay.afterEmptyPage(), signal);
    return false;
  }

  /** Hands the records on; the position then knows them delivered. A failure names the record it stopped at. */
  private async deliver(records: _Record[]): Promise<void> {
    const { position } = this.options;
    try {
      await this.options.deliver(records);
    } catch (error) {
      if (this.options.signal.aborted) throw error;
      const failed = records.find((r) => !position.isBehind(r.dynamodb?.SequenceNumber, undefined)) ?? records[0];
      const sequenceNumber = failed.dynamodb?.SequenceNumber ?? '?';
      position.markFailedAt(sequenceNumber);
      throw new RecordDeliveryError(this.options.shardId, sequenceNumber, error);
    }
    const last = records[records.length - 1].dynamodb?.SequenceNumber;
    if (last) position.markDelivered(last);
  }

  /** The page at `iterator`: the read-ahead's when it asked for that one, else a new call. */
  private nextPage(iterator: string): Promise<GetRecordsPage> {
    const ahead = this.readAhead;
    this.readAhead = undefined;
    const call = (): Promise<GetRecordsPage> => this.getRecords(iterator);
    if (ahead?.iterator !== iterator) return this.retryingTransientErrors('GetRecords', call);
    // A failed read-ahead counts as the first attempt: its error is handled (backed off, or rethrown) as any.
    const first = ahead.outcome.then((outcome) => ('page' in outcome ? outcome.page : Promise.reject(outcome.error)));
    return this.retryingTransientErrors('GetRecords', call, first);
  }

  /**
   * Asks for the next page now, so that DynamoDB prepares it while this page is delivered; waits one
   * turn of the event loop so the request leaves before the delivery's synchronous work begins.
   */
  private async startReadAhead(iterator: string): Promise<void> {
    this.readAhead = this.readAheadOf(iterator);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private readAheadOf(iterator: string): ReadAhead {
    const outcome = this.getRecords(iterator).then(
      (page) => ({ page }),
      (error: unknown) => ({ error }),
    );
    return { iterator, outcome };
  }

  /**
   * The next iterator, read from a response body before the SDK parsed it (only for pages with
   * records): asks for that page at once when the reader would do so right after this one anyway.
   */
  private onNextIteratorEarly(iterator: string): void {
    if (this.readAhead || this.options.signal.aborted) return;
    this.readAhead = this.readAheadOf(iterator);
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

  private getRecords(iterator: string): Promise<GetRecordsPage> {
    const { streams, batchSize, signal } = this.options;
    const command = withGetRecordsFastPath(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }), (next) =>
      this.onNextIteratorEarly(next),
    );
    return streams.send(command, { abortSignal: signal });
  }

  /**
   * After recovering at TRIM_HORIZON, records already delivered come again: drop them; and, for a
   * position that began at LATEST, those created before it began.
   */
  private withoutDelivered(records: _Record[]): _Record[] {
    const { position } = this.options;
    if (records.length === 0 || !position.isBehind(records[0].dynamodb?.SequenceNumber, records[0].dynamodb?.ApproximateCreationDateTime)) {
      return records;
    }
    return records.filter((r) => !position.isBehind(r.dynamodb?.SequenceNumber, r.dynamodb?.ApproximateCreationDateTime));
  }

  /**
   * Repeats a call through throttling, network and server errors (and, more slowly, through
   * errors only the user can fix) with jittered backoff. Rethrows what the caller must handle.
   */
  private async retryingTransientErrors<T>(operation: ReaderOperation, call: () => Promise<T>, firstAttempt?: Promise<T>): Promise<T> {
    const { signal, shardId, onEvent } = this.options;
    let attempt = firstAttempt;
    for (;;) {
      try {
        const result = await (attempt ?? call());
        if (this.failing) {
          this.failing = false;
          onEvent({ type: 'recovered', shardId });
        }
        this.errorBackoff.reset();
        this.fatalBackoff.reset();
        return result;
      } catch (error) {
        attempt = undefined;
        this.failedOperation = operation;
        const kind = classifyAwsError(error);
        if (signal.aborted || RETHROWN.has(kind)) throw error;
        const userMustFix = kind === 'access-denied' || kind === 'bad-credentials';
        const retryInMs = (userMustFix ? this.fatalBackoff : this.errorBackoff).next();
        this.failing = true;
        onEvent({ type: 'error', shardId, operation, kind, error, retryInMs });
        await sleep(retryInMs, signal);
        if (signal.aborted) throw error;
      }
    }
  }
}

const RETHROWN = new Set<AwsErrorKind>(['aborted', 'expired-iterator', 'trimmed', 'not-found', 'invalid-request']);

/** Delivering a record failed (e.g. it could not be mapped): names the record, keeps the cause. */
export class RecordDeliveryError extends Error {
  constructor(
    readonly shardId: string,
    readonly sequenceNumber: string,
    override readonly cause: unknown,
  ) {
    super(`Record ${sequenceNumber} of shard ${shardId} could not be delivered: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RecordDeliveryError';
  }
}
