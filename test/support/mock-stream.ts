/**
 * An in-memory model of DynamoDB tables and their streams, wired into `aws-sdk-client-mock` stubs of
 * one DynamoDBStreamsClient and one DynamoDBClient. It answers DescribeStream (pages of at most 100
 * shards, ShardFilter CHILD_SHARDS), GetShardIterator, GetRecords and DescribeTable the way the
 * service does, including the parts DynamoDB Local cannot show on demand: splits, trimming, expired
 * iterators, throttling, access denied, calls that hang until aborted.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  type DescribeTableCommandInput,
  type DescribeTableCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  DynamoDBStreamsServiceException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DescribeStreamCommandInput,
  type DescribeStreamCommandOutput,
  type GetRecordsCommandInput,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type GetShardIteratorCommandOutput,
  type Shard,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { ShardRecords } from '../../nodes/lib/stream-session';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export type Operation = 'DescribeStream' | 'GetShardIterator' | 'GetRecords' | 'DescribeTable';

export type AwsErrorName =
  | 'ExpiredIteratorException'
  | 'TrimmedDataAccessException'
  | 'LimitExceededException'
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'ResourceNotFoundException'
  | 'AccessDeniedException'
  | 'ValidationException'
  | 'InternalServerError'
  | 'UnrecognizedClientException';

const ACTION_OF: Record<Operation, string> = {
  DescribeStream: 'dynamodb:DescribeStream',
  GetShardIterator: 'dynamodb:GetShardIterator',
  GetRecords: 'dynamodb:GetRecords',
  DescribeTable: 'dynamodb:DescribeTable',
};

const DEFAULT_MESSAGES: Record<AwsErrorName, string> = {
  ExpiredIteratorException: 'Iterator expired. The iterator was created at time … while right now it is …',
  TrimmedDataAccessException: 'The operation attempted to read past the oldest stream record in a shard.',
  LimitExceededException: 'Rate exceeded for shard',
  ProvisionedThroughputExceededException: 'The level of configured provisioned throughput for the table was exceeded.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
  ResourceNotFoundException: 'Requested resource not found',
  AccessDeniedException: 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: dynamodb:GetRecords on resource: …',
  ValidationException: 'Invalid request',
  InternalServerError: 'Internal server error',
  UnrecognizedClientException: 'The security token included in the request is invalid.',
};

/** An error shaped like the SDK v3's service exceptions: `name`, `message`, `$fault`, `$metadata.httpStatusCode`. */
export function awsError(name: AwsErrorName | string, message?: string, httpStatusCode?: number): Error {
  const status = httpStatusCode ?? (name === 'InternalServerError' ? 500 : 400);
  return new DynamoDBStreamsServiceException({
    name,
    message: message ?? DEFAULT_MESSAGES[name as AwsErrorName] ?? name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: `req-${name}`, attempts: 1, totalRetryDelay: 0 },
  });
}

/** The AccessDeniedException DynamoDB answers when the caller's policy lacks `action`. */
export function accessDenied(action = 'dynamodb:GetRecords', resource = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders/stream/x`): Error {
  return awsError(
    'AccessDeniedException',
    `User: arn:aws:iam::${ACCOUNT}:user/x is not authorized to perform: ${action} on resource: ${resource}`,
  );
}

/** What the SDK's HTTP handler rejects with when the request's abortSignal fires. */
export function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

export function tableArnOf(tableName: string): string {
  return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`;
}

export interface FakeShard {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly startingSequenceNumber: string;
  endingSequenceNumber?: string;
  readonly records: _Record[];
  /** How many of the oldest records have aged out (24-hour retention). */
  trimmed: number;
}

export interface CallRecord {
  readonly operation: Operation;
  readonly input: unknown;
  /** The shard a GetShardIterator / GetRecords call addressed, when known. */
  readonly shardId?: string;
  readonly at: number;
}

interface ErrorInjection {
  readonly operation: Operation;
  readonly error: () => Error;
  readonly shardId?: string;
  readonly when?: (input: never) => boolean;
  skip: number;
  times: number;
}

interface HangInjection {
  readonly operation: Operation;
  readonly shardId?: string;
  skip: number;
  times: number;
}

interface DecodedIterator {
  readonly streamArn: string;
  readonly shardId: string;
  readonly index: number;
  readonly generation: number;
}

export interface FakeStreamOptions {
  readonly viewType?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
  /**
   * How a closed shard ends: 'with-last-records' (default) answers its last records without a
   * NextShardIterator; 'empty-page' answers them with one and a final empty page without.
   */
  readonly closedShardEnd?: 'with-last-records' | 'empty-page';
}

/** One stream: its shards in creation order, each with its records. */
export class FakeStream {
  status: 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED' = 'ENABLED';
  readonly shards: FakeShard[] = [];

  constructor(
    private readonly aws: FakeAws,
    readonly arn: string,
    readonly tableName: string,
    readonly label: string,
    readonly options: FakeStreamOptions = {},
  ) {}

  /** Adds a shard (open) and, optionally, `records` records in it. Returns its id. */
  addShard(options: { shardId?: string; parentShardId?: string; records?: number } = {}): string {
    const shardId = options.shardId ?? this.aws.nextShardId();
    if (this.shards.some((s) => s.shardId === shardId)) throw new Error(`fake: shard ${shardId} exists`);
    this.shards.push({
      shardId,
      ...(options.parentShardId ? { parentShardId: options.parentShardId } : {}),
      startingSequenceNumber: this.aws.peekSequenceNumber(),
      records: [],
      trimmed: 0,
    });
    if (options.records) this.put(shardId, options.records);
    return shardId;
  }

  shard(shardId: string): FakeShard {
    const shard = this.shards.find((s) => s.shardId === shardId);
    if (!shard) throw new Error(`fake: no shard ${shardId}`);
    return shard;
  }

  openShards(): FakeShard[] {
    return this.shards.filter((s) => !s.endingSequenceNumber);
  }

  /** Appends `count` INSERT records to an open shard; sequence numbers increase across the whole fake. */
  put(shardId: string, count = 1): _Record[] {
    const shard = this.shard(shardId);
    if (shard.endingSequenceNumber) throw new Error(`fake: shard ${shardId} is closed`);
    const added: _Record[] = [];
    for (let i = 0; i < count; i += 1) {
      const n = shard.records.length;
      const sequenceNumber = this.aws.nextSequenceNumber();
      const key = `${shardId}/${n}`;
      const record: _Record = {
        eventID: `ev-${sequenceNumber}`,
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: REGION,
        dynamodb: {
          ApproximateCreationDateTime: new Date(),
          Keys: { pk: { S: key } },
          NewImage: { pk: { S: key }, n: { N: String(n) } },
          SequenceNumber: sequenceNumber,
          SizeBytes: 40,
          StreamViewType: this.options.viewType ?? 'NEW_AND_OLD_IMAGES',
        },
      };
      shard.records.push(record);
      added.push(record);
    }
    return added;
  }

  /** Closes a shard: it gets an EndingSequenceNumber and never another record. */
  close(shardId: string): void {
    const shard = this.shard(shardId);
    if (shard.endingSequenceNumber) return;
    const last = shard.records[shard.records.length - 1]?.dynamodb?.SequenceNumber;
    shard.endingSequenceNumber = last ?? this.aws.nextSequenceNumber();
  }

  /** Closes `parentShardId` and adds `count` open children (with `recordsPerChild` records each). */
  split(parentShardId: string, count = 2, recordsPerChild = 0): string[] {
    this.close(parentShardId);
    const children: string[] = [];
    for (let i = 0; i < count; i += 1) children.push(this.addShard({ parentShardId }));
    for (const child of children) if (recordsPerChild) this.put(child, recordsPerChild);
    return children;
  }

  /** Ages out the `count` oldest records still held by the shard. */
  trim(shardId: string, count: number): void {
    const shard = this.shard(shardId);
    shard.trimmed = Math.min(shard.records.length, shard.trimmed + count);
  }

  /** Removes a shard from the listing (aged out); its iterators then answer ResourceNotFoundException. */
  removeShard(shardId: string): void {
    const index = this.shards.findIndex((s) => s.shardId === shardId);
    if (index >= 0) this.shards.splice(index, 1);
  }

  /** Disabling a stream closes its open shards; they stay readable. */
  disable(): void {
    this.status = 'DISABLED';
    for (const shard of this.openShards()) this.close(shard.shardId);
  }

  /** The records of one shard, or of every shard in creation order. */
  records(shardId?: string): _Record[] {
    if (shardId) return [...this.shard(shardId).records];
    return this.shards.flatMap((s) => s.records);
  }

  describe(input: DescribeStreamCommandInput): DescribeStreamCommandOutput {
    const filter = input.ShardFilter;
    let listed = this.shards;
    if (filter) {
      if (filter.Type !== 'CHILD_SHARDS' || !filter.ShardId) throw awsError('ValidationException', 'ShardFilter needs Type CHILD_SHARDS and a ShardId');
      listed = this.shards.filter((s) => s.parentShardId === filter.ShardId);
    }
    let start = 0;
    if (input.ExclusiveStartShardId) {
      const index = listed.findIndex((s) => s.shardId === input.ExclusiveStartShardId);
      if (index < 0) throw awsError('ValidationException', `ExclusiveStartShardId ${input.ExclusiveStartShardId} is not a shard of the stream`);
      start = index + 1;
    }
    const limit = Math.min(input.Limit ?? 100, 100, this.aws.describePageSize);
    const page = listed.slice(start, start + limit);
    const more = start + limit < listed.length;
    return {
      $metadata: { httpStatusCode: 200 },
      StreamDescription: {
        StreamArn: this.arn,
        StreamLabel: this.label,
        StreamStatus: this.status,
        StreamViewType: this.options.viewType ?? 'NEW_AND_OLD_IMAGES',
        CreationRequestDateTime: new Date(0),
        TableName: this.tableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        Shards: page.map(
          (s): Shard => ({
            ShardId: s.shardId,
            ...(s.parentShardId ? { ParentShardId: s.parentShardId } : {}),
            SequenceNumberRange: {
              StartingSequenceNumber: s.startingSequenceNumber,
              ...(s.endingSequenceNumber ? { EndingSequenceNumber: s.endingSequenceNumber } : {}),
            },
          }),
        ),
        ...(more && page.length > 0 ? { LastEvaluatedShardId: page[page.length - 1].shardId } : {}),
      },
    };
  }
}

export interface FakeTable {
  readonly name: string;
  readonly arn: string;
  latestStreamArn?: string;
  streamEnabled: boolean;
}

/**
 * The fake account: tables, streams, the mocked clients, a log of every call, and hooks that make
 * the next calls of an operation fail or hang.
 */
export class FakeAws {
  readonly streamsClient: DynamoDBStreamsClient;
  readonly dynamodbClient: DynamoDBClient;
  readonly streamsMock: AwsClientStub<DynamoDBStreamsClient>;
  readonly dynamodbMock: AwsClientStub<DynamoDBClient>;
  readonly streams = new Map<string, FakeStream>();
  readonly tables = new Map<string, FakeTable>();
  readonly calls: CallRecord[] = [];
  /** Calls that were pending when their abortSignal fired. */
  abortedCalls = 0;
  /** DescribeStream page size (the service's is 100). */
  describePageSize = 100;
  private sequence: bigint;
  private iteratorGeneration = 0;
  private oldestValidGeneration = 0;
  private streamCounter = 0;
  private shardCounter = 0;
  private readonly errorInjections: ErrorInjection[] = [];
  private readonly hangInjections: HangInjection[] = [];
  private readonly hanging = new Set<() => void>();
  private stopped = false;

  constructor(options: { firstSequenceNumber?: string } = {}) {
    this.sequence = BigInt(options.firstSequenceNumber ?? '100000000000000000000');
    const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' };
    this.streamsClient = new DynamoDBStreamsClient({ region: REGION, credentials, maxAttempts: 1 });
    this.dynamodbClient = new DynamoDBClient({ region: REGION, credentials, maxAttempts: 1 });
    const streamsMock = mockClient(this.streamsClient);
    const dynamodbMock = mockClient(this.dynamodbClient);
    this.streamsMock = streamsMock;
    this.dynamodbMock = dynamodbMock;
    streamsMock
      .on(DescribeStreamCommand)
      .callsFake((input: DescribeStreamCommandInput) => this.handle('DescribeStream', input, this.signalOf(this.streamsMock), () => this.describeStream(input)));
    streamsMock
      .on(GetShardIteratorCommand)
      .callsFake((input: GetShardIteratorCommandInput) =>
        this.handle('GetShardIterator', input, this.signalOf(this.streamsMock), () => this.getShardIterator(input), input.ShardId),
      );
    streamsMock
      .on(GetRecordsCommand)
      .callsFake((input: GetRecordsCommandInput) =>
        this.handle('GetRecords', input, this.signalOf(this.streamsMock), () => this.getRecords(input), this.shardOfIterator(input.ShardIterator)),
      );
    dynamodbMock
      .on(DescribeTableCommand)
      .callsFake((input: DescribeTableCommandInput) => this.handle('DescribeTable', input, this.signalOf(this.dynamodbMock), () => this.describeTable(input)));
  }

  // ---------------------------------------------------------------- model

  nextSequenceNumber(): string {
    const value = this.sequence.toString();
    this.sequence += 1n;
    return value;
  }

  /** Shard ids unique across every stream of the fake, shaped like the service's. */
  nextShardId(): string {
    this.shardCounter += 1;
    return `shardId-${String(1_700_000_000_000 + this.shardCounter).padStart(20, '0')}-${(0x1000_0000 + this.shardCounter).toString(16)}`;
  }

  peekSequenceNumber(): string {
    return this.sequence.toString();
  }

  /** A stream (ENABLED, no shards yet) of `tableName`; also makes it the table's latest stream when the table exists. */
  createStream(tableName = 'orders', options: FakeStreamOptions = {}): FakeStream {
    this.streamCounter += 1;
    const label = new Date(Date.UTC(2024, 0, 1, 0, 0, this.streamCounter)).toISOString().replace('Z', '');
    const arn = `${tableArnOf(tableName)}/stream/${label}`;
    const stream = new FakeStream(this, arn, tableName, label, options);
    this.streams.set(arn, stream);
    const table = this.tables.get(tableName);
    if (table) {
      table.latestStreamArn = arn;
      table.streamEnabled = true;
    }
    return stream;
  }

  createTable(name = 'orders'): FakeTable {
    const table: FakeTable = { name, arn: tableArnOf(name), streamEnabled: false };
    this.tables.set(name, table);
    return table;
  }

  /** Disables the table's stream: it closes its shards, LatestStreamArn stays. */
  disableStream(tableName = 'orders'): void {
    const table = this.table(tableName);
    if (table.latestStreamArn) this.streams.get(table.latestStreamArn)?.disable();
    table.streamEnabled = false;
  }

  deleteTable(name = 'orders'): void {
    this.tables.delete(name);
  }

  table(name: string): FakeTable {
    const table = this.tables.get(name);
    if (!table) throw new Error(`fake: no table ${name}`);
    return table;
  }

  /** Makes every iterator handed out so far expire (as after 15 minutes). */
  expireIterators(): void {
    this.oldestValidGeneration = this.iteratorGeneration + 1;
  }

  // ---------------------------------------------------------------- hooks

  /**
   * The next `times` calls of `operation` (optionally only those addressing `shardId`) fail with
   * `error`, after letting `skip` matching calls through. `when` narrows the calls by their input.
   */
  failNext<I = never>(
    operation: Operation,
    error: AwsErrorName | (() => Error),
    options: { times?: number; skip?: number; shardId?: string; when?: (input: I) => boolean } = {},
  ): void {
    this.errorInjections.push({
      operation,
      error: typeof error === 'function' ? error : () => awsError(error, error === 'AccessDeniedException' ? accessDenied(ACTION_OF[operation]).message : undefined),
      shardId: options.shardId,
      when: options.when as ((input: never) => boolean) | undefined,
      skip: options.skip ?? 0,
      times: options.times ?? 1,
    });
  }

  /**
   * The next `times` calls of `operation` (after letting `skip` through) never answer: they reject
   * with AbortError once their abortSignal fires.
   */
  hangNext(operation: Operation, options: { times?: number; skip?: number; shardId?: string } = {}): void {
    this.hangInjections.push({ operation, shardId: options.shardId, skip: options.skip ?? 0, times: options.times ?? 1 });
  }

  /** Calls currently hanging. */
  get hangingCalls(): number {
    return this.hanging.size;
  }

  callCount(operation?: Operation, shardId?: string): number {
    return this.calls.filter((c) => (!operation || c.operation === operation) && (!shardId || c.shardId === shardId)).length;
  }

  callsOf(operation: Operation): CallRecord[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Releases hanging calls and restores the clients' real `send`. */
  restore(): void {
    this.stopped = true;
    for (const release of [...this.hanging]) release();
    this.streamsMock.restore();
    this.dynamodbMock.restore();
    this.streamsClient.destroy();
    this.dynamodbClient.destroy();
  }

  // ---------------------------------------------------------------- plumbing

  /** The abortSignal passed as `send(command, { abortSignal })`: the call being handled is the stub's last. */
  private signalOf(mock: { send: { args: unknown[][] } }): AbortSignal | undefined {
    const args = mock.send.args[mock.send.args.length - 1];
    const options = args?.[1] as { abortSignal?: AbortSignal } | undefined;
    return options?.abortSignal;
  }

  private async handle<T>(operation: Operation, input: unknown, signal: AbortSignal | undefined, answer: () => T, shardId?: string): Promise<T> {
    this.calls.push({ operation, input, at: Date.now(), ...(shardId ? { shardId } : {}) });
    if (signal?.aborted) throw abortError();
    if (this.stopped) throw new Error(`fake: ${operation} called after restore()`);
    const hang = this.hangInjections.find((h) => h.operation === operation && (!h.shardId || h.shardId === shardId));
    if (hang && hang.skip > 0) hang.skip -= 1;
    else if (hang) {
      hang.times -= 1;
      if (hang.times <= 0) this.hangInjections.splice(this.hangInjections.indexOf(hang), 1);
      await new Promise<void>((resolve) => {
        const release = (): void => {
          this.hanging.delete(release);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          this.abortedCalls += 1;
          release();
        };
        this.hanging.add(release);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      throw abortError();
    }
    const injection = this.errorInjections.find(
      (e) => e.operation === operation && (!e.shardId || e.shardId === shardId) && (!e.when || e.when(input as never)),
    );
    if (injection) {
      if (injection.skip > 0) {
        injection.skip -= 1;
      } else {
        injection.times -= 1;
        if (injection.times <= 0) this.errorInjections.splice(this.errorInjections.indexOf(injection), 1);
        throw injection.error();
      }
    }
    // Answer asynchronously, as the network would.
    await Promise.resolve();
    return answer();
  }

  private streamOrThrow(streamArn: string | undefined): FakeStream {
    const stream = streamArn ? this.streams.get(streamArn) : undefined;
    if (!stream) throw awsError('ResourceNotFoundException', `Requested resource not found: Stream: ${streamArn} not found`);
    return stream;
  }

  private describeStream(input: DescribeStreamCommandInput): DescribeStreamCommandOutput {
    return this.streamOrThrow(input.StreamArn).describe(input);
  }

  private getShardIterator(input: GetShardIteratorCommandInput): GetShardIteratorCommandOutput {
    const stream = this.streamOrThrow(input.StreamArn);
    const shard = stream.shards.find((s) => s.shardId === input.ShardId);
    if (!shard) throw awsError('ResourceNotFoundException', `Requested resource not found: Shard ${input.ShardId} not found`);
    let index: number;
    switch (input.ShardIteratorType) {
      case 'TRIM_HORIZON':
        index = shard.trimmed;
        break;
      case 'LATEST':
        index = shard.records.length;
        break;
      case 'AFTER_SEQUENCE_NUMBER':
      case 'AT_SEQUENCE_NUMBER': {
        const wanted = input.SequenceNumber;
        if (!wanted || !/^\d+$/.test(wanted)) throw awsError('ValidationException', `Invalid SequenceNumber ${wanted}`);
        const at = shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === wanted);
        if (at < 0) throw awsError('ValidationException', `SequenceNumber ${wanted} is not in shard ${shard.shardId}`);
        index = input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' ? at + 1 : at;
        if (index < shard.trimmed) throw awsError('TrimmedDataAccessException');
        break;
      }
      default:
        throw awsError('ValidationException', `Unknown ShardIteratorType ${String(input.ShardIteratorType)}`);
    }
    return { $metadata: { httpStatusCode: 200 }, ShardIterator: this.encodeIterator(stream.arn, shard.shardId, index) };
  }

  private getRecords(input: GetRecordsCommandInput): GetRecordsCommandOutput {
    const limit = input.Limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw awsError('ValidationException', `Limit ${limit} is not in 1..1000`);
    const position = this.decodeIterator(input.ShardIterator);
    if (position.generation < this.oldestValidGeneration) throw awsError('ExpiredIteratorException');
    const stream = this.streamOrThrow(position.streamArn);
    const shard = stream.shards.find((s) => s.shardId === position.shardId);
    if (!shard) throw awsError('ResourceNotFoundException', `Requested resource not found: Shard ${position.shardId} not found`);
    if (position.index < shard.trimmed) throw awsError('TrimmedDataAccessException');
    const page = shard.records.slice(position.index, position.index + limit);
    const next = position.index + page.length;
    const drained = next >= shard.records.length;
    const closed = Boolean(shard.endingSequenceNumber);
    const lastPage = closed && drained && (stream.options.closedShardEnd !== 'empty-page' || page.length === 0);
    return {
      $metadata: { httpStatusCode: 200 },
      // The SDK v3 leaves Records out of an empty page.
      ...(page.length > 0 ? { Records: page.map((r) => structuredClone(r)) } : {}),
      ...(lastPage ? {} : { NextShardIterator: this.encodeIterator(stream.arn, shard.shardId, next) }),
    };
  }

  private describeTable(input: DescribeTableCommandInput): DescribeTableCommandOutput {
    const table = input.TableName ? this.tables.get(input.TableName) : undefined;
    if (!table) {
      throw new DynamoDBServiceException({
        name: 'ResourceNotFoundException',
        message: `Requested resource not found: Table: ${input.TableName} not found`,
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {
      $metadata: { httpStatusCode: 200 },
      Table: {
        TableName: table.name,
        TableArn: table.arn,
        TableStatus: 'ACTIVE',
        ...(table.latestStreamArn
          ? {
              LatestStreamArn: table.latestStreamArn,
              LatestStreamLabel: this.streams.get(table.latestStreamArn)?.label,
            }
          : {}),
        ...(table.streamEnabled ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
      },
    };
  }

  private encodeIterator(streamArn: string, shardId: string, index: number): string {
    this.iteratorGeneration += 1;
    const payload = JSON.stringify({ streamArn, shardId, index, generation: this.iteratorGeneration } satisfies DecodedIterator);
    return `fake-iterator:${Buffer.from(payload).toString('base64')}`;
  }

  private decodeIterator(iterator: string | undefined): DecodedIterator {
    if (!iterator?.startsWith('fake-iterator:')) throw awsError('ValidationException', `Invalid ShardIterator ${iterator}`);
    return JSON.parse(Buffer.from(iterator.slice('fake-iterator:'.length), 'base64').toString()) as DecodedIterator;
  }

  private shardOfIterator(iterator: string | undefined): string | undefined {
    try {
      return this.decodeIterator(iterator).shardId;
    } catch {
      return undefined;
    }
  }
}

/** One delivered record, in delivery order. */
export interface DeliveredRecord {
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly key: string;
}

/** Collects what a consumer, session or reader delivers, and checks it against the fake. */
export class DeliveryLog {
  readonly delivered: DeliveredRecord[] = [];
  batches = 0;

  /** A `deliver` callback for StreamConsumer / StreamSession. */
  readonly deliver = (batch: ShardRecords): void => {
    this.add(batch.streamArn, batch.shardId, batch.records);
  };

  /** A `deliver` callback for one ShardReader. */
  forShard(streamArn: string, shardId: string): (records: _Record[]) => void {
    return (records) => this.add(streamArn, shardId, records);
  }

  add(streamArn: string, shardId: string, records: _Record[]): void {
    this.batches += 1;
    for (const record of records) {
      this.delivered.push({
        streamArn,
        shardId,
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '?',
        key: record.dynamodb?.Keys?.pk?.S ?? '?',
      });
    }
  }

  get count(): number {
    return this.delivered.length;
  }

  keys(shardId?: string): string[] {
    return this.delivered.filter((d) => !shardId || d.shardId === shardId).map((d) => d.key);
  }

  /** Position in delivery order of the record with `key` (-1 when not delivered). */
  indexOf(key: string): number {
    return this.delivered.findIndex((d) => d.key === key);
  }
}

/** The keys of records, as DeliveryLog.keys() lists them. */
export function keysOf(records: _Record[]): string[] {
  return records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '?');
}

/** Tiny timings so tests run in milliseconds. */
export const FAST_TIMING = {
  idlePollFirstMs: 5,
  idlePollMaxMs: 20,
  retryBaseMs: 5,
  retryMaxMs: 30,
  fatalRetryMaxMs: 30,
  discoveryIntervalMs: 50,
  waitForStreamIntervalMs: 30,
  missingRecheckIntervalMs: 100,
} as const;
