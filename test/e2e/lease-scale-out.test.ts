/**
 * Scale-out, the way users run it: the same flow in several real Node-RED processes (the packed
 * tarball in each), sharing one stream through a lease table. DynamoDB Local has one shard per stream
 * and never splits, so the streams are scripted: a loopback endpoint speaks the DynamoDB Streams protocol
 * for streams of several shards (one of them splits) and forwards the lease table to DynamoDB Local
 * started with -sharedDb. Every record is posted to a CloudEvents receiver and acknowledged by a complete node.
 */
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseTable } from '../../nodes/lib/lease/lease-table';
import { leaseConsumerName } from '../../nodes/source-checkpoints';
import { delay, eventually } from '../support/collect';
import { CloudEventsReceiver, type ReceivedRequest } from '../support/cloudevents-receiver';
import { FAST_TIMING } from '../support/node-red';
import { REGION, tableArnOf, type FakeStream } from '../support/mock-stream';
import { LEASE_TABLE, SCALE_OUT_CREDENTIALS, ScaleOutWorkers, keepWriting, leasesOf, ownerOfPid, scaleOutFlow, SOURCE_ID } from '../support/scale-out';
import { startScriptedStreamStack, type ScriptedStreamStack } from '../support/scripted-stream-endpoint';

const FAILOVER_MS = 6_000;
const SHARDS = 4;

describe('scale-out: one flow in several Node-RED processes sharing a stream through a lease table (spawned Node-RED, scripted DynamoDB Streams endpoint, DynamoDB Local -sharedDb)', function () {
  this.timeout(300_000);
  let stack: ScriptedStreamStack;
  let leases: LeaseTable;
  let leaseClient: DynamoDBClient;
  const workers = new ScaleOutWorkers({ ...FAST_TIMING, leaseFailoverMs: FAILOVER_MS });
  const receiver = new CloudEventsReceiver();
  let sinkUrl: string;

  before(async () => {
    stack = await startScriptedStreamStack();
    leaseClient = new DynamoDBClient({ region: REGION, endpoint: stack.dynamoDbLocal.endpoint, credentials: SCALE_OUT_CREDENTIALS.c1, maxAttempts: 2 });
    leases = new LeaseTable(leaseClient, LEASE_TABLE);
    sinkUrl = await receiver.start();
  });

  after(async () => {
    await workers.stopAll();
    await receiver.stop();
    leaseClient?.destroy();
    await stack?.stop();
  });

  /** Shard id → owner, of the table's leases not yet finished. */
  async function owners(table = 'orders'): Promise<Map<string, string | undefined>> {
    return new Map((await leasesOf(leases, table)).filter((l) => l.checkpoint.kind !== 'SHARD_END').map((l) => [l.shardId, l.leaseOwner]));
  }

  /** The flow of every worker: `table`'s stream to `sink` (default: the test's receiver). */
  function flowOf(table: string, options: { sink?: string; maxInFlight?: number } = {}): unknown[] {
    return scaleOutFlow({ endpoint: stack.endpoint.url, table, sink: options.sink ?? sinkUrl, ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}) });
  }

  async function leaseCounts(): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const owner of (await owners()).values()) if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    return [...counts.values()].sort();
  }

  it('shares the shards, takes over after a kill -9 and after a graceful stop, and delivers every record', async () => {
    stack.endpoint.aws.createTable('orders');
    const stream: FakeStream = stack.endpoint.aws.createStream('orders');
    const shards = Array.from({ length: SHARDS }, () => stream.addShard({ records: 5 }));
    const flows = flowOf('orders');
    const stopWriting = keepWriting(stream, shards);
    const received = (): Set<string> => new Set(receiver.received.map((r) => String(r.headers['ce-id'])));

    const a = await workers.start(flows);
    const b = await workers.start(flows);
    await eventually(async () => (await leaseCounts()).join() === '2,2', 30_000, 'the four shards split 2 and 2').catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify([...(await owners())])}\n${a.logs().slice(-2000)}\n${b.logs().slice(-2000)}`);
    });

    const killedAt = Date.now();
    process.kill(a.pid, 'SIGKILL');
    await workers.stop(a);
    await eventually(async () => [...(await owners()).values()].every((owner) => ownerOfPid(owner, b)), 6 * FAILOVER_MS, 'every shard on the survivor');
    const takeoverAfterKill = Date.now() - killedAt;

    const c = await workers.start(flows);
    const joinedAt = Date.now();
    await eventually(async () => (await leaseCounts()).join() === '2,2', 30_000, 'balanced again after a worker joined');
    const balancedAfterJoin = Date.now() - joinedAt;

    const stoppedAt = Date.now();
    const stopping = workers.stop(b);
    await eventually(async () => [...(await owners()).values()].every((owner) => ownerOfPid(owner, c)), 3 * FAILOVER_MS, 'every shard on the last worker');
    const takeoverAfterStop = Date.now() - stoppedAt;
    await stopping;

    await stopWriting();
    const written = stream.records().map((r) => String(r.eventID));
    await eventually(() => written.every((id) => received().has(id)), 60_000, 'every record at the sink').catch(() => undefined);
    const missing = written.filter((id) => !received().has(id));
    const duplicates = receiver.received.length - received().size;
    console.log(
      `      scale-out: written ${written.length}, delivered ${receiver.received.length}, duplicates ${duplicates}, lost ${missing.length}; ` +
        `takeover after kill -9 ${takeoverAfterKill} ms, balanced ${balancedAfterJoin} ms after a join, takeover after a graceful stop ${takeoverAfterStop} ms (failover ${FAILOVER_MS} ms)`,
    );
    if (missing.length > 0) {
      const table = (await leases.listLeases(leaseConsumerName(SOURCE_ID, tableArnOf('orders')))).map((l) => `${l.shardId} owner=${l.leaseOwner} checkpoint=${JSON.stringify(l.checkpoint)} counter=${l.leaseCounter}`);
      const lastOf = (shardId: string): string | undefined => stream.records(shardId).at(-1)?.dynamodb?.SequenceNumber;
      console.log(`      leases:\n        ${table.join('\n        ')}\n      last written per shard: ${shards.map(lastOf).join(', ')}`);
      for (const nodeRed of [a, b, c]) console.log(`      --- worker ${nodeRed.pid}\n${nodeRed.logs().split('\n').filter((l) => /dynamodb-stream-source|lease|error|warn/i.test(l)).slice(-40).join('\n')}`);
    }
    for (const nodeRed of [...workers.running]) await workers.stop(nodeRed);
    assert.deepEqual(missing, [], 'no record lost');
    assert.ok(takeoverAfterStop < FAILOVER_MS, `a graceful stop hands over without waiting for the failover time (${takeoverAfterStop} ms)`);
    // Each shard that changes owner (a steal while balancing, the kill) repeats at most its in-flight
    // window (maxInFlight 20), what was acknowledged since the last renewal wrote its checkpoint (a renew
    // interval, failover/3) and what the old owner still sent before it noticed the loss (at most the
    // failover time, after which it no longer counts the lease as held): 10 records/s per shard here.
    const moves = 2 /* first balance */ + 2 /* kill */ + 2 /* join */ + 2; /* graceful stop */
    const perMove = 20 + Math.ceil(((FAILOVER_MS + FAILOVER_MS / 3) / 1000) * 10);
    assert.ok(duplicates <= moves * perMove, `duplicates bounded by the shards that moved (${duplicates} <= ${moves * perMove})`);
  });

  it('a split while the parent and a child are leased by different workers: no child record before the parent\'s last one was answered, children from TRIM_HORIZON (scripted split, slow sink, maxInFlight 1)', async () => {
    const SINK_DELAY_MS = 150;
    /** Records in the parent when it splits: with maxInFlight 1 and the slow sink, seconds of unacknowledged tail. */
    const PARENT_TAIL = 30;
    stack.endpoint.aws.createTable('splits');
    const stream: FakeStream = stack.endpoint.aws.createStream('splits');
    const parent = stream.addShard({ records: 2 });
    stream.addShard({ records: 2 }); // the other worker's shard
    const slowSink = new CloudEventsReceiver({ answerDelayMs: SINK_DELAY_MS });
    const flows = flowOf('splits', { sink: await slowSink.start(), maxInFlight: 1 });
    try {
      const [a, b] = await Promise.all([workers.start(flows, { WORKER: 'a' }), workers.start(flows, { WORKER: 'b' })]);
      const workerOf = (owner: string | undefined): string | undefined => (ownerOfPid(owner, a) ? 'a' : ownerOfPid(owner, b) ? 'b' : undefined);
      await eventually(async () => new Set([...(await owners('splits')).values()].map(workerOf)).size === 2 && (await owners('splits')).size === 2, 30_000, 'one shard on each worker');

      stream.put(parent, PARENT_TAIL);
      const children = stream.split(parent, 2, 3);
      // Until the parent's end is checkpointed: which worker the table shows holding each child while the parent is held by another.
      const heldAcrossWorkers = new Map<string, string>();
      await eventually(
        async () => {
          const listed = await leasesOf(leases, 'splits');
          const parentLease = listed.find((l) => l.shardId === parent);
          if (!parentLease || parentLease.checkpoint.kind === 'SHARD_END') return true;
          for (const child of listed.filter((l) => children.includes(l.shardId))) {
            const holder = workerOf(child.leaseOwner);
            if (holder && parentLease.leaseOwner && holder !== workerOf(parentLease.leaseOwner)) heldAcrossWorkers.set(child.shardId, holder);
          }
          return false;
        },
        60_000,
        "the parent's end checkpointed",
      );
      for (const child of children) stream.put(child, 2);

      const written = stream.records().map((r) => String(r.eventID));
      const answered = (): Map<string, ReceivedRequest> => new Map(slowSink.received.filter((r) => r.answeredAt !== undefined).map((r) => [String(r.headers['ce-id']), r]));
      await eventually(() => written.every((id) => answered().has(id)), 60_000, 'every record at the sink and answered').catch(() => undefined);
      for (const nodeRed of [a, b]) await workers.stop(nodeRed);

      const missing = written.filter((id) => !answered().has(id));
      const firstArrival = new Map<string, ReceivedRequest>();
      for (const request of slowSink.received) if (!firstArrival.has(String(request.headers['ce-id']))) firstArrival.set(String(request.headers['ce-id']), request);
      const firstAnswer = (id: string): number => Math.min(...slowSink.received.filter((r) => r.headers['ce-id'] === id && r.answeredAt !== undefined).map((r) => r.answeredAt as number));
      const parentAnsweredAt = Math.max(...stream.records(parent).map((r) => firstAnswer(String(r.eventID))));
      const childRecords = children.flatMap((child) => stream.records(child).map((r) => ({ child, id: String(r.eventID) })));
      const tooEarly = childRecords.filter(({ id }) => (firstArrival.get(id)?.receivedAt ?? Infinity) <= parentAnsweredAt);
      const firstOfChild = (child: string): ReceivedRequest | undefined => {
        const ids = new Set(stream.records(child).map((r) => r.eventID));
        return slowSink.received.find((r) => ids.has(String(r.headers['ce-id'])));
      };
      const crossWorker = children.filter((child) => heldAcrossWorkers.has(child) && firstOfChild(child)?.headers['x-worker'] === heldAcrossWorkers.get(child));
      console.log(
        `      split: written ${written.length}, lost ${missing.length}; parent ${parent} (${stream.records(parent).length} records) last answered at +0 ms; ` +
          children.map((child) => `${child} held by ${heldAcrossWorkers.get(child) ?? "the parent's worker"} while the parent was unfinished, first record by ${String(firstOfChild(child)?.headers['x-worker'])} at +${(firstOfChild(child)?.receivedAt ?? NaN) - parentAnsweredAt} ms`).join('; '),
      );
      assert.deepEqual(missing, [], 'every record delivered and answered');
      assert.deepEqual(tooEarly, [], "no child record arrived before the parent's last record was answered");
      for (const child of children) assert.equal(firstOfChild(child)?.headers['ce-id'], stream.records(child)[0].eventID, `${child} read from TRIM_HORIZON: its first record arrived first`);
      assert.ok(crossWorker.length > 0, `a child was leased by another worker than the parent's while the parent was unfinished, and read by that worker (held across workers: ${JSON.stringify([...heldAcrossWorkers])})`);
    } finally {
      await slowSink.stop();
    }
  });

  it('a worker frozen past the failover time (kill -STOP) and thawed (kill -CONT) finds its shards taken and reads nothing more from them', async () => {
    stack.endpoint.aws.createTable('zombies');
    const stream: FakeStream = stack.endpoint.aws.createStream('zombies');
    const shards = Array.from({ length: SHARDS }, () => stream.addShard({ records: 2 }));
    const flows = flowOf('zombies');
    const stopWriting = keepWriting(stream, shards);
    const zombie = await workers.start(flows, { WORKER: 'zombie' });
    const survivor = await workers.start(flows, { WORKER: 'survivor' });
    const zombieOwners = async (): Promise<number> => [...(await owners('zombies')).values()].filter((o) => ownerOfPid(o, zombie)).length;
    await eventually(async () => (await zombieOwners()) === 2, 30_000, 'two shards on each worker');

    process.kill(zombie.pid, 'SIGSTOP');
    const lastBeforeFreeze = stream.records().map((r) => BigInt(r.dynamodb!.SequenceNumber!)).reduce((a, b) => (a > b ? a : b));
    await eventually(async () => [...(await owners('zombies')).values()].every((o) => ownerOfPid(o, survivor)), 6 * FAILOVER_MS, 'every shard on the survivor');
    process.kill(zombie.pid, 'SIGCONT');
    // For the failover time after the thaw: every record the zombie posts is either one it had read before
    // the freeze (in flight then), or of a shard the table shows it owning again (a later take is allowed).
    const violations: string[] = [];
    let examined = receiver.received.length;
    let ownedBefore = new Set<string>();
    let postedAfterThaw = 0;
    const until = Date.now() + FAILOVER_MS;
    while (Date.now() < until) {
      const arrived = receiver.received.length;
      const owned = new Set([...(await owners('zombies')).entries()].filter(([, owner]) => ownerOfPid(owner, zombie)).map(([shardId]) => shardId));
      for (const request of receiver.received.slice(examined, arrived)) {
        if (request.headers['x-worker'] !== 'zombie') continue;
        postedAfterThaw += 1;
        if (BigInt(String(request.headers['ce-id']).replace(/^ev-/, '')) <= lastBeforeFreeze) continue;
        const shardId = String((JSON.parse(request.body) as { Dynamodb: { Keys: { pk: { S: string } } } }).Dynamodb.Keys.pk.S).split('/')[0];
        if (!owned.has(shardId) && !ownedBefore.has(shardId)) violations.push(`${String(request.headers['ce-id'])} of ${shardId}`);
      }
      examined = arrived;
      ownedBefore = owned;
      await delay(50);
    }
    await stopWriting();

    const written = stream.records().map((r) => String(r.eventID));
    const received = (): Set<string> => new Set(receiver.received.map((r) => String(r.headers['ce-id'])));
    await eventually(() => written.every((id) => received().has(id)), 60_000, 'every record at the sink').catch(() => undefined);
    const missing = written.filter((id) => !received().has(id));
    console.log(`      zombie: written ${written.length}, lost ${missing.length}; in the failover time after the thaw the zombie posted ${postedAfterThaw} message(s)`);
    assert.deepEqual(missing, [], 'no record lost');
    assert.deepEqual(violations, [], 'the thawed worker posts nothing read from shards it no longer owns');
    assert.ok(/Lost the lease of shard/.test(zombie.logs()), 'the thawed worker logs that it lost its leases');
  });
});
