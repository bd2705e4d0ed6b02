import assert from 'node:assert/strict';
import { createTable, type TestTable } from '../support/dynamodb';
import { helper, ourNodes, sourceCredentials, sourceFlow, useFileContextStore, useNodeRedWithDynamoDbLocal } from '../support/node-red';
import { storedSequenceNumber } from '../support/stored-checkpoint';
import { MessageCollector, delay, eventually, type Msg } from '../support/collect';
import { NodeCalls } from '../support/node-events';


/** Shipping orders (new or changed), or removed orders of 100 or more (the N value compared by the extension). */
const TWO_PATTERNS = JSON.stringify([
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { status: { S: [{ prefix: 'ship' }] } } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { total: { N: [{ 'dynamodb-numeric': ['>=', 100] }] } } } },
]);

const describeMsg = (m: Msg): string => `${m.payload.eventName} ${m.payload.keys.pk}`;

/** One INSERT, MODIFY and REMOVE each that match a pattern, and one of each that do not (the last change among them). */
async function writeOrders(table: TestTable): Promise<void> {
  await table.put({ pk: { S: 'o1' }, status: { S: 'pending' }, total: { N: '50' } });
  await table.put({ pk: { S: 'o2' }, status: { S: 'shipped' }, total: { N: '500' } });
  await table.put({ pk: { S: 'o1' }, status: { S: 'shipping' }, total: { N: '50' } });
  await table.put({ pk: { S: 'o2' }, status: { S: 'shipped' }, total: { N: '250' } });
  await table.put({ pk: { S: 'o1' }, status: { S: 'delivered' }, total: { N: '50' } });
  await table.remove({ pk: { S: 'o2' } });
  await table.remove({ pk: { S: 'o1' } });
}
const EXPECTED = ['INSERT o2', 'MODIFY o1', 'MODIFY o2', 'REMOVE o2'];

describe('source node: Lambda filter patterns (DynamoDB Local)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();
  useFileContextStore();

  it('emits exactly the INSERTs, MODIFYs and REMOVEs that match one of two patterns; after a restart from the checkpoint the filtered-out records are not read again', async function () {
    this.timeout(60_000);
    const table = await createTable(ctx.client, { prefix: 'filters' });
    const source = { startingPosition: 'TRIM_HORIZON', checkpointStore: 'file', dataFormat: 'document', filters: TWO_PATTERNS };
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source }), sourceCredentials);
    let collector = new MessageCollector(helper.getNode('h1'));
    await writeOrders(table);
    const messages = await collector.waitFor(EXPECTED.length);
    assert.deepEqual(messages.map(describeMsg), EXPECTED);

    // The last record (REMOVE o1) is filtered out; the checkpoint still moves past it.
    const lastSent = BigInt(messages[messages.length - 1].payload.sequenceNumber);
    await eventually(() => {
      const checkpoint = storedSequenceNumber('s1', 'file');
      return checkpoint !== undefined && BigInt(checkpoint) > lastSent;
    }, 10_000, 'a checkpoint past the last record sent');
    await delay(300);
    assert.equal(collector.messages.length, EXPECTED.length, 'nothing else was sent');

    // Restart without filters: a record read again would be sent now.
    const unfiltered = { ...source, filters: '' };
    await helper.setFlows(sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: unfiltered }), 'full', sourceCredentials);
    collector = new MessageCollector(helper.getNode('h1'));
    await table.put({ pk: { S: 'after-restart' }, status: { S: 'new' } });
    const [first] = await collector.waitFor(1);
    await delay(500);
    assert.deepEqual(collector.messages.map(describeMsg), ['INSERT after-restart'], `first after restart: ${describeMsg(first)}`);
  });

  it('applies eventNames and filters both, to batches too, and in manual mode checkpoints past filtered records without waiting for an acknowledgement', async function () {
    const table = await createTable(ctx.client, { prefix: 'filters-batch' });
    const source = {
      startingPosition: 'TRIM_HORIZON',
      output: 'batch',
      ackMode: 'manual',
      checkpointStore: 'default',
      dataFormat: 'aws',
      eventNames: 'INSERT,MODIFY',
      filters: [{ dynamodb: { NewImage: { status: { S: [{ prefix: 'ship' }] } } } }],
    };
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source }), sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    await writeOrders(table);
    const sentRecords = (): string[] => collector.messages.flatMap((m) => (m.payload as Msg[]).map((r) => `${r.eventName} ${r.dynamodb.Keys.pk.S}`));
    await eventually(() => sentRecords().length >= 3, 10_000, 'three records');
    await delay(500);
    assert.deepEqual(sentRecords(), ['INSERT o2', 'MODIFY o1', 'MODIFY o2'], 'REMOVE o2 matches no pattern once eventNames leave REMOVE out');
    for (const message of collector.messages) helper.getNode('s1').receive(message);
    const checkpoint = (): string | undefined => storedSequenceNumber();
    const lastSent = BigInt(collector.messages[collector.messages.length - 1].payload.at(-1).dynamodb.SequenceNumber);
    await eventually(() => checkpoint() !== undefined && BigInt(checkpoint()!) > lastSent, 5_000, 'the checkpoint past the filtered REMOVEs');
  });

  it('refuses an invalid pattern at run time: red status and node.error with the reason, and reads nothing', async function () {
    const table = await createTable(ctx.client, { prefix: 'filters-bad' });
    await table.put({ pk: { S: 'never-sent' } });
    const filters = '[{"dynamodb": {"NewImage": {"total": {"N": [{"numeric": ["<", 5, ">", 1]}]}}}}]';
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: { startingPosition: 'TRIM_HORIZON', filters } }), sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    const collector = new MessageCollector(helper.getNode('h1'));
    await eventually(() => calls.errors.length > 0, 5_000, 'node.error');
    assert.match(calls.errors[0], /^Invalid filters\[0\] dynamodb\.NewImage\.total\.N: numeric takes/);
    assert.equal(calls.lastStatus?.fill, 'red');
    assert.match(calls.lastStatus?.text ?? '', /^Invalid filters\[0\]/);
    await delay(800);
    assert.equal(collector.messages.length, 0, 'nothing read, nothing sent');
    assert.ok(!calls.hasStatus((s) => s.fill === 'green' || s.fill === 'yellow'), 'never connecting or reading');
  });
});
