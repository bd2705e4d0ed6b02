/**
 * Fault matrix: a real Node-RED (the packed tarball installed in a user directory, its own
 * settings.js with a file-backed context store) is stopped and started again twice on the same user
 * directory while a writer keeps putting numbered items. The flow posts every record to a loopback
 * CloudEvents receiver through the core `http request` node; a `function` node in front of it stamps
 * the order the source emitted in (`x-emit-order: <run>:<count>`), since concurrent HTTP requests may
 * arrive in any order.
 *
 * - auto mode, stopped with SIGINT (Node-RED closes its flows; the node flushes its checkpoint):
 *   nothing lost. Node-RED does not wait for messages in transit when it stops, so the node commits
 *   an auto-mode page's checkpoint only ~20 ms after sending it and drops that commit when the flow
 *   stops first: the pages in transit at the stop come again at the start of the next run (a few
 *   records here), and nothing else repeats.
 * - manual mode (a `complete` node watching the `http request` node acknowledges), killed with
 *   SIGKILL: nothing lost; what was sent but not yet acknowledged and checkpointed comes again at the
 *   start of the next run, and nothing else repeats.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudEventsReceiver } from '../support/cloudevents-receiver';
import { delay, eventually } from '../support/collect';
import { assertDelivery, itemId, reconcileAndPrint, type Delivery } from '../support/delivery-ledger';
import { LOCAL_CREDENTIALS, createTable, localClient, sharedDynamoDbLocal } from '../support/dynamodb';
import { itemOfPayload, waitForAll } from '../support/fault-scenario';
import { FAST_TIMING } from '../support/node-red';
import { NumberedWriter } from '../support/numbered-writer';
import { seededRandom } from '../support/seeded-random';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';
import { configNode, sourceNode } from '../support/flow-nodes';

const RUNS = 3;
const DELIVERIES_BEFORE_STOP = 150;
const BATCH_SIZE = 100;

/** Function node body: stamps the order messages left the source in, per run of Node-RED. */
const STAMP_EMIT_ORDER = `
const count = (context.get('count') || 0) + 1;
context.set('count', count);
msg.headers = Object.assign({}, msg.headers, { 'x-emit-order': env.get('FAULT_RUN') + ':' + count });
return msg;
`;

interface Variant {
  readonly scenario: string;
  readonly ackMode: 'auto' | 'manual';
  readonly signal: 'SIGINT' | 'SIGKILL';
}

describe('fault matrix: Node-RED stopped and started mid-stream (spawned Node-RED, file-backed context store)', function () {
  this.timeout(240_000);
  let endpoint: string;
  let client: DynamoDBClient | undefined;
  let userDir: string | undefined;
  const receivers: CloudEventsReceiver[] = [];
  const processes: NodeRedProcess[] = [];
  const writers: NumberedWriter[] = [];

  before(async function () {
    endpoint = (await sharedDynamoDbLocal()).endpoint;
    client = localClient(endpoint);
    userDir = userDirWithPackage();
  });

  after(async function () {
    for (const nodeRed of processes) await nodeRed.stop();
    for (const writer of writers) await writer.close();
    for (const receiver of receivers) await receiver.stop();
    client?.destroy();
    if (userDir) removeDir(userDir);
  });

  async function run(variant: Variant): Promise<void> {
    const dir = userDir as string;
    const table = await createTable(client as DynamoDBClient, { prefix: `restart-${variant.ackMode}` });
    const receiver = new CloudEventsReceiver();
    receivers.push(receiver);
    const sinkUrl = await receiver.start();
    const flows = [
      { id: 'tab1', type: 'tab', label: 'fault matrix' },
      configNode('c1', table.arn, endpoint),
      sourceNode('s1', 'tab1', 'c1', ['f1'], { batchSize: BATCH_SIZE, checkpointStore: 'file', ackMode: variant.ackMode, ackTimeout: 0 }),
      { id: 'f1', z: 'tab1', type: 'function', name: 'stamp emit order', func: STAMP_EMIT_ORDER, outputs: 1, wires: [['r1']] },
      { id: 'r1', z: 'tab1', type: 'http request', name: 'to sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, wires: [[]] },
      ...(variant.ackMode === 'manual'
        ? [{ id: 'ack1', z: 'tab1', type: 'complete', name: 'acknowledge', scope: ['r1'], uncaught: false, wires: [['s1']] }]
        : []),
    ];
    const settings = {
      dynamodbStreams: FAST_TIMING,
      contextStorage: {
        default: { module: 'memory' },
        file: { module: 'localfilesystem', config: { dir: path.join(dir, `context-${variant.ackMode}`), flushInterval: 1 } },
      },
    };
    const credentials = { c1: { ...LOCAL_CREDENTIALS } };

    const writer = new NumberedWriter({ endpoint, tableName: table.name });
    writers.push(writer);
    writer.start(8);
    const random = seededRandom(variant.signal === 'SIGINT' ? 11 : 12);
    const stoppedCleanly: boolean[] = [];
    for (let runNumber = 1; runNumber <= RUNS; runNumber += 1) {
      const before = receiver.received.length;
      const nodeRed = await startNodeRed({ userDir: dir, flows, credentials, settings, env: { FAULT_RUN: String(runNumber) } });
      processes.push(nodeRed);
      await eventually(() => receiver.received.length - before >= DELIVERIES_BEFORE_STOP, 30_000, `deliveries in run ${runNumber}`);
      if (runNumber === RUNS) break;
      // Stop while records flow (the writer keeps writing, messages are on their way to the sink), and
      // after the file store's 1 s flush interval, so a crash finds some of this run's checkpoints on disk.
      await delay(1_500 + Math.floor(random() * 500));
      if (variant.signal === 'SIGKILL') process.kill(nodeRed.pid, 'SIGKILL');
      await nodeRed.stop();
      processes.splice(processes.indexOf(nodeRed), 1);
      stoppedCleanly.push(/Stopped flows/.test(nodeRed.logs()));
    }
    await delay(1_000);
    await writer.stop();
    const received = () => receiver.received.map(toDelivery).sort(byEmitOrder);
    const complete = await waitForAll(() => writer.written, received, 60_000);
    await delay(500); // late repeats would show up now

    for (const nodeRed of processes.splice(0)) await nodeRed.stop();
    const delivered = received();
    const perRun = Array.from({ length: RUNS }, (_, i) => delivered.filter((d) => d.epoch === i + 1));
    const replayed = perRun.slice(1).map((run, i) => {
      const earlier = new Set(perRun.slice(0, i + 1).flat().map(itemId));
      return run.filter((d) => earlier.has(itemId(d))).length;
    });
    const report = reconcileAndPrint(variant.scenario, { written: writer.written, uncertain: writer.uncertain, delivered }, [
      `deliveries per run ${perRun.map((run) => run.length).join(' / ')}, replayed after each restart ${replayed.join(' / ')}`,
    ]);
    assert.ok(complete, 'everything delivered in time');
    assert.ok(perRun.every((run) => run.length > 0), 'every run delivered');
    if (variant.signal === 'SIGINT') assert.deepEqual(stoppedCleanly, [true, true], 'Node-RED stopped its flows on SIGINT');
    assertDelivery(report, { duplicates: 'replay-at-restart' });
    for (const [i, run] of perRun.slice(1).entries()) {
      const first = Math.min(...run.map((d) => d.n));
      assert.ok(first > 0, `run ${i + 2} resumed from a checkpoint, not from the oldest record (first item ${first})`);
      if (variant.signal === 'SIGINT') {
        // After a clean stop only the pages in transit come again: less than one GetRecords page here.
        assert.ok(replayed[i] < BATCH_SIZE, `run ${i + 2} replayed ${replayed[i]} records`);
      }
    }
  }

  it('resumes from its checkpoint after clean stops (SIGINT) in auto mode: nothing lost, repeats only of the pages in transit at the stop', async function () {
    await run({ scenario: 'Node-RED stopped with SIGINT and restarted twice, auto ack', ackMode: 'auto', signal: 'SIGINT' });
  });

  it('resumes from its checkpoint after crashes (SIGKILL) in manual mode: nothing lost, repeats only of unacknowledged records at the restart', async function () {
    await run({ scenario: 'Node-RED killed with SIGKILL and restarted twice, manual ack', ackMode: 'manual', signal: 'SIGKILL' });
  });
});

function toDelivery(request: { headers: Record<string, string | string[] | undefined>; body: string }): Delivery & { order: number } {
  const stamp = String(request.headers['x-emit-order'] ?? '');
  const [run, order] = stamp.split(':').map(Number);
  if (!Number.isInteger(run) || !Number.isInteger(order)) throw new Error(`request without an emit-order stamp: ${stamp}`);
  return { ...itemOfPayload(JSON.parse(request.body), run), order };
}

function byEmitOrder(a: Delivery & { order: number }, b: Delivery & { order: number }): number {
  return (a.epoch ?? 0) - (b.epoch ?? 0) || a.order - b.order;
}
