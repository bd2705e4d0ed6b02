/**
 * Scale-out, the way users run it: the same flow in several real Node-RED processes (the packed
 * tarball in each), sharing one stream through a lease table. DynamoDB Local has one shard per stream
 * and never splits, so the stream is scripted: a loopback endpoint speaks the DynamoDB Streams protocol
 * for a four-shard stream and forwards the lease table to DynamoDB Local started with -sharedDb.
 * Every record is posted to a CloudEvents receiver and acknowledged by a complete node.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Lease } from '../../nodes/lib/lease/lease';
import { LeaseTable } from '../../nodes/lib/lease/lease-table';
import { leaseConsumerName } from '../../nodes/source-checkpoints';
import { delay, eventually } from '../support/collect';
import { CloudEventsReceiver } from '../support/cloudevents-receiver';
import { FAST_TIMING } from '../support/node-red';
import { configNode, sourceNode } from '../support/flow-nodes';
import { REGION, tableArnOf, type FakeStream } from '../support/mock-stream';
import { startScriptedStreamStack, type ScriptedStreamStack } from '../support/scripted-stream-endpoint';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

const LEASE_TABLE = 'nodeRedLeases';
/** Function node body: names the worker that sent the record in a header. */
const STAMP_WORKER = `msg.headers = Object.assign({}, msg.headers, { 'x-worker': env.get('WORKER') }); return msg;`;
const FAILOVER_MS = 6_000;
const SHARDS = 4;
/** DynamoDB Local accepts access key ids of letters and digits only. */
const CREDENTIALS = { c1: { accessKeyId: 'scaleout', secretAccessKey: 'secret' } };

describe('scale-out: one flow in several Node-RED processes sharing a stream through a lease table (spawned Node-RED, scripted DynamoDB Streams endpoint, DynamoDB Local -sharedDb)', function () {
  this.timeout(300_000);
  let stack: ScriptedStreamStack;
  let leases: LeaseTable;
  let leaseClient: DynamoDBClient;
  let template: string;
  const dirs: string[] = [];
  const processes: NodeRedProcess[] = [];
  const receiver = new CloudEventsReceiver();
  let sinkUrl: string;

  before(async () => {
    stack = await startScriptedStreamStack();
    leaseClient = new DynamoDBClient({ region: REGION, endpoint: stack.dynamoDbLocal.endpoint, credentials: CREDENTIALS.c1, maxAttempts: 2 });
    leases = new LeaseTable(leaseClient, LEASE_TABLE);
    template = userDirWithPackage();
    dirs.push(template);
    sinkUrl = await receiver.start();
  });

  after(async () => {
    for (const nodeRed of processes) await nodeRed.stop();
    await receiver.stop();
    leaseClient?.destroy();
    await stack?.stop();
    for (const dir of dirs) removeDir(dir);
  });

  async function startWorker(flows: unknown[], env: Record<string, string> = {}): Promise<NodeRedProcess> {
    const userDir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-worker-'));
    cpSync(template, userDir, { recursive: true });
    dirs.push(userDir);
    const nodeRed = await startNodeRed({
      userDir,
      flows,
      credentials: CREDENTIALS,
      settings: { dynamodbStreams: { ...FAST_TIMING, leaseFailoverMs: FAILOVER_MS } },
      env,
    });
    processes.push(nodeRed);
    return nodeRed;
  }

  /** Shard id → owner, of the table's leases not yet finished. */
  async function owners(table = 'orders'): Promise<Map<string, string | undefined>> {
    const listed: Lease[] = await leases.listLeases(leaseConsumerName('s1', tableArnOf(table))).catch(() => []);
    return new Map(listed.filter((l) => l.checkpoint.kind !== 'SHARD_END').map((l) => [l.shardId, l.leaseOwner]));
  }

  async function leaseCounts(): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const owner of (await owners()).values()) if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    return [...counts.values()].sort();
  }

  /** The flow every worker runs: each record POSTed to the sink (stamped with the worker's WORKER env) and acknowledged when the POST succeeds. */
  function scaleOutFlow(): unknown[] {
    return [
      { id: 'tab1', type: 'tab', label: 'scale-out' },
      configNode('c1', tableArnOf('orders'), stack.endpoint.url, { region: REGION }),
      // ackTimeout: a POST that fails (the sink is a process on a busy machine) is not acknowledged and is sent again.
      sourceNode('s1', 'tab1', 'c1', ['stamp'], { checkpointStore: 'lease', leaseTable: LEASE_TABLE, ackMode: 'manual', maxInFlight: 20, ackTimeout: 5 }),
      { id: 'stamp', z: 'tab1', type: 'function', name: 'stamp worker', func: STAMP_WORKER, outputs: 1, wires: [['post']] },
      { id: 'post', z: 'tab1', type: 'http request', name: 'to sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, wires: [[]] },
      { id: 'ack', z: 'tab1', type: 'complete', name: 'acknowledge', scope: ['post'], uncaught: false, wires: [['s1']] },
    ];
  }

  /** Appends a record to every shard each 100 ms until the returned function is called (which waits for the loop to end). */
  function keepWriting(stream: FakeStream, shards: readonly string[]): () => Promise<void> {
    let writing = true;
    const loop = (async () => {
      while (writing) {
        for (const shardId of shards) stream.put(shardId, 1);
        await delay(100);
      }
    })();
    return async () => {
      writing = false;
      await loop;
    };
  }

  function ownerOfPid(owner: string | undefined, nodeRed: NodeRedProcess): boolean {
    return owner !== undefined && owner.endsWith(`-${nodeRed.pid}`);
  }

  it('shares the shards, takes over after a kill -9 and after a graceful stop, and delivers every record', async () => {
    stack.endpoint.aws.createTable('orders');
    const stream: FakeStream = stack.endpoint.aws.createStream('orders');
    const shards = Array.from({ length: SHARDS }, () => stream.addShard({ records: 5 }));
    const flows = scaleOutFlow();
    const stopWriting = keepWriting(stream, shards);
    const received = (): Set<string> => new Set(receiver.received.map((r) => String(r.headers['ce-id'])));

    const a = await startWorker(flows);
    const b = await startWorker(flows);
    await eventually(async () => (await leaseCounts()).join() === '2,2', 30_000, 'the four shards split 2 and 2').catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify([...(await owners())])}\n${a.logs().slice(-2000)}\n${b.logs().slice(-2000)}`);
    });

    const killedAt = Date.now();
    process.kill(a.pid, 'SIGKILL');
    await a.stop();
    processes.splice(processes.indexOf(a), 1);
    await eventually(async () => [...(await owners()).values()].every((owner) => ownerOfPid(owner, b)), 6 * FAILOVER_MS, 'every shard on the survivor');
    const takeoverAfterKill = Date.now() - killedAt;

    const c = await startWorker(flows);
    const joinedAt = Date.now();
    await eventually(async () => (await leaseCounts()).join() === '2,2', 30_000, 'balanced again after a worker joined');
    const balancedAfterJoin = Date.now() - joinedAt;

    const stoppedAt = Date.now();
    const stopping = b.stop();
    await eventually(async () => [...(await owners()).values()].every((owner) => ownerOfPid(owner, c)), 3 * FAILOVER_MS, 'every shard on the last worker');
    const takeoverAfterStop = Date.now() - stoppedAt;
    await stopping;
    processes.splice(processes.indexOf(b), 1);

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
      const table = (await leases.listLeases(leaseConsumerName('s1', tableArnOf('orders')))).map((l) => `${l.shardId} owner=${l.leaseOwner} checkpoint=${JSON.stringify(l.checkpoint)} counter=${l.leaseCounter}`);
      const lastOf = (shardId: string): string | undefined => stream.records(shardId).at(-1)?.dynamodb?.SequenceNumber;
      console.log(`      leases:\n        ${table.join('\n        ')}\n      last written per shard: ${shards.map(lastOf).join(', ')}`);
      for (const nodeRed of [a, b, c]) console.log(`      --- worker ${nodeRed.pid}\n${nodeRed.logs().split('\n').filter((l) => /dynamodb-stream-source|lease|error|warn/i.test(l)).slice(-40).join('\n')}`);
    }
    for (const nodeRed of processes.splice(0)) await nodeRed.stop();
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

  it('a worker frozen past the failover time (kill -STOP) and thawed (kill -CONT) finds its shards taken and reads nothing more from them', async () => {
    stack.endpoint.aws.createTable('zombies');
    const stream: FakeStream = stack.endpoint.aws.createStream('zombies');
    const shards = Array.from({ length: SHARDS }, () => stream.addShard({ records: 2 }));
    const flows = scaleOutFlow().map((n) => ((n as { id: string }).id === 'c1' ? configNode('c1', tableArnOf('zombies'), stack.endpoint.url, { region: REGION }) : n));
    const stopWriting = keepWriting(stream, shards);
    const zombie = await startWorker(flows, { WORKER: 'zombie' });
    const survivor = await startWorker(flows, { WORKER: 'survivor' });
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
