import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { helper, ourNodes, sourceCredentials, sourceFlow, useFileContextStore, useNodeRedWithDynamoDbLocal, type FlowNode } from '../support/node-red';
import { MessageCollector, delay, eventually, type Msg } from '../support/collect';
import { NodeCalls } from '../support/node-events';
import { storedCheckpoint, storedSequenceNumber } from '../support/stored-checkpoint';

/* eslint-disable @typescript-eslint/no-require-imports */
const completeNode = require('@node-red/nodes/core/common/24-complete.js');
const changeNode = require('@node-red/nodes/core/function/15-change.js');


const keyOf = (msg: Msg): string => msg.payload.Dynamodb.Keys.pk.S;
const seqOf = (msg: Msg): string => msg.payload.Dynamodb.SequenceNumber;

describe('source node: checkpoints and acknowledged delivery (DynamoDB Local)', function () {
  const ctx = useNodeRedWithDynamoDbLocal();
  useFileContextStore();

  it('resumes after redeploys from its checkpoint in a file-backed context store: none lost, in order, repeats only a page in transit', async function () {
    this.timeout(60_000);
    const table = await createTable(ctx.client, { prefix: 'resume' });
    const flow = sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: { startingPosition: 'LATEST', checkpointStore: 'file' } });
    await helper.load(ourNodes, flow, sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    await eventually(() => calls.hasStatus((s) => s.fill === 'green'), 10_000, 'reading');
    await delay(300);
    const received: string[] = [];
    let collector = new MessageCollector(helper.getNode('h1'));
    const written: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const key = `r${round}-${i}`;
        await table.put({ pk: { S: key } });
        written.push(key);
      }
      // Without a checkpoint a restart begins at LATEST again: let the first round be checkpointed.
      if (round === 0) {
        await collector.waitFor(10);
        await eventually(() => storedSequenceNumber('s1', 'file') !== undefined, 5_000, 'the first checkpoint');
      }
      const beforeRedeploy = collector;
      await helper.setFlows(flow, 'full', sourceCredentials);
      received.push(...beforeRedeploy.messages.map(keyOf));
      collector = new MessageCollector(helper.getNode('h1'));
    }
    const firstSeen = (): string[] => [...new Set([...received, ...collector.messages.map(keyOf)])];
    await eventually(() => firstSeen().length >= written.length, 15_000, 'every record').catch(() => undefined);
    await delay(500);
    received.push(...collector.messages.map(keyOf));
    assert.deepEqual([...new Set(received)], written, 'every record, in write order');
    const duplicates = received.length - new Set(received).size;
    assert.ok(duplicates <= 3 * 10, `repeats only the page in transit at each of the 3 redeploys (${duplicates})`);
  });

  it('keeps at most maxInFlight messages unacknowledged per shard (acknowledged ones behind an open one free their room), and moves the checkpoint over the acknowledged prefix only', async function () {
    const table = await createTable(ctx.client, { prefix: 'window' });
    const flow = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxInFlight: 3, checkpointStore: 'default', startingPosition: 'TRIM_HORIZON' },
    });
    await helper.load(ourNodes, flow, sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    for (let i = 0; i < 8; i++) await table.put({ pk: { S: `item-${i}` } });
    const first = await collector.waitFor(3);
    await delay(600);
    assert.equal(collector.messages.length, 3, 'reading paused at maxInFlight');
    assert.equal(storedCheckpoint(), 'TRIM_HORIZON', 'nothing acknowledged: the checkpoint is where reading began');

    const source = helper.getNode('s1');
    source.receive(first[1]);
    source.receive(first[2]);
    await collector.waitFor(5);
    await delay(400);
    assert.equal(collector.messages.length, 5, 'the two acknowledged messages free room for two more while the first is open');
    assert.equal(storedCheckpoint(), 'TRIM_HORIZON', 'the checkpoint waits for the first message');

    source.receive(first[0]);
    await eventually(() => storedCheckpoint() === seqOf(first[2]), 3_000, 'checkpoint at the third record');
    for (const message of collector.messages.slice(3, 5)) source.receive(message);
    await collector.waitFor(8);
    assert.deepEqual(collector.messages.slice(0, 8).map(keyOf), ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6', 'item-7']);
  });

  it('acknowledges through ordinary nodes: change node, then a complete node wired back to the input', async function () {
    const table = await createTable(ctx.client, { prefix: 'complete' });
    const base = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', maxInFlight: 2, checkpointStore: 'default', startingPosition: 'TRIM_HORIZON' },
    });
    const flow: FlowNode[] = base.map((n) => (n.id === 's1' ? { ...n, wires: [['ch1']] } : n));
    flow.push(
      {
        id: 'ch1',
        z: 'f1',
        type: 'change',
        rules: [{ t: 'set', p: 'payload.processed', pt: 'msg', to: 'true', tot: 'bool' }],
        wires: [['h1']],
      },
      { id: 'done1', z: 'f1', type: 'complete', scope: ['ch1'], uncaught: false, wires: [['s1']] },
    );
    await helper.load([...ourNodes, changeNode, completeNode], flow, sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    for (let i = 0; i < 10; i++) await table.put({ pk: { S: `c-${i}` } });
    const messages = await collector.waitFor(10);
    assert.deepEqual(messages.map(keyOf), Array.from({ length: 10 }, (_, i) => `c-${i}`));
    assert.ok(messages.every((m) => m.payload.processed === true));
    await eventually(() => storedCheckpoint() === seqOf(messages[9]), 3_000, 'checkpoint at the last record');
  });

  it('sends a message again when it is not acknowledged within ackTimeout, as its next attempt', async function () {
    const table = await createTable(ctx.client, { prefix: 'acktimeout' });
    const flow = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: { ackMode: 'manual', ackTimeout: 1, maxInFlight: 10, startingPosition: 'TRIM_HORIZON' },
    });
    await helper.load(ourNodes, flow, sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    await table.put({ pk: { S: 'never-acked' } });
    const [original, again] = await collector.waitFor(2, 5_000);
    assert.equal(again.cloudevent.id, original.cloudevent.id);
    assert.deepEqual({ ...again._dynamodbStreamAck, attempt: 1 }, original._dynamodbStreamAck, 'the same delivery');
    assert.equal(again._dynamodbStreamAck.attempt, 2);
    helper.getNode('s1').receive(again);
    await delay(1_500);
    assert.equal(collector.messages.length, 2, 'acknowledged: not sent a third time');
  });
});
