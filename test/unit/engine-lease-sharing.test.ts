import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureLeaseTable } from '../../nodes/lib/lease/lease-table-setup';
import type { OutgoingMessage } from '../../nodes/lib/message-builder';
import { delay, eventually } from '../support/collect';
import { localClient, sharedDynamoDbLocal, uniqueTableName } from '../support/dynamodb';
import { keyOfMessage, startPipeline, type Pipeline } from '../support/engine-pipeline';
import { FakeAws, keysOf, type FakeStream } from '../support/mock-stream';

const FAILOVER_MS = 1_500;

interface Delivered {
  readonly worker: string;
  readonly shardId: string;
  readonly key: string;
}

describe('engine: workers sharing a stream through a lease table (mocked DynamoDB Streams, lease table on DynamoDB Local)', function () {
  this.timeout(30_000);
  let client: DynamoDBClient;
  let fake: FakeAws;
  let pipelines: Pipeline[];
  let delivered: Delivered[];
  let tableName: string;

  before(async () => {
    client = localClient((await sharedDynamoDbLocal()).endpoint);
  });

  after(() => client.destroy());

  beforeEach(async () => {
    fake = new FakeAws();
    pipelines = [];
    delivered = [];
    tableName = uniqueTableName('leases');
    await ensureLeaseTable(client, tableName, { pollIntervalMs: 10 });
  });

  afterEach(async () => {
    await Promise.all(pipelines.map((p) => p.crash()));
    fake.restore();
  });

  async function worker(workerId: string, stream: FakeStream, ackMode: 'auto' | 'manual' = 'auto'): Promise<Pipeline> {
    const pipeline = await startPipeline(fake, stream.arn, {
      ackMode,
      lease: { client, tableName, workerId, failoverMs: FAILOVER_MS },
      onMessage: (message: OutgoingMessage, p) => {
        const { shardId } = message.dynamodbStream as { shardId: string };
        delivered.push({ worker: workerId, shardId, key: keyOfMessage(message) });
        if (ackMode === 'manual') p.ack(message);
      },
    });
    pipelines.push(pipeline);
    return pipeline;
  }

  /** Two manual-mode workers on four shards of three records, balanced and with those 12 records delivered. */
  async function twoWorkersOnFourShards(): Promise<{ stream: FakeStream; shards: string[]; a: Pipeline; b: Pipeline }> {
    const stream = fake.createStream();
    const shards = [0, 1, 2, 3].map(() => stream.addShard({ records: 3 }));
    const a = await worker('workerA', stream, 'manual');
    const b = await worker('workerB', stream, 'manual');
    await eventually(() => held(a, stream).length === 2 && held(b, stream).length === 2, 15_000, 'two shards each');
    await eventually(() => keysDelivered().size === 12, 10_000, 'the first 12 records');
    await quietFor(FAILOVER_MS);
    return { stream, shards, a, b };
  }

  /** Waits until nothing was delivered for `ms`: what a thief re-reads after a steal during balancing has arrived by then. */
  async function quietFor(ms: number): Promise<void> {
    let count = -1;
    while (count !== delivered.length) {
      count = delivered.length;
      await delay(ms);
    }
  }

  const held = (p: Pipeline, stream: FakeStream): string[] => stream.shards.map((s) => s.shardId).filter((id) => p.coordinator!.holds(p.coordinator!.leaseKey(stream.arn, id)));
  const keysDelivered = (): Set<string> => new Set(delivered.map((d) => d.key));

  /** Samples both workers' held leases until `until` resolves: never the same shard held by both. */
  async function neverHeldTwice(a: Pipeline, b: Pipeline, stream: FakeStream, until: Promise<unknown>): Promise<void> {
    let done = false;
    void until.finally(() => (done = true));
    while (!done) {
      const both = held(a, stream).filter((id) => held(b, stream).includes(id));
      assert.deepEqual(both, [], 'a shard held by two workers at once');
      await delay(10);
    }
    await until;
  }

  it('two workers split four shards between them, every record is delivered, no shard is held by both at once', async () => {
    const stream = fake.createStream();
    const shards = [0, 1, 2, 3].map(() => stream.addShard({ records: 5 }));
    const a = await worker('workerA', stream);
    const b = await worker('workerB', stream);
    const balanced = eventually(() => held(a, stream).length === 2 && held(b, stream).length === 2, 15_000, 'two shards each');
    await neverHeldTwice(a, b, stream, balanced);
    for (const shardId of shards) stream.put(shardId, 2);
    await eventually(() => keysDelivered().size === 28, 10_000, 'all 28 records');
    assert.deepEqual([...keysDelivered()].sort(), keysOf(stream.records()).sort());
    const lastOwner = new Map(delivered.map((d) => [d.shardId, d.worker]));
    for (const shardId of shards) {
      const newest = keysOf(stream.records(shardId)).slice(-2);
      const byOwner = delivered.filter((d) => newest.includes(d.key));
      assert.ok(byOwner.every((d) => d.worker === lastOwner.get(shardId)), `the newest records of ${shardId} come from its one owner`);
    }
  });

  it('a worker joining takes its share by steals, and each steal is handed over: nothing acknowledged is sent again', async () => {
    const stream = fake.createStream();
    const shards = [0, 1, 2, 3].map(() => stream.addShard({ records: 3 }));
    const a = await worker('workerA', stream, 'manual');
    await eventually(() => held(a, stream).length === 4 && keysDelivered().size === 12, 10_000, 'workerA alone reads all four shards');
    const joinedAt = performance.now();
    const b = await worker('workerB', stream, 'manual');
    await eventually(() => held(a, stream).length === 2 && held(b, stream).length === 2, 4 * FAILOVER_MS, 'two shards each');
    const balanced = performance.now() - joinedAt;
    for (const shardId of shards) stream.put(shardId, 2);
    await eventually(() => keysDelivered().size === 20, 10_000, 'all 20 records');
    const sentTwice = delivered.filter((d, i) => delivered.findIndex((e) => e.key === d.key) !== i);
    assert.deepEqual(sentTwice, [], 'the stolen shards start where their previous owner had acknowledged');
    console.log(`      steals handed over: balanced ${Math.round(balanced)} ms after the join (failover ${FAILOVER_MS} ms)`);
  });

  it('a worker that stops hands its shards over at once: the other takes them well before the failover time and loses nothing', async () => {
    const { stream, shards, a, b } = await twoWorkersOnFourShards();
    const before = keysOf(stream.records());
    const deliveredBeforeStop = delivered.length;
    const stoppedAt = performance.now();
    pipelines = pipelines.filter((p) => p !== a);
    await a.stop();
    await eventually(() => held(b, stream).length === 4, FAILOVER_MS, 'all four shards on workerB before the failover time');
    const takeover = performance.now() - stoppedAt;
    for (const shardId of shards) stream.put(shardId, 2);
    await eventually(() => keysDelivered().size === 20, 10_000, 'all 20 records');
    const afterStop = delivered.filter((d) => d.worker === 'workerA' && !before.includes(d.key));
    assert.deepEqual(afterStop, [], 'the stopped worker sent nothing more');
    const seenBeforeStop = new Set(delivered.slice(0, deliveredBeforeStop).map((d) => d.key));
    const repeats = delivered.slice(deliveredBeforeStop).filter((d) => seenBeforeStop.has(d.key));
    assert.deepEqual(repeats, [], 'acknowledged records are not sent again after a graceful hand-over');
    console.log(`      graceful hand-over: taken over in ${Math.round(takeover)} ms (failover ${FAILOVER_MS} ms)`);
  });

  it('a worker that crashes loses its shards after the failover time: the other resumes them from their checkpoints, nothing lost', async () => {
    const { stream, shards, a, b } = await twoWorkersOnFourShards();
    await delay(FAILOVER_MS / 2); // a renewal writes the deferred checkpoints
    pipelines = pipelines.filter((p) => p !== a);
    await a.crash();
    for (const shardId of shards) stream.put(shardId, 2);
    await eventually(() => held(b, stream).length === 4, 3 * FAILOVER_MS, 'all four shards on workerB after the failover time');
    await eventually(() => keysDelivered().size === 20, 10_000, 'all 20 records');
    const repeats = delivered.length - keysDelivered().size;
    assert.ok(repeats <= 6, `repeats only what the crashed worker had not checkpointed (${repeats})`);
  });
});
