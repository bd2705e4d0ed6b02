import assert from 'node:assert/strict';
import type { DescribeStreamCommandInput } from '@aws-sdk/client-dynamodb-streams';
import { describeChildShards, describeStream, describeTableStream } from '../../nodes/lib/stream-discovery';
import { FakeAws } from '../support/mock-stream';

describe('engine: stream discovery (mocked DynamoDB Streams)', () => {
  let fake: FakeAws;

  beforeEach(() => {
    fake = new FakeAws();
  });

  afterEach(() => fake.restore());

  function describeInputs(): DescribeStreamCommandInput[] {
    return fake.callsOf('DescribeStream').map((c) => c.input as DescribeStreamCommandInput);
  }

  it('lists 250 shards across 3 DescribeStream pages of at most 100, following LastEvaluatedShardId (mocked: pagination)', async () => {
    const stream = fake.createStream();
    const ids: string[] = [];
    for (let i = 0; i < 250; i += 1) ids.push(stream.addShard());
    const snapshot = await describeStream(fake.streamsClient, stream.arn);
    assert.deepEqual(snapshot.shards.map((s) => s.shardId), ids);
    const inputs = describeInputs();
    assert.equal(inputs.length, 3);
    assert.deepEqual(
      inputs.map((i) => i.ExclusiveStartShardId),
      [undefined, ids[99], ids[199]],
    );
    assert.equal(snapshot.status, 'ENABLED');
    assert.equal(snapshot.viewType, 'NEW_AND_OLD_IMAGES');
    assert.deepEqual(snapshot.keyAttributeNames, ['pk']);
  });

  it('keeps parent ids and ending sequence numbers, and leaves them out for open root shards (mocked)', async () => {
    const stream = fake.createStream();
    const parent = stream.addShard({ records: 2 });
    const [a, b] = stream.split(parent, 2);
    const snapshot = await describeStream(fake.streamsClient, stream.arn);
    assert.deepEqual(snapshot.shards, [
      { shardId: parent, endingSequenceNumber: stream.records(parent)[1].dynamodb?.SequenceNumber },
      { shardId: a, parentShardId: parent },
      { shardId: b, parentShardId: parent },
    ]);
  });

  it('asks for the children of a shard with ShardFilter CHILD_SHARDS, across pages (mocked: ShardFilter)', async () => {
    const stream = fake.createStream();
    stream.addShard();
    const parent = stream.addShard({ records: 1 });
    const children = stream.split(parent, 5);
    stream.addShard();
    fake.describePageSize = 2;
    const found = await describeChildShards(fake.streamsClient, stream.arn, parent);
    assert.deepEqual(found.map((s) => s.shardId), children);
    const inputs = describeInputs();
    assert.equal(inputs.length, 3);
    for (const input of inputs) assert.deepEqual(input.ShardFilter, { Type: 'CHILD_SHARDS', ShardId: parent });
    assert.deepEqual(
      inputs.map((i) => i.ExclusiveStartShardId),
      [undefined, children[1], children[3]],
    );
  });

  it('passes ResourceNotFoundException on for a stream that does not exist (mocked)', async () => {
    await assert.rejects(describeStream(fake.streamsClient, 'arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/nope'), {
      name: 'ResourceNotFoundException',
    });
  });

  it("reads a table's latest stream ARN and whether its stream is enabled (mocked: DescribeTable)", async () => {
    fake.createTable('orders');
    assert.deepEqual(await describeTableStream(fake.dynamodbClient, 'orders'), {
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
      latestStreamArn: undefined,
      streamEnabled: false,
    });
    const stream = fake.createStream('orders');
    assert.equal((await describeTableStream(fake.dynamodbClient, 'orders')).latestStreamArn, stream.arn);
    fake.disableStream('orders');
    const disabled = await describeTableStream(fake.dynamodbClient, 'orders');
    assert.equal(disabled.latestStreamArn, stream.arn);
    assert.equal(disabled.streamEnabled, false);
    await assert.rejects(describeTableStream(fake.dynamodbClient, 'missing'), { name: 'ResourceNotFoundException' });
  });
});
