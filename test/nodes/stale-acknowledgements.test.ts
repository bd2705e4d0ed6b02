import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { MessageCollector, delay, eventually, type Msg } from '../support/collect';
import { NodeCalls } from '../support/node-events';
import { storedCheckpoint } from '../support/stored-checkpoint';
import { helper, ourNodes, sourceCredentials, sourceFlow, useFileContextStore, useNodeRedWithDynamoDbLocal, type FlowNode } from '../support/node-red';

/* eslint-disable @typescript-eslint/no-require-imports */
const functionNode = require('@node-red/nodes/core/function/10-function.js');

const keyOf = (msg: Msg): string => msg.payload.Dynamodb.Keys.pk.S;
const seqOf = (msg: Msg): string => msg.payload.Dynamodb.SequenceNumber;

/** Holds every message; a msg `{ release: [keys] }` sends the held copies of those keys on (back to the source). */
const HOLD_AND_RELEASE = `
const held = context.get('held') || [];
if (msg.release) {
  const out = held.filter((m) => msg.release.includes(m.payload.Dynamodb.Keys.pk.S) && m.heldGeneration === msg.generation);
  context.set('held', held.filter((m) => !out.includes(m)));
  return [out];
}
msg.heldGeneration = flow.get('generation');
held.push(msg);
context.set('held', held);
return null;`;

describe('source node: acknowledgements of a previous instance (DynamoDB Local)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();
  useFileContextStore();

  it('ignores acknowledgements that come back after a redeploy of the source node alone; the checkpoint never passes an unacknowledged record', async function () {
    this.timeout(60_000);
    const table = await createTable(ctx.client, { prefix: 'stale' });
    const base = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxInFlight: 50, ackTimeout: 0, checkpointStore: 'file', startingPosition: 'TRIM_HORIZON' },
    });
    const flowWith = (sourceName: string): FlowNode[] => [
      ...base.map((n) => (n.id === 's1' ? { ...n, name: sourceName, wires: [['h1', 'hold']] } : n)),
      { id: 'hold', z: 'f1', type: 'function', name: 'hold and release', func: HOLD_AND_RELEASE, outputs: 1, wires: [['s1']] },
    ];
    const checkpoint = (): string | undefined => storedCheckpoint('s1', 'file');
    const release = (generation: number, keys: string[]): void => helper.getNode('hold').receive({ release: keys, generation });
    const keys = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `r${from + i}`);

    await helper.load([...ourNodes, functionNode], flowWith('first'), sourceCredentials);
    helper.getNode('hold').context().flow.set('generation', 1);
    let collector = new MessageCollector(helper.getNode('h1'));
    for (const key of keys(0, 9)) await table.put({ pk: { S: key } });
    const firstCopies = await collector.waitFor(10);
    release(1, keys(0, 2));
    await eventually(() => checkpoint() === seqOf(firstCopies[2]), 5_000, 'checkpoint at r2');

    await helper.setFlows(flowWith('second'), 'nodes', sourceCredentials);
    helper.getNode('hold').context().flow.set('generation', 2);
    collector = new MessageCollector(helper.getNode('h1'));
    const calls = new NodeCalls(helper.getNode('s1'));
    await collector.waitFor(7);
    for (const key of keys(10, 12)) await table.put({ pk: { S: key } });
    const secondCopies = await collector.waitFor(10);
    assert.deepEqual(secondCopies.map(keyOf), keys(3, 12), 'the new instance re-sends r3..r9, then r10..r12');

    release(1, keys(3, 9));
    release(2, keys(3, 5));
    await eventually(() => checkpoint() !== seqOf(firstCopies[2]), 5_000, 'the checkpoint to move');
    await delay(500);
    assert.equal(checkpoint(), seqOf(secondCopies[2]), 'the checkpoint stays at r5: r6..r12 were never acknowledged by this instance');
    assert.ok(!calls.hasStatus((s) => s.fill === 'red'), 'stale acknowledgements are no error');

    await helper.setFlows(flowWith('third'), 'nodes', sourceCredentials);
    collector = new MessageCollector(helper.getNode('h1'));
    const afterRestart = await collector.waitFor(7);
    assert.deepEqual(afterRestart.map(keyOf), keys(6, 12), 'r6..r12 are read again');
  });
});
