import assert from 'node:assert/strict';
import { GetRecordsCommand, GetShardIteratorCommand, type GetShardIteratorCommandInput, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { Checkpoint } from '../../nodes/lib/checkpoint/checkpoint';
import { ShardPosition } from '../../nodes/lib/position/shard-position';
import { ShardReader, type ShardEnd, type ShardReaderEvent } from '../../nodes/lib/shard-reader';
import { delay, eventually } from '../support/collect';
import { DeliveryLog, FAST_TIMING, FakeAws, accessDenied, awsError, keysOf, type FakeStream } from '../support/mock-stream';

interface RunningReader {
  readonly reader: ShardReader;
  readonly position: ShardPosition;
  readonly abort: AbortController;
  readonly events: ShardReaderEvent[];
  readonly log: DeliveryLog;
  readonly done: Promise<ShardEnd>;
}

describe('engine: ShardReader (mocked DynamoDB Streams)', function () {
  this.timeout(5_000);
  let fake: FakeAws;
  let running: RunningReader[];

  beforeEach(() => {
    fake = new FakeAws();
    running = [];
  });

  afterEach(async () => {
    for (const r of running) r.abort.abort();
    await Promise.allSettled(running.map((r) => r.done));
    fake.restore();
  });

  function startReader(
    stream: FakeStream,
    shardId: string,
    options: {
      /** Where a new position starts (TRIM_HORIZON by default), as if read from a checkpoint store. */
      start?: Checkpoint;
      /** The position of an earlier reader of the shard, to go on from. */
      position?: ShardPosition;
      batchSize?: number;
      deliver?: (records: _Record[]) => Promise<void> | void;
      /** 'immediate': the page is logged as handed over at once, and `deliver` returns what options.deliver returns. */
      handOver?: 'awaited' | 'immediate';
    } = {},
  ): RunningReader {
    const abort = new AbortController();
    const events: ShardReaderEvent[] = [];
    const log = new DeliveryLog();
    const record = log.forShard(stream.arn, shardId);
    const start = options.start ?? { kind: 'TRIM_HORIZON' };
    const position =
      options.position ?? new ShardPosition({ streamArn: stream.arn, shardId, start, restored: start.kind !== 'LATEST', capacity: Infinity });
    const reader = new ShardReader({
      streams: fake.streamsClient,
      streamArn: stream.arn,
      shardId,
      position,
      batchSize: options.batchSize ?? 100,
      signal: abort.signal,
      timing: FAST_TIMING,
      deliver:
        options.handOver === 'immediate'
          ? (records) => {
              record(records);
              return options.deliver?.(records);
            }
          : async (records) => {
              if (options.deliver) await options.deliver(records);
              record(records);
            },
      onEvent: (event) => events.push(event),
    });
    const entry = { reader, position, abort, events, log, done: reader.run() };
    running.push(entry);
    return entry;
  }

  function iteratorRequests(shardId?: string): GetShardIteratorCommandInput[] {
    return fake
      .callsOf('GetShardIterator')
      .map((c) => c.input as GetShardIteratorCommandInput)
      .filter((input) => !shardId || input.ShardId === shardId);
  }

  it("delivers a closed shard's last page that has records and no NextShardIterator, then returns 'closed' (mocked: closed shard)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 5 });
    stream.close(shard);
    const r = startReader(stream, shard, { batchSize: 10 });
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    assert.equal(fake.callCount('GetRecords'), 1, 'one page held every record and ended the shard');
  });

  it("reads a closed shard page by page up to a final short page without NextShardIterator (mocked: closed shard, Limit)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 5 });
    stream.close(shard);
    const r = startReader(stream, shard, { batchSize: 2 });
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    assert.equal(r.log.batches, 3);
    assert.ok(fake.callsOf('GetRecords').every((c) => (c.input as { Limit?: number }).Limit === 2));
  });

  it("finishes a closed shard whose end comes as a separate empty page (mocked: closed shard, final empty page)", async () => {
    const stream = fake.createStream('orders', { closedShardEnd: 'empty-page' });
    const shard = stream.addShard({ records: 3 });
    stream.close(shard);
    const r = startReader(stream, shard, { batchSize: 3 });
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    assert.equal(fake.callCount('GetRecords'), 2);
  });

  it('treats an empty page (Records left out) with a NextShardIterator as "nothing yet", and delivers later records (mocked: SDK v3 empty page)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard();
    // The fake answers an empty page as the SDK v3 does: no Records property at all.
    const { ShardIterator } = await fake.streamsClient.send(
      new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await fake.streamsClient.send(new GetRecordsCommand({ ShardIterator }));
    assert.equal('Records' in page, false);
    assert.ok(page.NextShardIterator);

    const r = startReader(stream, shard);
    await eventually(() => fake.callCount('GetRecords') >= 5, 3_000, 'several empty polls');
    assert.equal(r.log.count, 0);
    stream.put(shard, 3);
    await eventually(() => r.log.count === 3, 3_000, 'three records');
    stream.put(shard, 2);
    stream.close(shard);
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
  });

  it('starts at LATEST: records written before the iterator are skipped, later ones delivered (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 4 });
    const r = startReader(stream, shard, { start: { kind: 'LATEST', since: Date.now() } });
    await eventually(() => fake.callCount('GetRecords') >= 1, 3_000, 'first poll');
    const later = stream.put(shard, 3);
    await eventually(() => r.log.count === 3, 3_000, 'three records');
    await delay(30);
    assert.deepEqual(r.log.keys(), keysOf(later));
  });

  it('resumes AFTER_SEQUENCE_NUMBER a saved position and reports it as its position (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 6 });
    const records = stream.records(shard);
    const saved = records[2].dynamodb?.SequenceNumber as string;
    const r = startReader(stream, shard, { start: { kind: 'sequence', sequenceNumber: saved } });
    assert.equal(r.position.delivered, saved);
    await eventually(() => r.log.count === 3, 3_000, 'three records');
    assert.deepEqual(r.log.keys(), keysOf(records.slice(3)));
    assert.equal(r.position.delivered, records[5].dynamodb?.SequenceNumber);
    assert.deepEqual(iteratorRequests()[0], {
      StreamArn: stream.arn,
      ShardId: shard,
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: saved,
    });
  });

  it('waits for each delivery before delivering the next page, holding at most one page read ahead meanwhile (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 6 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const r = startReader(stream, shard, { batchSize: 2, deliver: () => gate });
    try {
      await eventually(() => fake.callCount('GetRecords') === 2, 3_000, 'first page and the one after it');
      await delay(40);
      assert.equal(fake.callCount('GetRecords'), 2, 'nothing more while the first delivery waits');
      assert.equal(r.log.count, 0);
    } finally {
      release();
    }
    await eventually(() => r.log.count === 6, 3_000, 'six records');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
  });

  function getRecordsIterators(): string[] {
    return fake.callsOf('GetRecords').map((c) => String((c.input as { ShardIterator?: string }).ShardIterator));
  }

  it('asks for the next page before delivering a page, and delivers in order (mocked: read-ahead)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 10 });
    const callsAtDelivery: number[] = [];
    const r = startReader(stream, shard, { batchSize: 2, handOver: 'immediate', deliver: () => void callsAtDelivery.push(fake.callCount('GetRecords')) });
    await eventually(() => r.log.count === 10, 3_000, 'ten records');
    stream.close(shard);
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    // When page n is delivered, page n+1 has been asked for (n + 1 calls), and nothing beyond it.
    assert.deepEqual(callsAtDelivery, [2, 3, 4, 5, 6]);
    const iterators = getRecordsIterators();
    assert.equal(new Set(iterators).size, iterators.length, 'no page asked for twice');
  });

  it('holds at most one page ahead while a delivery waits (mocked: read-ahead)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 8 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const callsAtDelivery: number[] = [];
    const r = startReader(stream, shard, {
      batchSize: 2,
      handOver: 'immediate',
      deliver: () => {
        callsAtDelivery.push(fake.callCount('GetRecords'));
        return callsAtDelivery.length === 2 ? gate : undefined;
      },
    });
    try {
      await eventually(() => r.log.count === 4, 3_000, 'two pages');
      await delay(40);
      assert.equal(fake.callCount('GetRecords'), 3, 'page 3 asked for before page 2 was delivered, nothing after it');
    } finally {
      release();
    }
    await eventually(() => r.log.count === 8, 3_000, 'eight records');
    assert.deepEqual(callsAtDelivery, [2, 3, 4, 5]);
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
  });

  it('a read-ahead that meets ExpiredIteratorException resumes after the last delivered record: no loss, no duplicate (mocked: expired iterator, read-ahead)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 7 });
    const records = stream.records(shard);
    // Call 3 is the read-ahead of page 3, made before page 2 is delivered.
    fake.failNext('GetRecords', 'ExpiredIteratorException', { skip: 2 });
    const r = startReader(stream, shard, { batchSize: 2, handOver: 'immediate' });
    await eventually(() => r.log.count === 7, 3_000, 'seven records');
    stream.close(shard);
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(records));
    assert.deepEqual(r.events, [{ type: 'iterator-expired', shardId: shard, afterSequenceNumber: records[3].dynamodb?.SequenceNumber }]);
    assert.deepEqual(
      iteratorRequests().map((request) => [request.ShardIteratorType, request.SequenceNumber]),
      [
        ['TRIM_HORIZON', undefined],
        ['AFTER_SEQUENCE_NUMBER', records[3].dynamodb?.SequenceNumber],
      ],
      'the expired read-ahead is not asked again',
    );
  });

  it('a read-ahead that fails with a server error is asked again through the retry path (mocked: read-ahead, server error)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 6 });
    fake.failNext('GetRecords', 'InternalServerError', { skip: 2 });
    const r = startReader(stream, shard, { batchSize: 2, handOver: 'immediate' });
    await eventually(() => r.log.count === 6, 3_000, 'six records');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    const iterators = getRecordsIterators();
    assert.equal(iterators[2], iterators[3], "the failed read-ahead's iterator asked for again");
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['error', 'recovered'],
      'reported and backed off like any failed call',
    );
  });

  it("stops at once when aborted while a read-ahead hangs, and returns 'aborted' (mocked: hanging call, read-ahead)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 6 });
    fake.hangNext('GetRecords', { skip: 2 });
    const r = startReader(stream, shard, { batchSize: 2, handOver: 'immediate' });
    await eventually(() => fake.hangingCalls === 1 && r.log.count === 4, 3_000, 'two pages and a hanging read-ahead');
    r.abort.abort();
    assert.equal(await r.done, 'aborted');
    assert.equal(fake.abortedCalls, 1, 'the abort signal reached the read-ahead');
    assert.equal(r.log.count, 4);
  });

  it('gets a new iterator AFTER_SEQUENCE_NUMBER the last delivered record on ExpiredIteratorException: no loss, no duplicate (mocked: expired iterator)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 7 });
    const records = stream.records(shard);
    fake.failNext('GetRecords', 'ExpiredIteratorException', { skip: 2 });
    const r = startReader(stream, shard, { batchSize: 2 });
    await eventually(() => r.log.count === 7, 3_000, 'seven records');
    stream.close(shard);
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(records));
    const lastDelivered = records[3].dynamodb?.SequenceNumber;
    assert.deepEqual(r.events, [{ type: 'iterator-expired', shardId: shard, afterSequenceNumber: lastDelivered }]);
    const requests = iteratorRequests();
    assert.equal(requests.length, 2);
    assert.equal(requests[0].ShardIteratorType, 'TRIM_HORIZON');
    assert.deepEqual([requests[1].ShardIteratorType, requests[1].SequenceNumber], ['AFTER_SEQUENCE_NUMBER', lastDelivered]);
  });

  it('recovers when every iterator it holds has expired (15 minutes idle) and delivers what comes next (mocked: expired iterator)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    const r = startReader(stream, shard);
    await eventually(() => r.log.count === 2, 3_000, 'two records');
    fake.expireIterators();
    await eventually(() => r.events.some((e) => e.type === 'iterator-expired'), 3_000, 'iterator-expired');
    stream.put(shard, 3);
    await eventually(() => r.log.count === 5, 3_000, 'five records');
    await delay(30);
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
  });

  it('a LATEST reader whose iterator expired before it delivered anything reads again from TRIM_HORIZON, skipping records older than its start: nothing written meanwhile is lost (mocked: expired iterator)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    for (const old of stream.records(shard)) if (old.dynamodb) old.dynamodb.ApproximateCreationDateTime = new Date(Date.now() - 120_000);
    const r = startReader(stream, shard, { start: { kind: 'LATEST', since: Date.now() } });
    await eventually(() => fake.callCount('GetRecords') > 0, 3_000, 'first poll');
    fake.expireIterators();
    const written = stream.put(shard, 3);
    await eventually(() => r.log.count === 3, 3_000, 'the three records written while the iterator expired');
    await delay(50);
    assert.deepEqual(r.log.keys(), keysOf(written));
    assert.deepEqual(
      iteratorRequests().map((request) => request.ShardIteratorType),
      ['LATEST', 'TRIM_HORIZON'],
    );
    assert.deepEqual(r.events, [{ type: 'iterator-expired', shardId: shard, afterSequenceNumber: undefined }]);
  });

  it('reports TrimmedDataAccessException, restarts at TRIM_HORIZON and does not deliver a record twice (mocked: trimmed)', async () => {
    // Sequence numbers cross from 20 to 21 digits here: a text comparison would misjudge them.
    fake = (fake.restore(), new FakeAws({ firstSequenceNumber: '99999999999999999998' }));
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 8 });
    const records = stream.records(shard);
    fake.failNext('GetRecords', 'TrimmedDataAccessException', { skip: 1 });
    const r = startReader(stream, shard, { batchSize: 3 });
    await eventually(() => r.log.count === 8, 3_000, 'eight records');
    await delay(30);
    assert.deepEqual(r.log.keys(), keysOf(records));
    const trimmed = r.events.filter((e) => e.type === 'trimmed');
    assert.equal(trimmed.length, 1);
    assert.equal(trimmed[0].shardId, shard);
    assert.equal(trimmed[0].type === 'trimmed' && trimmed[0].afterSequenceNumber, records[2].dynamodb?.SequenceNumber);
    assert.deepEqual(iteratorRequests().map((i) => i.ShardIteratorType), ['TRIM_HORIZON', 'TRIM_HORIZON']);
  });

  it('resuming after a record that aged out reports the gap and reads from the trim horizon (mocked: trimmed)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 10 });
    const records = stream.records(shard);
    stream.trim(shard, 5);
    const saved = records[1].dynamodb?.SequenceNumber as string;
    const r = startReader(stream, shard, { start: { kind: 'sequence', sequenceNumber: saved } });
    await eventually(() => r.log.count === 5, 3_000, 'five records');
    await delay(30);
    assert.deepEqual(r.log.keys(), keysOf(records.slice(5)));
    const trimmed = r.events.find((e) => e.type === 'trimmed');
    assert.deepEqual(trimmed && { ...trimmed, error: undefined }, { type: 'trimmed', shardId: shard, afterSequenceNumber: saved, error: undefined });
    assert.equal((trimmed as { error: Error }).error.name, 'TrimmedDataAccessException');
  });

  it('retries LimitExceeded, ProvisionedThroughputExceeded and Throttling with backoff, then delivers everything (mocked: throttling)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 6 });
    fake.failNext('GetShardIterator', 'ThrottlingException');
    fake.failNext('GetRecords', 'LimitExceededException');
    const r = startReader(stream, shard, { batchSize: 2 });
    await eventually(() => r.log.count >= 2, 3_000, 'first page');
    fake.failNext('GetRecords', 'ProvisionedThroughputExceededException');
    fake.failNext('GetRecords', 'ThrottlingException', { times: 2 });
    await eventually(() => r.log.count === 6, 3_000, 'six records');
    stream.close(shard);
    assert.equal(await r.done, 'closed');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
    const errors = r.events.filter((e) => e.type === 'error');
    assert.ok(errors.length >= 3, `throttling reported (${errors.length})`);
    for (const e of errors) {
      assert.equal(e.type === 'error' && e.kind, 'throttled');
      assert.ok(e.type === 'error' && e.retryInMs > 0 && e.retryInMs <= FAST_TIMING.retryMaxMs, 'waits within the backoff bounds');
    }
    assert.ok(r.events.some((e) => e.type === 'recovered'));
    assert.equal(r.events.at(-1)?.type, 'recovered');
  });

  it("returns 'gone' on ResourceNotFoundException from GetRecords (mocked: shard gone)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    fake.failNext('GetRecords', 'ResourceNotFoundException');
    const r = startReader(stream, shard);
    assert.equal(await r.done, 'gone');
    assert.equal(r.log.count, 0);
  });

  it("returns 'gone' when the shard is no longer listed (mocked: shard aged out)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    stream.removeShard(shard);
    const r = startReader(stream, shard);
    assert.equal(await r.done, 'gone');
  });

  it('reports access denied on GetRecords with the slower fatal backoff, and recovers when the policy is fixed (mocked: access denied)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 3 });
    fake.failNext('GetRecords', () => accessDenied('dynamodb:GetRecords'), { times: 3 });
    const r = startReader(stream, shard);
    await eventually(() => r.log.count === 3, 3_000, 'three records');
    const errors = r.events.filter((e) => e.type === 'error');
    assert.equal(errors.length, 3);
    for (const e of errors) {
      assert.equal(e.type === 'error' && e.kind, 'access-denied');
      assert.ok(e.type === 'error' && e.retryInMs > 0 && e.retryInMs <= FAST_TIMING.fatalRetryMaxMs);
    }
    assert.equal(r.events[3]?.type, 'recovered');
    assert.deepEqual(r.log.keys(), keysOf(stream.records(shard)));
  });

  it('retries a server error and a ValidationException and then reads on (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    fake.failNext('GetRecords', 'InternalServerError');
    fake.failNext('GetShardIterator', () => awsError('ValidationException', 'Invalid iterator'));
    const r = startReader(stream, shard);
    await eventually(() => r.log.count === 2, 3_000, 'two records');
    assert.deepEqual(
      r.events.filter((e) => e.type === 'error').map((e) => e.type === 'error' && e.kind),
      ['invalid-request', 'server'],
    );
  });

  it('ends with the error when a delivery fails, keeping the position of the last delivered page (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 4 });
    const records = stream.records(shard);
    let pages = 0;
    const r = startReader(stream, shard, {
      batchSize: 2,
      deliver: () => {
        pages += 1;
        if (pages === 2) throw new Error('downstream broke');
      },
    });
    await assert.rejects(r.done, /downstream broke/);
    assert.equal(r.position.delivered, records[1].dynamodb?.SequenceNumber);
    assert.deepEqual(r.position.iteratorStart(), { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: records[1].dynamodb?.SequenceNumber });
  });

  it('offers AT_SEQUENCE_NUMBER the failed page as resume position when it started at LATEST and delivered nothing yet (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    const r = startReader(stream, shard, {
      start: { kind: 'LATEST', since: Date.now() },
      deliver: () => {
        throw new Error('downstream broke');
      },
    });
    await eventually(() => fake.callCount('GetRecords') > 0, 3_000, 'first poll');
    const [first] = stream.put(shard, 2);
    await assert.rejects(r.done, /downstream broke/);
    assert.equal(r.position.delivered, undefined);
    assert.deepEqual(r.position.iteratorStart(), { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: first.dynamodb?.SequenceNumber });

    const again = startReader(stream, shard, { position: r.position });
    await eventually(() => again.log.count === 2, 3_000, 'the failed page again');
    assert.deepEqual(again.log.keys(), keysOf(stream.records(shard).slice(2)));
  });

  it("stops at once when aborted while a GetRecords call hangs, and returns 'aborted' (mocked: hanging call)", async () => {
    const stream = fake.createStream();
    const shard = stream.addShard();
    fake.hangNext('GetRecords');
    const r = startReader(stream, shard);
    await eventually(() => fake.hangingCalls === 1, 3_000, 'a hanging GetRecords');
    r.abort.abort();
    assert.equal(await r.done, 'aborted');
    assert.equal(fake.abortedCalls, 1, 'the abort signal reached the pending call');
    const calls = fake.calls.length;
    await delay(50);
    assert.equal(fake.calls.length, calls, 'no call after abort');
  });

  it('stops while waiting out a backoff (mocked: throttling)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard();
    fake.failNext('GetRecords', 'ThrottlingException', { times: 1000 });
    const r = startReader(stream, shard);
    await eventually(() => r.events.length >= 2, 3_000, 'throttled twice');
    r.abort.abort();
    assert.equal(await r.done, 'aborted');
  });
});
