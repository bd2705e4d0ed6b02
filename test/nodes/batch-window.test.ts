import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { MessageCollector, delay, eventually, type Msg } from '../support/collect';
import { storedCheckpoint } from '../support/stored-checkpoint';
import { helper, ourNodes, sourceCredentials, sourceFlow, useNodeRedWithDynamoDbLocal } from '../support/node-red';

const keysOf = (msg: Msg): string[] => (msg.payload as Array<{ Dynamodb: { Keys: { pk: { S: string } } } }>).map((r) => r.Dynamodb.Keys.pk.S);

describe('source node: batchWindow gathers records across GetRecords calls (DynamoDB Local)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();

  it('writes spread over less than the window arrive as one batch', async function () {
    this.timeout(30_000);
    const table = await createTable(ctx.client, { prefix: 'window' });
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: { output: 'batch', batchWindow: 4, batchSize: 100 } }), sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    for (let i = 0; i < 5; i++) {
      await table.put({ pk: { S: `w${i}` } });
      await delay(200);
    }
    const [batch] = await collector.waitFor(1, 10_000);
    assert.deepEqual(keysOf(batch), ['w0', 'w1', 'w2', 'w3', 'w4']);
    assert.equal(batch.cloudevents.length, 5);
  });

  it('a window that ends with fewer than batchSize records sends what it has; one manual acknowledgement checkpoints all of it', async function () {
    this.timeout(30_000);
    const table = await createTable(ctx.client, { prefix: 'windowack' });
    const flow = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { output: 'batch', batchWindow: 1, batchSize: 100, ackMode: 'manual', checkpointStore: 'default' },
    });
    await helper.load(ourNodes, flow, sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    for (const key of ['a', 'b', 'c']) await table.put({ pk: { S: key } });
    const [batch] = await collector.waitFor(1, 10_000);
    assert.deepEqual(keysOf(batch), ['a', 'b', 'c']);
    await delay(300);
    assert.equal(storedCheckpoint(), 'TRIM_HORIZON', 'nothing checkpointed before the acknowledgement');
    helper.getNode('s1').receive(batch);
    await eventually(() => storedCheckpoint() === batch.dynamodbStream.sequenceNumber, 5_000, 'the checkpoint at the batch’s last record');
    assert.equal(batch.dynamodbStream.sequenceNumber, batch.payload[2].Dynamodb.SequenceNumber);
  });
});
