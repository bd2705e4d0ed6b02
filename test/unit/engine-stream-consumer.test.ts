import assert from 'node:assert/strict';
import type { DescribeStreamCommandInput, GetShardIteratorCommandInput } from '@aws-sdk/client-dynamodb-streams';
import { parseDynamoDbArn } from '../../nodes/lib/arn';
import { SourceStatus } from '../../nodes/lib/source-status';
import type { CheckpointBackend } from '../../nodes/lib/checkpoint/checkpoint-backend';
import { ShardPositions } from '../../nodes/lib/position/shard-positions';
import { StreamConsumer, type ConsumerEvent, type ConsumerTiming } from '../../nodes/lib/stream-consumer';
import type { InitialPosition, ShardRecords } from '../../nodes/lib/stream-session';
import { CheckpointStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import { delay, eventually } from '../support/collect';
import { MemoryKeyValue } from '../support/engine-pipeline';
import { DeliveryLog, FAST_TIMING, FakeAws, accessDenied, keysOf, type FakeStream } from '../support/mock-stream';

interface ConsumerOptions {
  readonly startingPosition?: InitialPosition;
  readonly batchSize?: number;
  readonly timing?: Partial<ConsumerTiming>;
  readonly deliver?: (batch: ShardRecords) => Promise<void> | void;
  readonly checkpoints?: CheckpointBackend;
}

interface Running {
  readonly consumer: StreamConsumer;
  readonly log: DeliveryLog;
  readonly events: ConsumerEvent[];
  eventsOf<T extends ConsumerEvent['type']>(type: T): Array<Extract<ConsumerEvent, { type: T }>>;
}

describe('engine: StreamConsumer (mocked DynamoDB and DynamoDB Streams)', function () {
  this.timeout(10_000);
  let fake: FakeAws;
  let consumers: StreamConsumer[];

  beforeEach(() => {
    fake = new FakeAws();
    consumers = [];
  });

  afterEach(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    fake.restore();
  });

  function start(arn: string, options: ConsumerOptions = {}): Running {
    const log = new DeliveryLog();
    const events: ConsumerEvent[] = [];
    const consumer = new StreamConsumer({
      dynamodb: fake.dynamodbClient,
      streams: fake.streamsClient,
      arn: parseDynamoDbArn(arn),
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      batchSize: options.batchSize ?? 100,
      deliver: async (batch) => {
        if (options.deliver) await options.deliver(batch);
        log.deliver(batch);
      },
      onEvent: (event) => events.push(event),
      positions: new ShardPositions({ backend: options.checkpoints, capacity: Infinity }),
      timing: { ...FAST_TIMING, ...options.timing },
    });
    consumers.push(consumer);
    consumer.start();
    return {
      consumer,
      log,
      events,
      eventsOf: <T extends ConsumerEvent['type']>(type: T) =>
        events.filter((e): e is Extract<ConsumerEvent, { type: T }> => e.type === type),
    };
  }

  /** Every record of each listed shard delivered exactly once, in the shard's order. */
  function assertExactlyOnce(log: DeliveryLog, stream: FakeStream, shardIds = stream.shards.map((s) => s.shardId)): void {
    for (const shardId of shardIds) {
      assert.deepEqual(log.keys(shardId), keysOf(stream.records(shardId)), `records of ${shardId}`);
    }
    const keys = log.keys();
    assert.equal(new Set(keys).size, keys.length, 'no record delivered twice');
  }

  function lastIndexOf(log: DeliveryLog, shardId: string): number {
    return Math.max(...log.keys(shardId).map((k) => log.indexOf(k)));
  }

  function firstIndexOf(log: DeliveryLog, shardId: string): number {
    return Math.min(...log.keys(shardId).map((k) => log.indexOf(k)));
  }

  function iteratorTypes(shardId: string): Array<string | undefined> {
    return fake
      .callsOf('GetShardIterator')
      .map((c) => c.input as GetShardIteratorCommandInput)
      .filter((i) => i.ShardId === shardId)
      .map((i) => i.ShardIteratorType);
  }

  describe('shard splits', () => {
    it('reads a closed parent to its end before either child, then both children from TRIM_HORIZON (mocked: shard split)', async () => {
      const stream = fake.createStream();
      const parent = stream.addShard({ records: 5 });
      const [left, right] = stream.split(parent, 2, 3);
      const r = start(stream.arn, { batchSize: 2 });
      await eventually(() => r.log.count === 11, 3_000, '11 records');
      stream.put(left, 2);
      stream.put(right, 1);
      await eventually(() => r.log.count === 14, 3_000, '14 records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      const parentEnd = lastIndexOf(r.log, parent);
      assert.ok(firstIndexOf(r.log, left) > parentEnd, 'left child after the parent');
      assert.ok(firstIndexOf(r.log, right) > parentEnd, 'right child after the parent');
      assert.deepEqual(iteratorTypes(left), ['TRIM_HORIZON']);
      assert.deepEqual(iteratorTypes(right), ['TRIM_HORIZON']);
      assert.ok(r.eventsOf('shard-finished').some((e) => e.shardId === parent && e.end === 'closed'));
    });

    it('at LATEST after a split, skips the closed parent and reads the open children from LATEST (mocked: shard split)', async () => {
      const stream = fake.createStream();
      const parent = stream.addShard({ records: 5 });
      const [left, right] = stream.split(parent, 2, 3);
      const r = start(stream.arn, { startingPosition: 'LATEST' });
      await eventually(() => fake.callCount('GetRecords', left) > 0 && fake.callCount('GetRecords', right) > 0, 3_000, 'polling both children');
      const newLeft = stream.put(left, 2);
      const newRight = stream.put(right, 2);
      await eventually(() => r.log.count === 4, 3_000, 'four new records');
      await delay(30);
      assert.deepEqual(r.log.keys(left), keysOf(newLeft));
      assert.deepEqual(r.log.keys(right), keysOf(newRight));
      assert.equal(fake.callCount('GetShardIterator', parent), 0, 'the closed parent is not read');
      assert.deepEqual(iteratorTypes(left), ['LATEST']);
    });

    for (const startingPosition of ['TRIM_HORIZON', 'LATEST'] as const) {
      it(`when a shard splits while being read (start ${startingPosition}), finds the children and reads them from TRIM_HORIZON after the parent, losing nothing (mocked: shard split)`, async () => {
        const stream = fake.createStream();
        const parent = stream.addShard();
        const r = start(stream.arn, { startingPosition, batchSize: 2 });
        await eventually(() => fake.callCount('GetRecords', parent) > 0, 3_000, 'polling the shard');
        stream.put(parent, 3);
        await eventually(() => r.log.count === 3, 3_000, 'three records');
        stream.put(parent, 2); // written just before the split: still to be read
        const [left, right] = stream.split(parent, 2, 3);
        await eventually(() => r.log.count === 11, 3_000, '11 records');
        stream.put(right, 2);
        await eventually(() => r.log.count === 13, 3_000, '13 records');
        await delay(30);
        assertExactlyOnce(r.log, stream);
        const parentEnd = lastIndexOf(r.log, parent);
        assert.ok(firstIndexOf(r.log, left) > parentEnd && firstIndexOf(r.log, right) > parentEnd, 'children after the parent');
        assert.deepEqual(iteratorTypes(left), ['TRIM_HORIZON']);
        assert.deepEqual(iteratorTypes(right), ['TRIM_HORIZON']);
        const childQuery = fake
          .callsOf('DescribeStream')
          .some((c) => (c.input as DescribeStreamCommandInput).ShardFilter?.ShardId === parent);
        assert.ok(childQuery, 'asked for the children with ShardFilter CHILD_SHARDS');
      });
    }

    it('finds the children by the periodic refresh when the ShardFilter call fails (mocked: shard split)', async () => {
      const stream = fake.createStream();
      const parent = stream.addShard({ records: 2 });
      fake.failNext<DescribeStreamCommandInput>('DescribeStream', 'InternalServerError', { times: 5, when: (input) => Boolean(input.ShardFilter) });
      const r = start(stream.arn);
      await eventually(() => r.log.count === 2, 3_000, 'two records');
      const [left, right] = stream.split(parent, 2, 2);
      await eventually(() => r.log.count === 6, 3_000, 'six records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      assert.deepEqual(iteratorTypes(left), ['TRIM_HORIZON']);
      assert.deepEqual(iteratorTypes(right), ['TRIM_HORIZON']);
    });

    it('follows a chain of splits (grandchildren wait for their parent too) (mocked: shard split)', async () => {
      const stream = fake.createStream();
      const root = stream.addShard({ records: 2 });
      const [a, b] = stream.split(root, 2, 2);
      const [a1, a2] = stream.split(a, 2, 2);
      const r = start(stream.arn, { batchSize: 1 });
      await eventually(() => r.log.count === 10, 3_000, 'ten records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      assert.ok(firstIndexOf(r.log, a) > lastIndexOf(r.log, root));
      assert.ok(firstIndexOf(r.log, b) > lastIndexOf(r.log, root));
      assert.ok(firstIndexOf(r.log, a1) > lastIndexOf(r.log, a));
      assert.ok(firstIndexOf(r.log, a2) > lastIndexOf(r.log, a));
    });
  });

  describe('many shards', () => {
    it('reads a lineage chain of 250 shards listed on 3 DescribeStream pages, in order (mocked: 250 shards)', async () => {
      const stream = fake.createStream();
      let shard = stream.addShard({ records: 1 });
      for (let i = 1; i < 250; i += 1) [shard] = stream.split(shard, 1, 1);
      assert.equal(stream.shards.length, 250);
      const r = start(stream.arn);
      await eventually(() => r.log.count === 250, 8_000, '250 records');
      await delay(30);
      assert.deepEqual(r.log.keys(), keysOf(stream.records()), 'every record once, parents before children');
      const firstListing = fake
        .callsOf('DescribeStream')
        .map((c) => c.input as DescribeStreamCommandInput)
        .filter((i) => !i.ShardFilter)
        .slice(0, 3)
        .map((i) => i.ExclusiveStartShardId);
      assert.deepEqual(firstListing, [undefined, stream.shards[99].shardId, stream.shards[199].shardId]);
    });

    it('reads 250 open shards listed on 3 DescribeStream pages, one reader each (mocked: 250 shards)', async () => {
      const stream = fake.createStream();
      for (let i = 0; i < 250; i += 1) stream.addShard({ records: 2 });
      const r = start(stream.arn, { timing: { idlePollFirstMs: 20, idlePollMaxMs: 50 } });
      await eventually(() => r.log.count === 500, 8_000, '500 records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      assert.equal(r.consumer.activeShardCount, 250);
      assert.ok(r.eventsOf('reading').some((e) => e.activeShards === 250));
    });
  });

  describe('recoveries', () => {
    it("reports 'iterator-expired' and 'trimmed' with shard and position, and delivers every record once (mocked: expired iterator, trimmed)", async () => {
      const stream = fake.createStream();
      const shard = stream.addShard({ records: 6 });
      const records = stream.records(shard);
      fake.failNext('GetRecords', 'ExpiredIteratorException', { skip: 1 });
      fake.failNext('GetRecords', 'TrimmedDataAccessException', { skip: 1 });
      const r = start(stream.arn, { batchSize: 2 });
      await eventually(() => r.log.count === 6, 3_000, 'six records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      assert.deepEqual(r.eventsOf('iterator-expired'), [{ type: 'iterator-expired', shardId: shard, afterSequenceNumber: records[1].dynamodb?.SequenceNumber }]);
      const trimmed = r.eventsOf('trimmed');
      assert.equal(trimmed.length, 1);
      assert.equal(trimmed[0].shardId, shard);
      assert.equal(trimmed[0].afterSequenceNumber, records[3].dynamodb?.SequenceNumber);
    });

    it("retries throttled DescribeStream, GetShardIterator and GetRecords with backoff, reporting 'throttled' problems (mocked: throttling)", async () => {
      const stream = fake.createStream();
      const shard = stream.addShard({ records: 4 });
      fake.failNext('DescribeStream', 'LimitExceededException', { times: 2 });
      fake.failNext('GetShardIterator', 'ThrottlingException');
      fake.failNext('GetRecords', 'ProvisionedThroughputExceededException', { times: 2 });
      fake.failNext('GetRecords', 'LimitExceededException', { skip: 1 });
      const r = start(stream.arn, { batchSize: 2 });
      await eventually(() => r.log.count === 4, 3_000, 'four records');
      assertExactlyOnce(r.log, stream, [shard]);
      const problems = r.eventsOf('problem');
      assert.ok(problems.length >= 6, `problems reported: ${problems.length}`);
      for (const p of problems) {
        assert.equal(p.kind, 'throttled');
        assert.ok(p.retryInMs > 0, 'a positive backoff');
      }
      const operations = new Set(problems.map((p) => p.operation));
      assert.ok(operations.has('DescribeStream') && operations.has('GetRecords'), [...operations].join());
      assert.ok(r.eventsOf('recovered').length > 0);
    });

    it("carries on with the other shards when one answers ResourceNotFoundException (mocked: shard gone)", async () => {
      const stream = fake.createStream();
      const gone = stream.addShard({ records: 3 });
      const alive = stream.addShard({ records: 3 });
      fake.failNext('GetRecords', 'ResourceNotFoundException', { shardId: gone });
      const r = start(stream.arn);
      await eventually(() => r.log.count === 3, 3_000, 'three records');
      await eventually(() => r.eventsOf('shard-finished').length === 1, 3_000, 'shard-finished');
      assert.deepEqual(r.eventsOf('shard-finished'), [{ type: 'shard-finished', streamArn: stream.arn, shardId: gone, end: 'gone' }]);
      stream.put(alive, 2);
      await eventually(() => r.log.count === 5, 3_000, 'five records');
      await delay(3 * FAST_TIMING.discoveryIntervalMs);
      assertExactlyOnce(r.log, stream, [alive]);
      assert.deepEqual(r.log.keys(gone), []);
      assert.equal(fake.callCount('GetShardIterator', gone), 1, 'a gone shard is not read again');
    });

    it("reports access denied with the operation and IAM action that failed, and recovers when the error stops (mocked: access denied)", async () => {
      const stream = fake.createStream();
      stream.addShard({ records: 3 });
      fake.failNext('DescribeStream', () => accessDenied('dynamodb:DescribeStream', stream.arn));
      fake.failNext('GetShardIterator', () => accessDenied('dynamodb:GetShardIterator', stream.arn));
      fake.failNext('GetRecords', () => accessDenied('dynamodb:GetRecords', stream.arn), { times: 3 });
      const status = new SourceStatus('DynamoDB in us-east-1');
      const views: Array<ReturnType<SourceStatus['onEvent']>> = [];
      const r = start(stream.arn);
      await eventually(() => r.log.count === 3, 3_000, 'three records');
      assertExactlyOnce(r.log, stream);
      const denied = r.eventsOf('problem');
      assert.deepEqual(
        denied.map((p) => [p.operation, p.kind]),
        [
          ['DescribeStream', 'access-denied'],
          ['GetShardIterator', 'access-denied'],
          ['GetRecords', 'access-denied'],
          ['GetRecords', 'access-denied'],
          ['GetRecords', 'access-denied'],
        ],
      );
      for (const event of r.events) views.push(status.onEvent(event));
      const red = views.filter((v) => v?.key === 'errors.accessDenied').map((v) => v?.params?.action);
      assert.deepEqual([...new Set(red)], ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords']);
      assert.equal(r.events.at(-1)?.type === 'recovered' || r.events.at(-1)?.type === 'reading', true);
      assert.equal(status.current().fill, 'green');
    });

    it('restarts a reader whose delivery failed after the last delivered record (mocked)', async () => {
      const stream = fake.createStream();
      const shard = stream.addShard({ records: 6 });
      let failures = 0;
      const r = start(stream.arn, {
        batchSize: 2,
        deliver: (batch) => {
          if (batch.records[0].dynamodb?.Keys?.pk?.S === `${shard}/2` && failures === 0) {
            failures += 1;
            throw new Error('downstream broke');
          }
        },
      });
      await eventually(() => r.log.count === 6, 3_000, 'six records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      const problems = r.eventsOf('problem');
      assert.equal(problems.length, 1);
      assert.equal(problems[0].operation, 'deliver');
      const restart = fake
        .callsOf('GetShardIterator')
        .map((c) => c.input as GetShardIteratorCommandInput)
        .at(-1);
      assert.deepEqual([restart?.ShardIteratorType, restart?.SequenceNumber], ['AFTER_SEQUENCE_NUMBER', stream.records(shard)[1].dynamodb?.SequenceNumber]);
    });

    it('at LATEST, re-delivers the first page when its delivery failed, instead of skipping it (mocked)', async () => {
      const stream = fake.createStream();
      const shard = stream.addShard({ records: 2 });
      let failures = 0;
      const r = start(stream.arn, {
        startingPosition: 'LATEST',
        deliver: () => {
          if (failures === 0) {
            failures += 1;
            throw new Error('downstream broke');
          }
        },
      });
      await eventually(() => fake.callCount('GetRecords', shard) > 0, 3_000, 'polling the shard');
      const fresh = stream.put(shard, 3);
      await eventually(() => r.eventsOf('problem').length === 1, 3_000, 'the failed delivery');
      stream.put(shard, 1);
      await eventually(() => r.log.count === 4, 3_000, 'four records');
      await delay(30);
      assert.deepEqual(r.log.keys(), keysOf([...fresh, ...stream.records(shard).slice(5)]));
      const restart = fake
        .callsOf('GetShardIterator')
        .map((c) => c.input as GetShardIteratorCommandInput)
        .at(-1);
      assert.deepEqual([restart?.ShardIteratorType, restart?.SequenceNumber], ['AT_SEQUENCE_NUMBER', fresh[0].dynamodb?.SequenceNumber]);
    });

    it('resumes after saved positions, and reads shards without one from TRIM_HORIZON (mocked)', async () => {
      const stream = fake.createStream();
      const saved = stream.addShard({ records: 5 });
      const unsaved = stream.addShard({ records: 2 });
      const records = stream.records(saved);
      const checkpoints = new CheckpointStore(new MemoryKeyValue(), 60_000);
      checkpoints.save(stream.arn, saved, { kind: 'sequence', sequenceNumber: records[1].dynamodb?.SequenceNumber as string });
      const r = start(stream.arn, { startingPosition: 'LATEST', checkpoints });
      await eventually(() => r.log.count === 5, 3_000, 'five records');
      await delay(30);
      assert.deepEqual(r.log.keys(saved), keysOf(records.slice(2)));
      assertExactlyOnce(r.log, stream, [unsaved]);
    });
  });

  describe('listeners', () => {
    it('keeps reading when its event listener throws, without an unhandled rejection (mocked)', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const stream = fake.createStream();
        const shard = stream.addShard({ records: 3 });
        fake.failNext('DescribeStream', 'InternalServerError');
        const log = new DeliveryLog();
        const consumer = new StreamConsumer({
          dynamodb: fake.dynamodbClient,
          streams: fake.streamsClient,
          arn: parseDynamoDbArn(stream.arn),
          startingPosition: 'TRIM_HORIZON',
          batchSize: 100,
          deliver: log.deliver,
          onEvent: (event) => {
            throw new Error(`listener broke on ${event.type}`);
          },
          positions: new ShardPositions({ capacity: Infinity }),
          timing: FAST_TIMING,
        });
        consumers.push(consumer);
        consumer.start();
        await eventually(() => log.count === 3, 3_000, 'the records despite the listener');
        await delay(20);
        assert.deepEqual(log.keys(shard), keysOf(stream.records(shard)));
        assert.deepEqual(unhandled, []);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });

  describe('streams of a table', () => {
    it("waits for a table's stream, then reads it from its start, even at LATEST (mocked: DescribeTable)", async () => {
      const table = fake.createTable('orders');
      const r = start(table.arn, { startingPosition: 'LATEST' });
      await eventually(() => r.eventsOf('waiting-for-stream').length > 0, 3_000, 'waiting-for-stream');
      assert.deepEqual(r.eventsOf('waiting-for-stream')[0], { type: 'waiting-for-stream', tableName: 'orders', reason: 'no-stream' });
      assert.equal(r.log.count, 0);
      // The stream appears and gets records before the consumer looks again: they were written after it started.
      const stream = fake.createStream('orders');
      const shard = stream.addShard({ records: 3 });
      await eventually(() => r.log.count === 3, 3_000, 'three records');
      stream.put(shard, 2);
      await eventually(() => r.log.count === 5, 3_000, 'five records');
      await delay(30);
      assertExactlyOnce(r.log, stream);
      assert.equal(r.consumer.currentStreamArn, stream.arn);
    });

    it('drains the old stream of a re-enabled table first, then reads the new stream from TRIM_HORIZON (mocked: stream re-enabled)', async () => {
      fake.createTable('orders');
      const old = fake.createStream('orders');
      const oldShard = old.addShard({ records: 2 });
      const r = start(fake.table('orders').arn, {
        startingPosition: 'LATEST',
        batchSize: 1,
        // Slow deliveries of the old stream's records make it drain over several discovery rounds.
        deliver: (batch) => (batch.streamArn === old.arn ? delay(10) : undefined),
      });
      await eventually(() => fake.callCount('GetRecords', oldShard) > 0, 3_000, 'reading the first stream');
      old.put(oldShard, 12);
      await eventually(() => r.log.count >= 2, 3_000, 'first records');
      fake.disableStream('orders');
      const fresh = fake.createStream('orders');
      const freshShards = [fresh.addShard({ records: 3 }), fresh.addShard({ records: 2 })];
      await eventually(() => r.log.count === 17, 5_000, '17 records');
      fresh.put(freshShards[0], 1);
      await eventually(() => r.log.count === 18, 3_000, '18 records');
      await delay(30);
      assert.deepEqual(r.log.keys(oldShard), keysOf(old.records(oldShard).slice(2)), 'the old stream after the start, each record once');
      assertExactlyOnce(r.log, fresh);
      const lastOld = lastIndexOf(r.log, oldShard);
      for (const shard of freshShards) {
        assert.ok(firstIndexOf(r.log, shard) > lastOld, 'new stream read after the old one is drained');
        assert.deepEqual(iteratorTypes(shard), ['TRIM_HORIZON']);
      }
      assert.deepEqual(r.eventsOf('stream-changed'), [{ type: 'stream-changed', from: old.arn, to: fresh.arn }]);
      assert.equal(r.consumer.currentStreamArn, fresh.arn);
    });

    it("reads a disabled stream's records at TRIM_HORIZON, then waits for a new stream (mocked: stream disabled)", async () => {
      fake.createTable('orders');
      const stream = fake.createStream('orders');
      stream.addShard({ records: 3 });
      fake.disableStream('orders');
      const r = start(fake.table('orders').arn, { startingPosition: 'TRIM_HORIZON' });
      await eventually(() => r.log.count === 3, 3_000, 'three records');
      await eventually(() => r.eventsOf('waiting-for-stream').length > 0, 3_000, 'waiting-for-stream');
      assert.equal(r.eventsOf('waiting-for-stream')[0].reason, 'stream-disabled');
      assertExactlyOnce(r.log, stream);
    });

    it('waits without reading a disabled stream when starting at LATEST (mocked: stream disabled)', async () => {
      fake.createTable('orders');
      const stream = fake.createStream('orders');
      stream.addShard({ records: 3 });
      fake.disableStream('orders');
      const r = start(fake.table('orders').arn, { startingPosition: 'LATEST' });
      await eventually(() => r.eventsOf('waiting-for-stream').length > 0, 3_000, 'waiting-for-stream');
      assert.equal(r.eventsOf('waiting-for-stream')[0].reason, 'stream-disabled');
      assert.equal(fake.callCount('DescribeStream'), 0);
    });

    it("reports 'table-missing' and re-checks only every missingRecheckIntervalMs, then reads once the table exists (mocked: table deleted)", async () => {
      const missingRecheckIntervalMs = 100;
      const r = start('arn:aws:dynamodb:us-east-1:123456789012:table/orders', { timing: { missingRecheckIntervalMs } });
      const window = 450;
      await delay(window);
      const calls = fake.callCount('DescribeTable');
      assert.ok(calls >= 2, `checked again (${calls})`);
      assert.ok(calls <= Math.ceil(window / missingRecheckIntervalMs) + 1, `no tight loop (${calls} DescribeTable calls in ${window} ms)`);
      assert.deepEqual(r.eventsOf('table-missing')[0], { type: 'table-missing', tableName: 'orders' });
      fake.createTable('orders');
      const stream = fake.createStream('orders');
      stream.addShard({ records: 2 });
      await eventually(() => r.log.count === 2, 3_000, 'two records');
      assertExactlyOnce(r.log, stream);
    });

    it("reports 'stream-missing' for a stream ARN that does not exist, without a tight loop (mocked: stream deleted)", async () => {
      const missingRecheckIntervalMs = 100;
      const r = start('arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000', {
        timing: { missingRecheckIntervalMs },
      });
      const window = 450;
      await delay(window);
      const calls = fake.callCount('DescribeStream');
      assert.ok(calls >= 2 && calls <= Math.ceil(window / missingRecheckIntervalMs) + 1, `DescribeStream calls: ${calls}`);
      assert.equal(r.eventsOf('stream-missing')[0]?.streamArn, 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000');
    });

    it("reports 'stream-ended' once a disabled stream given by its ARN is read to its end (mocked: stream disabled)", async () => {
      const stream = fake.createStream('orders');
      stream.addShard({ records: 2 });
      const r = start(stream.arn);
      await eventually(() => r.log.count === 2, 3_000, 'two records');
      stream.disable();
      await eventually(() => r.eventsOf('stream-ended').length > 0, 3_000, 'stream-ended');
      assertExactlyOnce(r.log, stream);
    });

    it("does not call an ENABLED stream ended while a closed shard's children are not listed yet (mocked: eventual consistency)", async () => {
      const stream = fake.createStream('orders');
      const parent = stream.addShard({ records: 2 });
      const r = start(stream.arn);
      await eventually(() => r.log.count === 2, 3_000, 'two records');
      stream.close(parent); // DescribeStream may list the closed parent before its child
      await eventually(() => r.eventsOf('shard-finished').length === 1, 3_000, 'parent finished');
      await delay(3 * FAST_TIMING.discoveryIntervalMs);
      assert.deepEqual(r.eventsOf('stream-ended'), []);
      const child = stream.addShard({ parentShardId: parent, records: 2 });
      await eventually(() => r.log.count === 4, 3_000, 'four records');
      assertExactlyOnce(r.log, stream);
      assert.deepEqual(iteratorTypes(child), ['TRIM_HORIZON']);
    });
  });

  describe('stop()', () => {
    it('resolves while a GetRecords call is in flight, and no call follows (mocked: hanging call)', async () => {
      const stream = fake.createStream();
      stream.addShard({ records: 1 });
      const r = start(stream.arn);
      await eventually(() => r.log.count === 1, 3_000, 'one record');
      fake.hangNext('GetRecords');
      await eventually(() => fake.hangingCalls === 1, 3_000, 'a hanging GetRecords');
      const stopped = await Promise.race([r.consumer.stop().then(() => true), delay(2_000).then(() => false)]);
      assert.ok(stopped, 'stop() resolved');
      assert.equal(fake.abortedCalls, 1, 'the pending call saw the abort');
      const calls = fake.calls.length;
      await delay(4 * FAST_TIMING.discoveryIntervalMs);
      assert.equal(fake.calls.length, calls, 'no call after stop()');
    });

    it('resolves while DescribeTable is in flight, and no call follows (mocked: hanging call)', async () => {
      fake.createTable('orders');
      fake.hangNext('DescribeTable');
      const r = start(fake.table('orders').arn);
      await eventually(() => fake.hangingCalls === 1, 3_000, 'a hanging DescribeTable');
      const stopped = await Promise.race([r.consumer.stop().then(() => true), delay(2_000).then(() => false)]);
      assert.ok(stopped, 'stop() resolved');
      const calls = fake.calls.length;
      await delay(4 * FAST_TIMING.discoveryIntervalMs);
      assert.equal(fake.calls.length, calls, 'no call after stop()');
      assert.deepEqual(r.eventsOf('problem'), [], 'stopping is not a problem');
    });

    it('resolves while many readers poll and back off, and no call follows; 20 shards raise no MaxListenersExceededWarning (mocked)', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
      process.on('warning', onWarning);
      try {
        const stream = fake.createStream();
        for (let i = 0; i < 20; i += 1) stream.addShard({ records: 1 });
        fake.failNext('GetRecords', 'ThrottlingException', { times: 30 });
        const r = start(stream.arn);
        await eventually(() => r.log.count === 20, 3_000, '20 records');
        await r.consumer.stop();
        const calls = fake.calls.length;
        await delay(4 * FAST_TIMING.discoveryIntervalMs);
        assert.equal(fake.calls.length, calls, 'no call after stop()');
        assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });
});
