import assert from 'node:assert/strict';
import { classifyAwsError, deniedAction } from '../../nodes/lib/aws-errors';
import { Backoff, IdlePollDelay } from '../../nodes/lib/backoff';
import { compareSequenceNumbers } from '../../nodes/lib/sequence-number';
import { ShardLineage } from '../../nodes/lib/shard-lineage';
import { formatRate, SourceStatus } from '../../nodes/lib/source-status';
import { accessDenied, awsError } from '../support/mock-stream';

describe('engine: compareSequenceNumbers', () => {
  it('orders sequence numbers of different lengths numerically, not as text', () => {
    assert.ok(compareSequenceNumbers('99999999999999999999', '100000000000000000000') < 0);
    assert.ok(compareSequenceNumbers('100000000000000000000', '99999999999999999999') > 0);
    assert.ok(compareSequenceNumbers('9', '10') < 0);
  });

  it('orders sequence numbers of equal length, and finds equal ones equal', () => {
    assert.ok(compareSequenceNumbers('100000000000000000001', '100000000000000000002') < 0);
    assert.equal(compareSequenceNumbers('100000000000000000002', '100000000000000000002'), 0);
  });

  it('ignores leading zeros', () => {
    assert.equal(compareSequenceNumbers('000123', '123'), 0);
    assert.ok(compareSequenceNumbers('0009', '10') < 0);
    assert.equal(compareSequenceNumbers('0', '000'), 0);
  });

  it('sorts a list the way the service orders records', () => {
    const sorted = ['300', '1000000000000000000000', '20', '0100'].sort(compareSequenceNumbers);
    assert.deepEqual(sorted, ['20', '0100', '300', '1000000000000000000000']);
  });
});

describe('engine: Backoff', () => {
  it('waits the base delay every time when the random draw is 0', () => {
    const backoff = new Backoff(100, 1000, () => 0);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [100, 100, 100]);
  });

  it('doubles its ceiling per attempt up to the maximum when the random draw is 1', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    assert.deepEqual(
      Array.from({ length: 7 }, () => backoff.next()),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });

  it('stays between the base and the current ceiling (full jitter)', () => {
    const backoff = new Backoff(10, 80, () => 0.5);
    assert.deepEqual(
      Array.from({ length: 5 }, () => backoff.next()),
      [10, 15, 25, 45, 45],
    );
  });

  it('starts again from the base after reset()', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    backoff.next();
    backoff.next();
    assert.equal(backoff.attempts, 2);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.next(), 100);
  });

  it('never overflows after very many attempts', () => {
    const backoff = new Backoff(5, 30, () => 1);
    for (let i = 0; i < 200; i += 1) backoff.next();
    assert.equal(backoff.next(), 30);
  });
});

describe('engine: IdlePollDelay', () => {
  const busy = { pollMs: 10, holdMs: 1000 };

  it('backs off from the first delay towards the maximum on a shard that delivered nothing yet', () => {
    const delay = new IdlePollDelay(100, 1000, busy, () => 0);
    assert.deepEqual(
      Array.from({ length: 6 }, () => delay.afterEmptyPage()),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('polls at once while records flow, at the busy rate for the hold time after them, then backs off', () => {
    let now = 0;
    const delay = new IdlePollDelay(100, 1000, busy, () => now);
    assert.equal(delay.afterRecords(), 0);
    const whileHeld: number[] = [];
    while (now < 1000) {
      whileHeld.push(delay.afterEmptyPage());
      now += 250;
    }
    assert.deepEqual(whileHeld, [10, 10, 10, 10]);
    assert.deepEqual(
      Array.from({ length: 6 }, () => delay.afterEmptyPage()),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('starts the hold again with each page of records, and the backoff from its first step after it', () => {
    let now = 0;
    const delay = new IdlePollDelay(100, 1000, busy, () => now);
    delay.afterRecords();
    now = 5000;
    assert.deepEqual([delay.afterEmptyPage(), delay.afterEmptyPage()], [100, 200]);
    assert.equal(delay.afterRecords(), 0);
    now = 5999;
    assert.equal(delay.afterEmptyPage(), 10);
    now = 6000;
    assert.equal(delay.afterEmptyPage(), 100);
  });

  it('never polls a long-idle shard more often than once per maximum delay', () => {
    let now = 0;
    const delay = new IdlePollDelay(100, 1000, busy, () => now);
    delay.afterRecords();
    let callsInOneMinute = 0;
    for (now += delay.afterEmptyPage(); now < 70_000; now += delay.afterEmptyPage()) if (now >= 10_000) callsInOneMinute++;
    assert.equal(callsInOneMinute, 60);
  });

  it('never waits longer while busy than the maximum delay', () => {
    const delay = new IdlePollDelay(5, 8, { pollMs: 50, holdMs: 1000 }, () => 0);
    delay.afterRecords();
    assert.equal(delay.afterEmptyPage(), 8);
  });
});

describe('engine: ShardLineage', () => {
  it('makes a parent readable before its children, and the children once it is finished', () => {
    const lineage = new ShardLineage();
    lineage.add([
      { shardId: 'parent', endingSequenceNumber: '200' },
      { shardId: 'child-a', parentShardId: 'parent' },
      { shardId: 'child-b', parentShardId: 'parent' },
    ]);
    assert.deepEqual(lineage.readable().map((s) => s.shardId), ['parent']);
    lineage.markReading('parent');
    assert.deepEqual(lineage.readable(), []);
    lineage.markFinished('parent');
    assert.deepEqual(lineage.readable().map((s) => s.shardId), ['child-a', 'child-b']);
  });

  it('orders a chain listed children-first: only the root is readable, then one generation at a time', () => {
    const lineage = new ShardLineage();
    lineage.add([
      { shardId: 'c', parentShardId: 'b' },
      { shardId: 'b', parentShardId: 'a', endingSequenceNumber: '20' },
      { shardId: 'a', endingSequenceNumber: '10' },
    ]);
    const order: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const ready = lineage.readable();
      assert.equal(ready.length, 1);
      order.push(ready[0].shardId);
      lineage.markReading(ready[0].shardId);
      lineage.markFinished(ready[0].shardId);
    }
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.deepEqual(lineage.readable(), []);
  });

  it('treats a shard whose parent is no longer listed (aged out) as readable', () => {
    const lineage = new ShardLineage();
    lineage.add([{ shardId: 'orphan', parentShardId: 'trimmed-away' }]);
    assert.deepEqual(lineage.readable().map((s) => s.shardId), ['orphan']);
  });

  it('returns only new shards from add(), records closing, and remembers the first discovery', () => {
    const lineage = new ShardLineage();
    assert.equal(lineage.add([{ shardId: 'a' }]).length, 1);
    assert.equal(lineage.allClosed(), false);
    const added = lineage.add([{ shardId: 'a', endingSequenceNumber: '5' }, { shardId: 'b', parentShardId: 'a' }]);
    assert.deepEqual(added.map((s) => s.shardId), ['b']);
    assert.equal(lineage.get('a')?.endingSequenceNumber, '5');
    assert.equal(lineage.wasInFirstDiscovery('a'), true);
    assert.equal(lineage.wasInFirstDiscovery('b'), false);
    assert.deepEqual(lineage.counts(), { pending: 2, reading: 0, finished: 0 });
  });

  it('puts a crashed reader back to pending so it is readable again', () => {
    const lineage = new ShardLineage();
    lineage.add([{ shardId: 'a' }]);
    lineage.markReading('a');
    lineage.markPending('a');
    assert.deepEqual(lineage.readable().map((s) => s.shardId), ['a']);
    lineage.markPending('unknown');
    assert.equal(lineage.state('unknown'), undefined);
  });
});

describe('engine: AWS error classification', () => {
  it('classifies the errors DynamoDB Streams answers', () => {
    assert.equal(classifyAwsError(awsError('ExpiredIteratorException')), 'expired-iterator');
    assert.equal(classifyAwsError(awsError('TrimmedDataAccessException')), 'trimmed');
    assert.equal(classifyAwsError(awsError('LimitExceededException')), 'throttled');
    assert.equal(classifyAwsError(awsError('ProvisionedThroughputExceededException')), 'throttled');
    assert.equal(classifyAwsError(awsError('ThrottlingException')), 'throttled');
    assert.equal(classifyAwsError(awsError('ResourceNotFoundException')), 'not-found');
    assert.equal(classifyAwsError(accessDenied()), 'access-denied');
    assert.equal(classifyAwsError(awsError('InternalServerError')), 'server');
    assert.equal(classifyAwsError(awsError('SomethingNew', 'x', 503)), 'server');
    assert.equal(classifyAwsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'network');
  });

  it('reads the denied IAM action from the message', () => {
    assert.equal(deniedAction(accessDenied('dynamodb:DescribeStream')), 'dynamodb:DescribeStream');
    assert.equal(deniedAction(new Error('nope')), undefined);
  });
});

describe('engine: SourceStatus', () => {
  const now = 1_700_000_000_000;

  it('shows throttling as a yellow ring', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    const view = status.onEvent({ type: 'problem', operation: 'GetRecords', kind: 'throttled', error: awsError('ThrottlingException'), retryInMs: 50 }, now);
    assert.deepEqual(view, { fill: 'yellow', shape: 'ring', key: 'status.throttled' });
  });

  it('shows access denied in red with the IAM action from the message', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    const view = status.onEvent(
      { type: 'problem', operation: 'GetRecords', kind: 'access-denied', error: accessDenied('dynamodb:GetShardIterator'), retryInMs: 50 },
      now,
    );
    assert.deepEqual(view, { fill: 'red', shape: 'ring', key: 'errors.accessDenied', params: { action: 'dynamodb:GetShardIterator' } });
  });

  it('falls back to the action of the operation when the message names none', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    const view = status.onEvent(
      { type: 'problem', operation: 'DescribeStream', kind: 'access-denied', error: awsError('AccessDeniedException', 'denied'), retryInMs: 50 },
      now,
    );
    assert.equal(view?.params?.action, 'dynamodb:DescribeStream');
  });

  it('shows reading in green with the shard count, idle until records arrive', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    assert.deepEqual(status.onEvent({ type: 'reading', streamArn: 'arn', activeShards: 3 }, now), {
      fill: 'green',
      shape: 'dot',
      key: 'status.idle',
      params: { shards: 3 },
    });
    status.onRecords(50, new Date(now - 3_000), now);
    const view = status.current(now);
    assert.equal(view.fill, 'green');
    assert.equal(view.key, 'status.reading');
    assert.deepEqual(view.params, { shards: 3, rate: '50', lag: '3s' });
  });

  it('measures the rate over the time since the first record while that is shorter than the 10 s window', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    status.onEvent({ type: 'reading', streamArn: 'arn', activeShards: 1 }, now);
    status.onRecords(3, new Date(now), now);
    status.onRecords(3, new Date(now + 2_000), now + 2_000);
    assert.equal(status.current(now + 2_000).params?.rate, '3');
  });

  it('shows a trickle of records with one decimal and a flood as a whole number', () => {
    assert.equal(formatRate(0.4), '0.4');
    assert.equal(formatRate(2), '2');
    assert.equal(formatRate(1234.4), '1234');
  });

  it('clears a problem when the consumer recovers or reads again', () => {
    const status = new SourceStatus('DynamoDB in us-east-1');
    status.onEvent({ type: 'reading', streamArn: 'arn', activeShards: 1 }, now);
    status.onEvent({ type: 'problem', operation: 'GetRecords', kind: 'throttled', error: awsError('ThrottlingException'), retryInMs: 5 }, now);
    assert.equal(status.current(now).fill, 'yellow');
    assert.equal(status.onEvent({ type: 'recovered' }, now)?.fill, 'green');
  });

  it('shows a missing table in red with the table name, and a network problem with the endpoint', () => {
    const status = new SourceStatus('http://127.0.0.1:8000');
    assert.deepEqual(status.onEvent({ type: 'table-missing', tableName: 'orders' }, now), {
      fill: 'red',
      shape: 'ring',
      key: 'errors.tableNotFound',
      params: { table: 'orders' },
    });
    const network = status.onEvent(
      { type: 'problem', operation: 'DescribeStream', kind: 'network', error: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), retryInMs: 5 },
      now,
    );
    assert.equal(network?.key, 'errors.network');
    assert.equal(network?.params?.endpoint, 'http://127.0.0.1:8000');
  });
});
