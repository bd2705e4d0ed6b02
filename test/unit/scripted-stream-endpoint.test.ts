import assert from 'node:assert/strict';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { parseGetRecordsBody } from '../../nodes/lib/get-records-json';
import { LeaseCoordinator } from '../../nodes/lib/lease/lease-coordinator';
import { LeaseTable } from '../../nodes/lib/lease/lease-table';
import { describeStream, describeTableStream } from '../../nodes/lib/stream-discovery';
import { rootShards } from '../support/lease-fixtures';
import { ManualClock } from '../support/manual-clock';
import { REGION } from '../support/mock-stream';
import { startScriptedStreamStack, type ScriptedStreamStack } from '../support/scripted-stream-endpoint';

/** DynamoDB Local accepts access key ids of letters and digits only. */
function credentials(accessKeyId: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId, secretAccessKey: 'secret' };
}

describe('scripted stream endpoint (loopback DynamoDB Streams protocol in front of DynamoDB Local -sharedDb)', () => {
  let stack: ScriptedStreamStack;
  let streams: DynamoDBStreamsClient;
  let dynamodb: DynamoDBClient;

  before(async () => {
    stack = await startScriptedStreamStack();
    streams = new DynamoDBStreamsClient({ region: REGION, endpoint: stack.endpoint.url, credentials: credentials('workerA'), maxAttempts: 1 });
    dynamodb = new DynamoDBClient({ region: REGION, endpoint: stack.endpoint.url, credentials: credentials('workerA'), maxAttempts: 1 });
  });

  after(async () => {
    streams.destroy();
    dynamodb.destroy();
    await stack.stop();
  });

  async function readShard(streamArn: string, shardId: string): Promise<{ records: _Record[]; ended: boolean }> {
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const records: _Record[] = [];
    let iterator = ShardIterator;
    for (let page = 0; iterator && page < 10; page += 1) {
      const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(answer.Records ?? []));
      if ((answer.Records ?? []).length === 0 && answer.NextShardIterator) break;
      iterator = answer.NextShardIterator;
    }
    return { records, ended: iterator === undefined };
  }

  it('a real SDK client lists, describes and reads a scripted stream of three shards, then its split and appended records', async () => {
    const table = stack.endpoint.aws.createTable('orders');
    const stream = stack.endpoint.aws.createStream('orders');
    const [first, second, third] = [stream.addShard({ records: 3 }), stream.addShard({ records: 2 }), stream.addShard()];

    const described = await dynamodb.send(new DescribeTableCommand({ TableName: 'orders' }));
    assert.equal(described.Table?.LatestStreamArn, stream.arn);
    const listed = await streams.send(new ListStreamsCommand({ TableName: 'orders' }));
    assert.deepEqual(listed.Streams?.map((s) => s.StreamArn), [stream.arn]);
    assert.equal((await describeTableStream(dynamodb, table.arn)).latestStreamArn, stream.arn);
    const snapshot = await describeStream(streams, stream.arn);
    assert.deepEqual(snapshot.shards.map((s) => s.shardId), [first, second, third]);

    const read = await readShard(stream.arn, first);
    assert.deepEqual(read.records.map((r) => r.dynamodb?.Keys?.pk?.S), [`${first}/0`, `${first}/1`, `${first}/2`]);
    assert.ok(read.records[0].dynamodb?.ApproximateCreationDateTime instanceof Date);
    assert.equal(read.ended, false);

    const children = stream.split(second, 2);
    stream.put(children[0], 2);
    const afterSplit = await describeStream(streams, stream.arn);
    assert.ok(afterSplit.shards.find((s) => s.shardId === second)?.endingSequenceNumber);
    assert.deepEqual(afterSplit.shards.filter((s) => s.parentShardId === second).map((s) => s.shardId), children);
    const parent = await readShard(stream.arn, second);
    assert.equal(parent.records.length, 2);
    assert.equal(parent.ended, true, 'the closed parent ends without a NextShardIterator');
    assert.deepEqual((await readShard(stream.arn, children[0])).records.map((r) => r.dynamodb?.Keys?.pk?.S), [`${children[0]}/0`, `${children[0]}/1`]);
    assert.deepEqual(stack.endpoint.shardsReadBy('workerA'), new Set([first, second, children[0]]));
  });

  it('answers GetRecords in JSON the engine’s own GetRecords parser accepts', async () => {
    const stream = stack.endpoint.aws.createStream('orders');
    const shard = stream.addShard({ records: 2 });
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }));
    const response = await fetch(stack.endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDBStreams_20120810.GetRecords' },
      body: JSON.stringify({ ShardIterator }),
    });
    const page = parseGetRecordsBody(Buffer.from(await response.arrayBuffer()));
    assert.equal(page?.Records?.length, 2);
    assert.ok(page?.NextShardIterator);
  });

  it('answers the service’s errors in its error shape (ResourceNotFoundException for an unknown shard)', async () => {
    const stream = stack.endpoint.aws.createStream('orders');
    await assert.rejects(
      streams.send(new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: 'shardId-missing', ShardIteratorType: 'TRIM_HORIZON' })),
      (error: Error) => error.name === 'ResourceNotFoundException',
    );
    await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: `${stream.arn}-gone` })), { name: 'ResourceNotFoundException' });
  });

  it('forwards the lease table to DynamoDB Local, shared across access keys (-sharedDb)', async () => {
    const worker = new LeaseCoordinator({ client: dynamodb, tableName: 'scripted-leases', consumerName: 'node-1', workerId: 'worker-a', clock: new ManualClock() });
    await worker.start();
    await worker.stop();
    await worker.registerShards('arn:stream', rootShards(2), 'TRIM_HORIZON');
    await worker.takeLeases();
    const otherCaller = new DynamoDBClient({ region: 'eu-west-1', endpoint: stack.endpoint.url, credentials: credentials('workerB'), maxAttempts: 1 });
    const seenByOther = await new LeaseTable(otherCaller, 'scripted-leases').listLeases('node-1');
    otherCaller.destroy();
    assert.deepEqual(seenByOther.map((lease) => lease.leaseOwner), ['worker-a', 'worker-a']);
    const forwarded = stack.endpoint.requests.filter((r) => r.forwarded);
    assert.ok(forwarded.some((r) => r.operation === 'CreateTable' && r.accessKeyId === 'workerA'));
    assert.ok(forwarded.some((r) => r.operation === 'Scan' && r.accessKeyId === 'workerB'));
  });
});
