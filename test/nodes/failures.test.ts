import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { MessageCollector, delay, eventually, type Msg } from '../support/collect';
import { NodeCalls } from '../support/node-events';
import { storedCheckpoint } from '../support/stored-checkpoint';
import { helper, ourNodes, sourceCredentials, sourceFlow, useFileContextStore, useNodeRedWithDynamoDbLocal, type FlowNode } from '../support/node-red';

/* eslint-disable @typescript-eslint/no-require-imports */
const functionNode = require('@node-red/nodes/core/function/10-function.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');

const keyOf = (msg: Msg): string => msg.payload.Dynamodb.Keys.pk.S;

/** Throws for the item `poison` (counting its attempts), passes every other message on (an acknowledgement). */
const THROW_FOR_POISON = `
if (msg.payload.Dynamodb.Keys.pk.S === 'poison') {
  flow.set('poisonAttempts', (flow.get('poisonAttempts') || 0) + 1);
  throw new Error('cannot process ' + msg.payload.Dynamodb.Keys.pk.S);
}
return msg;`;

describe('source node: failures, retries and the failed output (DynamoDB Local)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();
  useFileContextStore();

  it('a function node throws for one record (caught, back to the source): with maxRetries 2 it is attempted 3 times, then leaves on the failed output once; the others are acknowledged; a restart does not read it again', async function () {
    this.timeout(60_000);
    const table = await createTable(ctx.client, { prefix: 'poison' });
    const base = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxRetries: 2, maxInFlight: 10, checkpointStore: 'file', startingPosition: 'TRIM_HORIZON', name: 'first' },
    });
    const flowNamed = (name: string): FlowNode[] => [
      ...base.map((n) => (n.id === 's1' ? { ...n, name, wires: [['fn'], ['failed']] } : n)),
      { id: 'fn', z: 'f1', type: 'function', name: 'throws for poison', func: THROW_FOR_POISON, outputs: 1, wires: [['h1', 's1']] },
      { id: 'catch1', z: 'f1', type: 'catch', scope: ['fn'], uncaught: false, wires: [['s1']] },
      { id: 'failed', z: 'f1', type: 'helper' },
    ];
    await helper.load([...ourNodes, functionNode, catchNode], flowNamed('first'), sourceCredentials);
    const processed = new MessageCollector(helper.getNode('h1'));
    const failed = new MessageCollector(helper.getNode('failed'));
    const calls = new NodeCalls(helper.getNode('s1'));
    const keys = ['r0', 'r1', 'poison', 'r3', 'r4'];
    for (const key of keys) await table.put({ pk: { S: key } });

    const [givenUp] = await failed.waitFor(1, 15_000);
    const lastSequenceNumber = (await processed.waitFor(4)).map((m) => m.payload.Dynamodb.SequenceNumber as string).sort().pop();
    assert.deepEqual(processed.messages.map(keyOf), ['r0', 'r1', 'r3', 'r4'], 'every other record went through once');
    assert.equal(helper.getNode('fn').context().flow.get('poisonAttempts'), 3);
    assert.equal(keyOf(givenUp), 'poison');
    assert.equal(givenUp.attempts, 3);
    assert.match(givenUp.error.message, /cannot process poison/);
    assert.match(givenUp.dynamodbStream.streamArn, new RegExp(`:table/${table.name}/stream/`));
    assert.equal(givenUp.dynamodbStream.sequenceNumber, givenUp.payload.Dynamodb.SequenceNumber);
    assert.equal(givenUp.cloudevent.subject, 'pk=poison', 'the message it was');
    await eventually(() => storedCheckpoint('s1', 'file') === lastSequenceNumber, 5_000, 'the checkpoint past the given-up record');
    await delay(300);
    assert.equal(failed.messages.length, 1, 'once');
    assert.ok(calls.warnings.some((w) => /givenUp|after 3 failed attempt/.test(w)), `a warning names the given-up record: ${calls.warnings.join(' / ')}`);

    await helper.setFlows(flowNamed('second'), 'nodes', sourceCredentials);
    const afterRestart = new MessageCollector(helper.getNode('h1'));
    await table.put({ pk: { S: 'r5' } });
    await afterRestart.waitFor(1);
    await delay(300);
    assert.deepEqual(afterRestart.messages.map(keyOf), ['r5'], 'nothing read again');
    assert.equal(helper.getNode('fn').context().flow.get('poisonAttempts'), 3);
  });

  it('ignores negative acknowledgements of the previous instance after a redeploy of the source', async function () {
    this.timeout(60_000);
    const table = await createTable(ctx.client, { prefix: 'stalenack' });
    const base = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxRetries: 0, maxInFlight: 10, checkpointStore: 'file', startingPosition: 'TRIM_HORIZON' },
    });
    const flowNamed = (name: string): FlowNode[] => [
      ...base.map((n) => (n.id === 's1' ? { ...n, name, wires: [['h1'], ['failed']] } : n)),
      { id: 'failed', z: 'f1', type: 'helper' },
    ];
    await helper.load(ourNodes, flowNamed('first'), sourceCredentials);
    let sink = new MessageCollector(helper.getNode('h1'));
    await table.put({ pk: { S: 'k1' } });
    const [oldCopy] = await sink.waitFor(1);

    await helper.setFlows(flowNamed('second'), 'nodes', sourceCredentials);
    sink = new MessageCollector(helper.getNode('h1'));
    const failed = new MessageCollector(helper.getNode('failed'));
    const [newCopy] = await sink.waitFor(1);
    helper.getNode('s1').receive({ ...oldCopy, error: { message: 'failed in the old instance' } });
    await delay(500);
    assert.equal(failed.messages.length, 0, 'with maxRetries 0, a counted failure would have given it up');
    helper.getNode('s1').receive(newCopy);
    await eventually(() => storedCheckpoint('s1', 'file') === newCopy.payload.Dynamodb.SequenceNumber, 5_000, 'acknowledged by the new copy');
  });

  it('a flow saved with one output (before the failed output existed) gives a record up with a warning and moves on', async function () {
    this.timeout(30_000);
    const table = await createTable(ctx.client, { prefix: 'oneoutput' });
    const flow = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxRetries: 0, maxInFlight: 10, checkpointStore: 'default', startingPosition: 'TRIM_HORIZON' },
    });
    assert.deepEqual(flow.find((n) => n.id === 's1')?.wires, [['h1']], 'one output wired');
    await helper.load(ourNodes, flow, sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    const sink = new MessageCollector(helper.getNode('h1'));
    await table.put({ pk: { S: 'refused' } });
    await table.put({ pk: { S: 'accepted' } });
    const [refused, accepted] = await sink.waitFor(2);
    helper.getNode('s1').receive({ ...refused, error: { message: 'refused' } });
    helper.getNode('s1').receive(accepted);
    await eventually(() => storedCheckpoint() === accepted.payload.Dynamodb.SequenceNumber, 5_000, 'the checkpoint past both');
    assert.ok(calls.warnings.some((w) => /givenUp|after 1 failed attempt/.test(w)), 'the given-up record is reported');
    assert.ok(!calls.hasStatus((s) => s.fill === 'red'));
  });
});
