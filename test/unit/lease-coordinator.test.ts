import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Lease } from '../../nodes/lib/lease/lease';
import type { LeaseCoordinator } from '../../nodes/lib/lease/lease-coordinator';
import type { LeaseLossReason } from '../../nodes/lib/lease/lease-renewer';
import { LeaseTable } from '../../nodes/lib/lease/lease-table';
import { ensureLeaseTable } from '../../nodes/lib/lease/lease-table-setup';
import { localClient, sharedDynamoDbLocal, uniqueTableName } from '../support/dynamodb';
import { STREAM_ARN, WorkerFleet, countCommands, rootShards } from '../support/lease-fixtures';

const FAILOVER_MS = 10_000;

function lossesOf(worker: LeaseCoordinator): Array<{ shardId: string; reason: LeaseLossReason }> {
  const losses: Array<{ shardId: string; reason: LeaseLossReason }> = [];
  worker.on('lost', (lease: Lease, reason) => losses.push({ shardId: lease.shardId, reason }));
  return losses;
}

describe('lease coordinator (DynamoDB Local, injected clock)', () => {
  let client: DynamoDBClient;
  let writes: Map<string, number>;
  let fleet: WorkerFleet;
  let table: LeaseTable;

  before(async () => {
    client = localClient((await sharedDynamoDbLocal()).endpoint);
    writes = countCommands(client);
  });

  beforeEach(async () => {
    const name = uniqueTableName('leases');
    await ensureLeaseTable(client, name, { pollIntervalMs: 10 });
    fleet = new WorkerFleet(client, name);
    table = new LeaseTable(client, name);
  });

  after(() => client.destroy());

  it('creates a lease per discovered shard, once, and a lone worker takes them all', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    await b.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    assert.equal((await table.listLeases('node-1')).length, 3);
    const taken: string[] = [];
    a.on('taken', (lease) => taken.push(lease.shardId));
    await a.takeLeases();
    assert.deepEqual(taken.sort(), rootShards(3).map((s) => s.shardId));
    for (const shard of rootShards(3)) assert.equal(a.holds(a.leaseKey(STREAM_ARN, shard.shardId)), true);
    assert.equal(a.leaseCount(), 3);
    assert.deepEqual(a.streamArns(), [STREAM_ARN]);
    assert.deepEqual(a.checkpoints(STREAM_ARN), new Map(rootShards(3).map((s) => [s.shardId, { kind: 'TRIM_HORIZON' }])));
  });

  it('starts a shard without parents at LATEST with the time it was taken, a child at TRIM_HORIZON', async () => {
    const a = fleet.add('worker-a', { wallClock: () => 1_767_225_600_000 });
    await a.registerShards(
      STREAM_ARN,
      [
        { shardId: 'root', parentShardIds: [], closed: false },
        { shardId: 'child', parentShardIds: ['gone'], closed: false },
      ],
      'LATEST',
    );
    assert.deepEqual((await table.getLease(a.leaseKey(STREAM_ARN, 'root')))?.checkpoint, { kind: 'LATEST', since: 1_767_225_600_000 });
    assert.deepEqual((await table.getLease(a.leaseKey(STREAM_ARN, 'child')))?.checkpoint, { kind: 'TRIM_HORIZON' });
  });

  it('two workers racing for one lease: exactly one holds it, the other holds nothing', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(1), 'TRIM_HORIZON');
    await Promise.all([a.takeLeases(), b.takeLeases()]);
    assert.deepEqual(fleet.counts().sort(), [0, 1]);
    const stored = await table.listLeases('node-1');
    assert.equal(stored[0].leaseOwner, fleet.workers.find((w) => w.heldLeases().length === 1)?.workerId);
  });

  it('a renew racing a steal: the conditional writes let exactly one through, and a losing owner is told at once', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    await a.takeLeases();
    const losses = lossesOf(a);
    const stolen: string[] = [];
    b.on('taken', (lease, from) => {
      assert.equal(from, 'worker-a');
      stolen.push(lease.shardId);
    });
    // b lists (a holds 3, b 0: it steals one) while a renews all three.
    await Promise.all([b.takeLeases(), a.renewLeases()]);
    // When b listed after a's renewal, its steal succeeded afterwards: a learns it at its next renewal.
    await a.renewLeases();
    const stored = await table.listLeases('node-1');
    if (stolen.length === 1) {
      // The steal landed after b's listing and before a's next renewal: that renewal failed on the condition.
      assert.deepEqual(losses, [{ shardId: stolen[0], reason: 'taken-by-another-worker' }]);
      assert.equal(a.holds(a.leaseKey(STREAM_ARN, stolen[0])), false);
      assert.equal(stored.find((l) => l.shardId === stolen[0])?.leaseOwner, 'worker-b');
    } else {
      // The renewal came first: the steal, conditioned on the counter b had listed, failed.
      assert.deepEqual(losses, []);
      assert.deepEqual(stored.map((l) => l.leaseOwner), ['worker-a', 'worker-a', 'worker-a']);
    }
    assert.equal(a.heldLeases().length + b.heldLeases().length, 3);
    assert.equal(stored.filter((l) => l.leaseOwner === 'worker-b').length, stolen.length);
  });

  it('a steal decided before the owner renewed fails on the counter, and the owner keeps the lease (renew first, deterministic)', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    const listed = await table.listLeases('node-1');
    await a.renewLeases();
    assert.equal(await table.takeLease(listed[0], 'worker-b'), 'lost');
    assert.equal(a.holds(listed[0].leaseKey), true);
    await a.renewLeases();
    assert.equal(a.heldLeases().length, 2);
    assert.equal(b.heldLeases().length, 0);
  });

  /** worker-a takes three leases; a quarter of the failover time later worker-b joins and steals one. */
  async function stealOneOfThree(): Promise<{ a: LeaseCoordinator; b: LeaseCoordinator; stolen: Lease; readable: string[]; readers: () => string[] }> {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    await a.takeLeases();
    fleet.clock.advance(FAILOVER_MS / 4);
    const readable: string[] = [];
    b.on('readable', (lease) => readable.push(lease.leaseKey));
    await b.takeLeases();
    const [stolen] = b.heldLeases();
    assert.ok(stolen, 'b stole one of the three');
    const readers = (): string[] => [a, b].filter((w) => w.holds(stolen.leaseKey)).map((w) => w.workerId);
    return { a, b, stolen, readable, readers };
  }

  it('a stolen lease is handed over: its owner, told by its next renewal, stops and writes what it had acknowledged; the thief reads from there after its own next renewal, before the failover time', async () => {
    const { a, b, stolen, readable, readers } = await stealOneOfThree();
    assert.equal((await table.getLease(stolen.leaseKey))?.checkpointOwner, 'worker-a', 'the steal names the owner that is to write the last checkpoint');
    a.deferCheckpoint(stolen.leaseKey, { kind: 'sequence', sequenceNumber: '4200' }); // acknowledged since a's last write
    assert.deepEqual(readers(), [a.workerId], 'right after the steal only the owner, which has not noticed it, reads the shard');
    await b.renewLeases();
    await b.takeLeases();
    assert.deepEqual(readers(), [a.workerId], 'the thief waits for the hand-over');
    const losses = lossesOf(a);
    fleet.clock.advance(FAILOVER_MS / 4);
    await a.renewLeases();
    assert.deepEqual(losses, [{ shardId: stolen.shardId, reason: 'taken-by-another-worker' }]);
    assert.deepEqual(readers(), [], 'the owner has stopped; the thief has not yet seen the hand-over');
    const stored = await table.getLease(stolen.leaseKey);
    assert.equal(stored?.leaseOwner, 'worker-b');
    assert.equal(stored?.checkpointOwner, undefined);
    assert.deepEqual(stored?.checkpoint, { kind: 'sequence', sequenceNumber: '4200' });
    assert.equal(stored?.ownerSwitchesSinceCheckpoint, 0);
    assert.deepEqual(readable, []);
    await b.renewLeases();
    assert.deepEqual(readers(), [b.workerId], 'half the failover time after the steal the thief reads');
    assert.deepEqual(readable, [stolen.leaseKey], 'and says so once');
    assert.deepEqual(b.checkpoints(STREAM_ARN).get(stolen.shardId), { kind: 'sequence', sequenceNumber: '4200' }, 'from the checkpoint the owner handed over');
    await b.renewLeases();
    await b.takeLeases();
    assert.deepEqual(readable, [stolen.leaseKey]);
  });

  it('a stolen lease whose owner does not hand it over (frozen) is read by the thief the failover time after the steal, and the owner’s late hand-over is refused', async () => {
    const { a, b, stolen, readable, readers } = await stealOneOfThree();
    assert.deepEqual(readers(), [a.workerId], 'right after the steal only the owner, which has not noticed it, reads the shard');
    fleet.clock.advance(FAILOVER_MS / 4);
    await b.renewLeases();
    await b.takeLeases();
    assert.deepEqual(readers(), [a.workerId], 'the owner has not noticed; the thief waits');
    fleet.clock.advance(FAILOVER_MS / 2 + 1);
    await b.renewLeases();
    await b.takeLeases();
    assert.deepEqual(readers(), [], 'past the failover time after its last renewal the owner stops; the thief has not begun');
    assert.deepEqual(readable, []);
    fleet.clock.advance(FAILOVER_MS / 4);
    await b.takeLeases();
    assert.deepEqual(readers(), [b.workerId], 'the failover time after the steal the thief reads it');
    assert.deepEqual(readable, [stolen.leaseKey], 'and says so once');
    assert.deepEqual(b.checkpoints(STREAM_ARN).get(stolen.shardId), { kind: 'TRIM_HORIZON' }, 'from the checkpoint as it was taken');
    await b.renewLeases();
    assert.equal((await table.getLease(stolen.leaseKey))?.checkpointOwner, undefined, 'the thief’s first write after it began reading ends the hand-over');
    // a thaws and writes what it had acknowledged: too late, the thief reads from its own position.
    a.deferCheckpoint(stolen.leaseKey, { kind: 'sequence', sequenceNumber: '4200' });
    await a.renewLeases();
    assert.deepEqual((await table.getLease(stolen.leaseKey))?.checkpoint, { kind: 'TRIM_HORIZON' });
    await b.takeLeases();
    assert.deepEqual(readable, [stolen.leaseKey]);
  });

  it('a zombie (paused past the failover time) loses its lease: it stops holding it, and its checkpoint fails without moving the new owner’s', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(1), 'TRIM_HORIZON');
    await a.takeLeases();
    const key = a.leaseKey(STREAM_ARN, rootShards(1)[0].shardId);
    assert.equal(await a.checkpoint(key, { kind: 'sequence', sequenceNumber: '100' }), 'ok');
    await b.takeLeases();
    assert.equal(b.heldLeases().length, 0, 'a live owner’s lease is not taken');
    // a is paused (kill -STOP): no renewal for longer than the failover time.
    fleet.clock.advance(FAILOVER_MS + 1);
    assert.equal(a.holds(key), false, 'past the failover time without a renewal the zombie no longer reads the shard');
    await b.takeLeases();
    assert.equal(b.holds(key), true);
    assert.deepEqual(b.heldLeases()[0].checkpoint, { kind: 'sequence', sequenceNumber: '100' });
    assert.equal(await b.checkpoint(key, { kind: 'sequence', sequenceNumber: '200' }), 'ok');
    // a resumes (kill -CONT) and checkpoints what it had in flight.
    const losses = lossesOf(a);
    assert.equal(await a.checkpoint(key, { kind: 'sequence', sequenceNumber: '150' }), 'lost');
    assert.deepEqual(losses, [{ shardId: rootShards(1)[0].shardId, reason: 'taken-by-another-worker' }]);
    const stored = await table.getLease(key);
    assert.equal(stored?.leaseOwner, 'worker-b');
    assert.deepEqual(stored?.checkpoint, { kind: 'sequence', sequenceNumber: '200' });
    assert.equal(stored?.ownerSwitchesSinceCheckpoint, 0);
    assert.equal(await a.checkpoint(key, { kind: 'sequence', sequenceNumber: '160' }), 'lost', 'a lost lease stays lost');
  });

  it('a zombie’s renewal after the takeover reports the loss instead of renewing', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    await b.takeLeases();
    fleet.clock.advance(FAILOVER_MS + 1);
    await b.takeLeases();
    assert.equal(b.heldLeases().length, 2);
    const losses = lossesOf(a);
    await a.renewLeases();
    assert.deepEqual(losses.map((l) => l.reason), ['taken-by-another-worker', 'taken-by-another-worker']);
    assert.equal(a.heldLeases().length, 0);
  });

  it('measures expiry by the counter changing on the observer’s own clock, not by time since the observer started', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(1), 'TRIM_HORIZON');
    await a.takeLeases();
    await b.takeLeases(); // b first sees the lease at t0
    fleet.clock.advance(9_000);
    await a.renewLeases();
    await b.takeLeases(); // b sees the counter change at t0 + 9 s
    fleet.clock.advance(9_000);
    await b.takeLeases(); // 18 s after b first saw it, 9 s after the change: not expired
    assert.equal(b.heldLeases().length, 0);
    fleet.clock.advance(1_001);
    await b.takeLeases(); // the counter has not changed for 10.001 s on b's clock
    assert.equal(b.heldLeases().length, 1);
  });

  it('a worker that starts after the owner stopped waits the failover time from its own first look, never less', async () => {
    const a = fleet.add('worker-a');
    await a.registerShards(STREAM_ARN, rootShards(1), 'TRIM_HORIZON');
    await a.takeLeases();
    fleet.clock.advance(60_000); // a is long dead, but c has never looked
    const c = fleet.add('worker-c');
    await c.takeLeases();
    assert.equal(c.heldLeases().length, 0);
    fleet.clock.advance(FAILOVER_MS + 1);
    await c.takeLeases();
    assert.equal(c.heldLeases().length, 1);
  });

  it('a graceful release writes the last checkpoint and hands the lease over at once, without the failover time', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    const released: string[] = [];
    a.on('released', (lease) => released.push(lease.shardId));
    for (const lease of a.heldLeases()) a.deferCheckpoint(lease.leaseKey, { kind: 'sequence', sequenceNumber: `7${lease.shardId.slice(-1)}` });
    await a.releaseAll();
    assert.deepEqual(released.sort(), rootShards(2).map((s) => s.shardId));
    await b.takeLeases();
    assert.equal(b.heldLeases().length, 2);
    for (const lease of b.heldLeases()) assert.deepEqual(lease.checkpoint, { kind: 'sequence', sequenceNumber: `7${lease.shardId.slice(-1)}` });
  });

  for (const workerCount of [2, 3]) {
    it(`balances 7 shards over ${workerCount} workers within ±1, stealing one lease per cycle`, async () => {
      const first = fleet.add('worker-0');
      await first.registerShards(STREAM_ARN, rootShards(7), 'TRIM_HORIZON');
      await first.takeLeases();
      assert.deepEqual(fleet.counts(), [7]);
      for (let i = 1; i < workerCount; i += 1) fleet.add(`worker-${i}`);
      const history: number[][] = [fleet.counts()];
      for (let cycle = 0; cycle < 12; cycle += 1) {
        for (const worker of fleet.workers) {
          await worker.takeLeases();
          const counts = fleet.counts();
          const before = history[history.length - 1];
          const moved = counts.reduce((sum, count, i) => sum + Math.max(0, count - (before[i] ?? 0)), 0);
          assert.ok(moved <= 1, `one cycle of one worker moved ${moved} leases: ${before} → ${counts}`);
          history.push(counts);
        }
        await fleet.renewAll();
      }
      const final = fleet.counts();
      assert.equal(final.reduce((a, b) => a + b, 0), 7);
      assert.ok(Math.max(...final) - Math.min(...final) <= 1, `balanced within ±1: ${final}`);
      const stored = await table.listLeases('node-1');
      for (const worker of fleet.workers) {
        assert.equal(stored.filter((l) => l.leaseOwner === worker.workerId).length, worker.heldLeases().length);
      }
      const steady = history.slice(-workerCount * 2);
      assert.ok(steady.every((counts) => counts.join() === final.join()), 'no lease moves once balanced');
    });
  }

  it('lineage: a child may start only when every parent checkpointed SHARD_END; a finished parent is deleted once its children have leases and is not created again', async () => {
    const a = fleet.add('worker-a');
    const b = fleet.add('worker-b');
    const shards = [
      { shardId: 'parent', parentShardIds: [], closed: true },
      { shardId: 'child-1', parentShardIds: ['parent'], closed: false },
      { shardId: 'child-2', parentShardIds: ['parent'], closed: false },
    ];
    await a.registerShards(STREAM_ARN, shards, 'LATEST');
    const parentKey = a.leaseKey(STREAM_ARN, 'parent');
    const childKey = a.leaseKey(STREAM_ARN, 'child-1');
    assert.deepEqual([...((await table.getLease(parentKey))?.childShardIds ?? [])].sort(), ['child-1', 'child-2']);
    await a.takeLeases();
    await b.takeLeases();
    fleet.clock.advance(1);
    // Give the parent to a, a child to b, whatever the random order of taking was.
    await a.releaseAll();
    await b.releaseAll();
    await a.takeLeases();
    for (const lease of a.heldLeases().filter((l) => l.shardId !== 'parent')) await a.release(lease.leaseKey);
    await b.takeLeases();
    assert.equal(a.holds(parentKey), true);
    assert.equal(b.holds(childKey), true);
    assert.equal(await b.parentsFinished(childKey), false);
    assert.equal(await a.checkpoint(parentKey, { kind: 'sequence', sequenceNumber: '500' }), 'ok');
    assert.equal(await b.parentsFinished(childKey), false);
    assert.equal(await a.checkpoint(parentKey, { kind: 'SHARD_END' }), 'ok');
    assert.equal(a.holds(parentKey), false, 'a finished lease is not held any more');
    assert.equal(await b.parentsFinished(childKey), true);
    const deleted: string[] = [];
    b.on('deleted', (lease) => deleted.push(lease.shardId));
    await b.takeLeases();
    assert.deepEqual(deleted, ['parent']);
    assert.equal(await table.getLease(parentKey), undefined);
    assert.equal(await b.parentsFinished(childKey), true, 'a parent without a lease counts as finished');
    await a.registerShards(STREAM_ARN, shards, 'LATEST');
    await a.takeLeases();
    assert.equal(await table.getLease(parentKey), undefined, 'the finished parent is not leased again');
  });

  it('a child registered by a worker that starts at LATEST after its parent was leased starts at TRIM_HORIZON; when the parent was only skipped it keeps the start offered', async () => {
    const startedAt = 1_767_225_600_000;
    const a = fleet.add('worker-a', { wallClock: () => startedAt });
    await a.registerShards(STREAM_ARN, [{ shardId: 'parent', parentShardIds: [], closed: false }], 'LATEST');
    // Hours later the parent has split and a worker joins at LATEST before any worker registered the children: the offer is LATEST.
    const joinedAt = startedAt + 3_600_000;
    const b = fleet.add('worker-b', { wallClock: () => joinedAt });
    await b.registerShards(
      STREAM_ARN,
      [
        { shardId: 'parent', parentShardIds: [], closed: true, start: { kind: 'SHARD_END' } },
        { shardId: 'child', parentShardIds: ['parent'], closed: false, start: { kind: 'LATEST', since: joinedAt } },
      ],
      'LATEST',
    );
    assert.deepEqual((await table.getLease(b.leaseKey(STREAM_ARN, 'parent')))?.checkpoint, { kind: 'LATEST', since: startedAt }, 'the parent keeps its lease');
    assert.deepEqual((await table.getLease(b.leaseKey(STREAM_ARN, 'child')))?.checkpoint, { kind: 'TRIM_HORIZON' });

    // A consumer's very first start at LATEST on a stream that split before: the closed parent is skipped, its child starts at LATEST,
    // also when another worker of that consumer made the skipped parent's lease a moment before.
    const split = [
      { shardId: 'parent', parentShardIds: [], closed: true, start: { kind: 'SHARD_END' } as const },
      { shardId: 'child', parentShardIds: ['parent'], closed: false, start: { kind: 'LATEST', since: joinedAt } as const },
    ];
    const fresh = new WorkerFleet(client, table.tableName, 'node-2');
    const c = fresh.add('worker-c', { wallClock: () => joinedAt });
    const d = fresh.add('worker-d', { wallClock: () => joinedAt });
    await d.registerShards(STREAM_ARN, split.slice(0, 1), 'LATEST');
    await c.registerShards(STREAM_ARN, split, 'LATEST');
    assert.deepEqual((await table.getLease(c.leaseKey(STREAM_ARN, 'child')))?.checkpoint, { kind: 'LATEST', since: joinedAt });
  });

  it('costs one write per held lease per renew interval, a deferred checkpoint riding on the renewal', async () => {
    const a = fleet.add('worker-a');
    await a.registerShards(STREAM_ARN, rootShards(5), 'TRIM_HORIZON');
    await a.takeLeases();
    const updatesBefore = writes.get('UpdateItemCommand') ?? 0;
    const putsBefore = writes.get('PutItemCommand') ?? 0;
    for (let interval = 0; interval < 4; interval += 1) {
      for (const lease of a.heldLeases()) a.deferCheckpoint(lease.leaseKey, { kind: 'sequence', sequenceNumber: `${interval}00` });
      await a.renewLeases();
    }
    assert.equal((writes.get('UpdateItemCommand') ?? 0) - updatesBefore, 5 * 4);
    assert.equal((writes.get('PutItemCommand') ?? 0) - putsBefore, 0);
    for (const lease of await table.listLeases('node-1')) assert.deepEqual(lease.checkpoint, { kind: 'sequence', sequenceNumber: '300' });
    await a.registerShards(STREAM_ARN, rootShards(5), 'TRIM_HORIZON');
    assert.equal((writes.get('PutItemCommand') ?? 0) - putsBefore, 0, 'shards already leased cost no write when discovered again');
  });

  it('flushes deferred checkpoints with one write each, and a deferred SHARD_END finishes the lease at its renewal', async () => {
    const a = fleet.add('worker-a');
    await a.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    await a.takeLeases();
    const [first, second] = a.heldLeases();
    a.deferCheckpoint(first.leaseKey, { kind: 'sequence', sequenceNumber: '11' });
    const updatesBefore = writes.get('UpdateItemCommand') ?? 0;
    await a.flushCheckpoints();
    assert.equal((writes.get('UpdateItemCommand') ?? 0) - updatesBefore, 1);
    assert.deepEqual((await table.getLease(first.leaseKey))?.checkpoint, { kind: 'sequence', sequenceNumber: '11' });
    a.deferCheckpoint(second.leaseKey, { kind: 'SHARD_END' });
    await a.renewLeases();
    assert.equal(a.holds(second.leaseKey), false);
    assert.equal(a.heldLeases().length, 2);
    const finished = await table.getLease(second.leaseKey);
    assert.deepEqual(finished?.checkpoint, { kind: 'SHARD_END' });
    assert.equal(finished?.leaseOwner, undefined);
    assert.equal(a.leaseCount(), 3, 'the count is of the last listing');
    await a.takeLeases();
    assert.equal(a.leaseCount(), 2, 'a finished lease is not counted, nor taken again');
    assert.equal(a.heldLeases().length, 2);
  });

  it('a worker that cannot reach the table keeps its leases until the failover time, then drops them as not renewed in time', async () => {
    const flaky = localClient((await sharedDynamoDbLocal()).endpoint);
    let offline = false;
    flaky.middlewareStack.add(
      (next) => (args) => (offline ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : next(args)),
      { step: 'initialize', name: 'offline' },
    );
    const a = fleet.add('worker-a', { client: flaky });
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    const losses = lossesOf(a);
    offline = true;
    fleet.clock.advance(FAILOVER_MS / 2);
    await assert.rejects(a.renewLeases(), /ECONNREFUSED/);
    assert.equal(a.heldLeases().length, 2);
    assert.equal(losses.length, 0);
    fleet.clock.advance(FAILOVER_MS / 2);
    await a.renewLeases();
    assert.deepEqual(losses.map((l) => l.reason), ['not-renewed-in-time', 'not-renewed-in-time']);
    assert.equal(a.heldLeases().length, 0);
    flaky.destroy();
  });

  it('start() takes and renews on its own schedule, and hands over on releaseAll() (real timers, short intervals)', async () => {
    const a = fleet.add('worker-a', { clock: undefined, failoverMs: 600, renewIntervalMs: 20, takeIntervalMs: 20 });
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    const taken = new Promise<void>((resolve) => a.on('taken', () => a.heldLeases().length === 2 && resolve()));
    await a.start();
    await taken;
    const key = a.heldLeases()[0].leaseKey;
    while (((await table.getLease(key))?.leaseCounter ?? 0) < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    await a.stop();
    await a.releaseAll();
    assert.deepEqual((await table.listLeases('node-1')).map((l) => l.leaseOwner), [undefined, undefined]);
  });

  it('deletes finished leases of shards no longer listed, and a left stream’s leases only once all are finished', async () => {
    const a = fleet.add('worker-a');
    const oldStream = `${STREAM_ARN}-old`;
    await a.registerShards(oldStream, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    const [first, second] = a.heldLeases();
    await a.checkpoint(first.leaseKey, { kind: 'SHARD_END' });
    await a.takeLeases();
    await a.retainShards(oldStream, [second.shardId]);
    assert.equal(await table.getLease(first.leaseKey), undefined, 'finished and no longer listed: deleted');
    assert.equal(await a.forgetStream(oldStream), false, 'a lease of the stream is still being read');
    assert.ok(await table.getLease(second.leaseKey));
    await a.checkpoint(second.leaseKey, { kind: 'SHARD_END' });
    await a.takeLeases();
    await a.retainShards(oldStream, [second.shardId]);
    assert.ok(await table.getLease(second.leaseKey), 'finished but still listed, without children: kept');
    assert.equal(await a.forgetStream(oldStream), true);
    assert.deepEqual(await table.listLeases('node-1'), []);
  });

  it('shutdown() stops taking and hands every lease over with its last checkpoint', async () => {
    const a = fleet.add('worker-a', { clock: undefined, renewIntervalMs: 20, takeIntervalMs: 20 });
    const b = fleet.add('worker-b');
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await a.takeLeases();
    await a.start();
    for (const lease of a.heldLeases()) a.deferCheckpoint(lease.leaseKey, { kind: 'sequence', sequenceNumber: '42' });
    await a.shutdown();
    assert.equal(a.heldLeases().length, 0);
    await b.takeLeases();
    assert.equal(b.heldLeases().length, 2);
    for (const lease of b.heldLeases()) assert.deepEqual(lease.checkpoint, { kind: 'sequence', sequenceNumber: '42' });
  });

  it('keeps the leases of two consumers in one table apart', async () => {
    const a = fleet.add('worker-a');
    const other = new WorkerFleet(client, fleet.tableName, 'node-2').add('worker-a');
    await a.registerShards(STREAM_ARN, rootShards(2), 'TRIM_HORIZON');
    await other.registerShards(STREAM_ARN, rootShards(3), 'TRIM_HORIZON');
    await a.takeLeases();
    await other.takeLeases();
    assert.equal(a.heldLeases().length, 2);
    assert.equal(other.heldLeases().length, 3);
    assert.equal((await table.listLeases('node-1')).length, 2);
  });
});
