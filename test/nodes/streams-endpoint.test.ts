import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { FaultProxy } from '../support/fault-proxy';
import { helper, useNodeRedWithDynamoDbLocal, ourNodes, sourceCredentials, sourceFlow } from '../support/node-red';
import { MessageCollector } from '../support/collect';

describe('source node on DynamoDB Local: a separate streamsEndpoint (a pass-through proxy stands for the Streams endpoint)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();
  let streamsSide: FaultProxy;
  let streamsEndpoint: string;

  before(async function () {
    streamsSide = new FaultProxy({ target: ctx.endpoint, seed: 1, rates: {} });
    streamsEndpoint = await streamsSide.start();
  });

  after(async function () {
    await streamsSide?.stop();
  });

  it('sends DescribeTable to endpoint and every DynamoDB Streams call to streamsEndpoint', async function () {
    const table = await createTable(ctx.client, { prefix: 'streams-ep' });
    await table.put({ pk: { S: 'through-the-streams-endpoint' } });
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, config: { streamsEndpoint } }), sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));

    const [msg] = await collector.waitFor(1);

    assert.equal(msg.payload.Dynamodb.Keys.pk.S, 'through-the-streams-endpoint');
    const calls = streamsSide.receivedByOperation();
    assert.ok((calls.DescribeStream ?? 0) >= 1, JSON.stringify(calls));
    assert.ok((calls.GetShardIterator ?? 0) >= 1, JSON.stringify(calls));
    assert.ok((calls.GetRecords ?? 0) >= 1, JSON.stringify(calls));
    assert.equal(calls.DescribeTable, undefined, 'DescribeTable goes to endpoint');
  });
});
