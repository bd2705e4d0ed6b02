import assert from 'node:assert/strict';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { leaseKeyOf, type Lease } from '../../nodes/lib/lease/lease';
import { LOST, LeaseTable } from '../../nodes/lib/lease/lease-table';
import { LeaseTablePermissionError, ensureLeaseTable } from '../../nodes/lib/lease/lease-table-setup';
import { localClient, sharedDynamoDbLocal, uniqueTableName } from '../support/dynamodb';
import { STREAM_ARN } from '../support/lease-fixtures';
import { accessDenied, awsError } from '../support/mock-stream';

function newLease(shardId: string, consumerName = 'node-1'): Lease {
  return {
    leaseKey: leaseKeyOf({ consumerName, streamArn: STREAM_ARN }, shardId),
    consumerName,
    streamArn: STREAM_ARN,
    shardId,
    leaseCounter: 0,
    checkpoint: { kind: 'TRIM_HORIZON' },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

describe('lease table (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let table: LeaseTable;

  before(async () => {
    client = localClient((await sharedDynamoDbLocal()).endpoint);
  });

  beforeEach(async () => {
    const name = uniqueTableName('leases');
    await ensureLeaseTable(client, name, { pollIntervalMs: 10 });
    table = new LeaseTable(client, name);
  });

  after(() => client.destroy());

  it('creates the table on first use with on-demand billing and hash key leaseKey, and finds it the second time', async () => {
    const described = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
    assert.equal(described.Table?.TableStatus, 'ACTIVE');
    assert.deepEqual(described.Table?.KeySchema, [{ AttributeName: 'leaseKey', KeyType: 'HASH' }]);
    assert.equal(described.Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    await ensureLeaseTable(client, table.tableName, { pollIntervalMs: 10 });
  });

  it('creates a lease once, and lists only the leases of its consumer', async () => {
    assert.equal(await table.createLeaseIfAbsent(newLease('shard-a')), true);
    assert.equal(await table.createLeaseIfAbsent({ ...newLease('shard-a'), checkpoint: { kind: 'SHARD_END' } }), false);
    await table.createLeaseIfAbsent(newLease('shard-b'));
    await table.createLeaseIfAbsent(newLease('shard-a', 'node-2'));
    const listed = await table.listLeases('node-1');
    assert.deepEqual(listed.map((lease) => lease.shardId).sort(), ['shard-a', 'shard-b']);
    assert.deepEqual(listed.find((lease) => lease.shardId === 'shard-a')?.checkpoint, { kind: 'TRIM_HORIZON' });
  });

  it('takes, renews, checkpoints and releases, incrementing leaseCounter on every write, with the KCL attribute names', async () => {
    await table.createLeaseIfAbsent({ ...newLease('shard-a'), parentShardIds: ['shard-p'] });
    const taken = await table.takeLease(newLease('shard-a'), 'worker-a');
    assert.notEqual(taken, LOST);
    if (taken === LOST) return;
    assert.equal(taken.leaseOwner, 'worker-a');
    assert.equal(taken.leaseCounter, 1);
    assert.equal(taken.ownerSwitchesSinceCheckpoint, 1);
    const held = { leaseKey: taken.leaseKey, leaseOwner: 'worker-a', leaseCounter: 1 };
    assert.equal(await table.renewLease(held), 2);
    assert.equal(await table.checkpoint({ ...held, leaseCounter: 2 }, { kind: 'sequence', sequenceNumber: '4200' }), 3);
    const raw = await client.send(new GetItemCommand({ TableName: table.tableName, Key: { leaseKey: { S: taken.leaseKey } } }));
    assert.deepEqual(raw.Item, {
      leaseKey: { S: `node-1:${STREAM_ARN}:shard-a` },
      consumerName: { S: 'node-1' },
      streamArn: { S: STREAM_ARN },
      shardId: { S: 'shard-a' },
      leaseOwner: { S: 'worker-a' },
      leaseCounter: { N: '3' },
      checkpoint: { S: '4200' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      parentShardIds: { SS: ['shard-p'] },
    });
    assert.equal(await table.releaseLease({ ...held, leaseCounter: 3 }), 4);
    const released = await table.getLease(taken.leaseKey);
    assert.equal(released?.leaseOwner, undefined);
    assert.equal(released?.leaseCounter, 4);
    assert.deepEqual(released?.checkpoint, { kind: 'sequence', sequenceNumber: '4200' });
  });

  it('keeps the time a LATEST position was taken next to the checkpoint, and drops it with the next checkpoint', async () => {
    await table.createLeaseIfAbsent({ ...newLease('shard-a'), checkpoint: { kind: 'LATEST', since: 1_767_225_600_000 } });
    assert.deepEqual((await table.getLease(newLease('shard-a').leaseKey))?.checkpoint, { kind: 'LATEST', since: 1_767_225_600_000 });
    const taken = await table.takeLease(newLease('shard-a'), 'worker-a');
    assert.notEqual(taken, LOST);
    await table.checkpoint({ leaseKey: newLease('shard-a').leaseKey, leaseOwner: 'worker-a', leaseCounter: 1 }, { kind: 'SHARD_END' }, true);
    const raw = await client.send(new GetItemCommand({ TableName: table.tableName, Key: { leaseKey: { S: newLease('shard-a').leaseKey } } }));
    assert.equal(raw.Item?.checkpoint?.S, 'SHARD_END');
    assert.equal(raw.Item?.checkpointLatestSince, undefined);
    assert.equal(raw.Item?.leaseOwner, undefined, 'a SHARD_END checkpoint with release clears the owner in the same write');
  });

  it('fails a renew, checkpoint or release whose owner or counter is not the current one, and changes nothing', async () => {
    await table.createLeaseIfAbsent(newLease('shard-a'));
    await table.takeLease(newLease('shard-a'), 'worker-a');
    const key = newLease('shard-a').leaseKey;
    assert.equal(await table.renewLease({ leaseKey: key, leaseOwner: 'worker-b', leaseCounter: 1 }), LOST);
    assert.equal(await table.renewLease({ leaseKey: key, leaseOwner: 'worker-a', leaseCounter: 0 }), LOST);
    assert.equal(await table.checkpoint({ leaseKey: key, leaseOwner: 'worker-a', leaseCounter: 7 }, { kind: 'sequence', sequenceNumber: '9' }), LOST);
    assert.equal(await table.releaseLease({ leaseKey: key, leaseOwner: 'worker-b', leaseCounter: 1 }), LOST);
    const after = await table.getLease(key);
    assert.equal(after?.leaseOwner, 'worker-a');
    assert.equal(after?.leaseCounter, 1);
    assert.deepEqual(after?.checkpoint, { kind: 'TRIM_HORIZON' });
  });

  it('hand-over of a steal: the steal names the previous owner, only that owner may write the last checkpoint, which leaves holder and counter to the thief', async () => {
    await table.createLeaseIfAbsent(newLease('shard-a'));
    const key = newLease('shard-a').leaseKey;
    const byA = await table.takeLease(newLease('shard-a'), 'worker-a');
    assert.notEqual(byA, LOST);
    if (byA === LOST) return;
    assert.equal(byA.checkpointOwner, undefined, 'a take of a free lease names no previous owner');
    const byB = await table.takeLease(byA, 'worker-b', 'worker-a');
    assert.notEqual(byB, LOST);
    if (byB === LOST) return;
    assert.equal(byB.checkpointOwner, 'worker-a');
    const byC = await table.takeLease(byB, 'worker-c', 'worker-b');
    assert.equal(byC !== LOST && byC.checkpointOwner, 'worker-a', 'stolen again before the hand-over: the owner that read the shard still hands it over');
    assert.equal(await table.handOver(key, 'worker-b', { kind: 'sequence', sequenceNumber: '10' }), false, 'only the named owner hands over');
    assert.equal(await table.handOver(key, 'worker-a', { kind: 'sequence', sequenceNumber: '4200' }), true);
    const after = await table.getLease(key);
    assert.equal(after?.leaseOwner, 'worker-c');
    assert.equal(after?.leaseCounter, 3, 'the thief’s next conditional write still finds its counter');
    assert.equal(after?.checkpointOwner, undefined);
    assert.deepEqual(after?.checkpoint, { kind: 'sequence', sequenceNumber: '4200' });
    assert.equal(after?.ownerSwitchesSinceCheckpoint, 0);
    assert.equal(await table.handOver(key, 'worker-a', { kind: 'sequence', sequenceNumber: '4300' }), false, 'a hand-over happens once');
    assert.equal(await table.renewLease({ leaseKey: key, leaseOwner: 'worker-c', leaseCounter: 3 }), 4);
  });

  it('hand-over of a finished shard frees the lease; a holder that reads the shard ends a pending hand-over with its next write', async () => {
    await table.createLeaseIfAbsent(newLease('shard-a'));
    await table.createLeaseIfAbsent(newLease('shard-b'));
    for (const shardId of ['shard-a', 'shard-b']) {
      const byA = await table.takeLease(newLease(shardId), 'worker-a');
      assert.notEqual(byA, LOST);
      if (byA !== LOST) await table.takeLease(byA, 'worker-b', 'worker-a');
    }
    const [a, b] = [newLease('shard-a').leaseKey, newLease('shard-b').leaseKey];
    assert.equal(await table.handOver(a, 'worker-a', { kind: 'SHARD_END' }), true);
    const finished = await table.getLease(a);
    assert.deepEqual(finished?.checkpoint, { kind: 'SHARD_END' });
    assert.equal(finished?.leaseOwner, undefined, 'a finished lease needs no holder');
    assert.equal(await table.renewLease({ leaseKey: b, leaseOwner: 'worker-b', leaseCounter: 2, awaitingHandOver: true }), 3);
    assert.equal((await table.getLease(b))?.checkpointOwner, 'worker-a', 'a renewal while awaiting the hand-over leaves it pending');
    assert.equal(await table.renewLease({ leaseKey: b, leaseOwner: 'worker-b', leaseCounter: 3 }), 4);
    assert.equal((await table.getLease(b))?.checkpointOwner, undefined);
    assert.equal(await table.handOver(b, 'worker-a', { kind: 'sequence', sequenceNumber: '1' }), false, 'too late: the new holder reads from its own position');
    assert.deepEqual((await table.getLease(b))?.checkpoint, { kind: 'TRIM_HORIZON' });
  });

  it('two workers taking the same lease at the same counter: exactly one wins', async () => {
    await table.createLeaseIfAbsent(newLease('shard-a'));
    const seen = newLease('shard-a');
    const results = await Promise.all([table.takeLease(seen, 'worker-a'), table.takeLease(seen, 'worker-b')]);
    const winners = results.filter((result): result is Lease => result !== LOST);
    assert.equal(winners.length, 1);
    const stored = await table.getLease(seen.leaseKey);
    assert.equal(stored?.leaseOwner, winners[0].leaseOwner);
    assert.equal(stored?.leaseCounter, 1);
  });

  it('records child shards on the parent lease without moving its counter, and deletes a lease only at the counter seen', async () => {
    await table.createLeaseIfAbsent(newLease('shard-p'));
    const key = newLease('shard-p').leaseKey;
    await table.addChildShards(key, ['shard-c1']);
    await table.addChildShards(key, ['shard-c1', 'shard-c2']);
    const parent = await table.getLease(key);
    assert.deepEqual([...(parent?.childShardIds ?? [])].sort(), ['shard-c1', 'shard-c2']);
    assert.equal(parent?.leaseCounter, 0);
    assert.equal(await table.deleteLease({ ...newLease('shard-p'), leaseCounter: 5 }), false);
    assert.equal(await table.deleteLease(newLease('shard-p')), true);
    assert.equal(await table.getLease(key), undefined);
  });
});

describe('lease table setup: permissions (aws-sdk-client-mock, DynamoDB Local has no IAM)', () => {
  const tableArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/leases';

  it('names dynamodb:CreateTable and the table ARN when the table is missing and may not be created', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    mock.on(DescribeTableCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found: Table: leases not found'));
    mock.on(CreateTableCommand).rejects(accessDenied('dynamodb:CreateTable', tableArn));
    await assert.rejects(ensureLeaseTable(client, 'leases'), (error: unknown) => {
      assert.ok(error instanceof LeaseTablePermissionError);
      assert.equal(error.action, 'dynamodb:CreateTable');
      assert.match(error.message, /allow dynamodb:CreateTable on arn:aws:dynamodb:eu-west-1:123456789012:table\/leases/);
      return true;
    });
    mock.restore();
  });

  it('names dynamodb:DescribeTable when the identity may not read the table', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    mock.on(DescribeTableCommand).rejects(accessDenied('dynamodb:DescribeTable', tableArn));
    await assert.rejects(ensureLeaseTable(client, 'leases'), /allow dynamodb:DescribeTable on arn:aws:dynamodb:eu-west-1:123456789012:table\/leases/);
    mock.restore();
  });

  it('waits while the table is CREATING, until it is ACTIVE', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    mock
      .on(DescribeTableCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(CreateTableCommand).resolves({});
    const pauses: number[] = [];
    await ensureLeaseTable(client, 'leases', { pollIntervalMs: 500, sleep: async (ms) => void pauses.push(ms) });
    assert.deepEqual(pauses, [500, 500]);
    assert.equal(mock.commandCalls(CreateTableCommand)[0].args[0].input.BillingMode, 'PAY_PER_REQUEST');
    mock.restore();
  });
});
