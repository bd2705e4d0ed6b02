import assert from 'node:assert/strict';
import type { Lease } from '../../nodes/lib/lease/lease';
import { chooseLeasesToTake } from '../../nodes/lib/lease/lease-balance';
import { seededRandom } from '../support/seeded-random';

function lease(shardId: string, leaseOwner?: string, finished = false): Lease {
  return {
    leaseKey: `node-1:arn:${shardId}`,
    consumerName: 'node-1',
    streamArn: 'arn',
    shardId,
    ...(leaseOwner ? { leaseOwner } : {}),
    leaseCounter: 1,
    checkpoint: finished ? { kind: 'SHARD_END' } : { kind: 'TRIM_HORIZON' },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
  };
}

function decide(leases: Lease[], options: { expired?: string[]; held?: string[] } = {}): ReturnType<typeof chooseLeasesToTake> {
  return chooseLeasesToTake({
    leases,
    workerId: 'me',
    holds: (l) => options.held?.includes(l.shardId) ?? false,
    isAvailable: (l) => l.leaseOwner === undefined || (options.expired?.includes(l.shardId) ?? false),
    random: seededRandom(7),
  });
}

describe('lease balance (pure decision)', () => {
  it('takes free leases up to ceil(leases / live workers), counting itself', () => {
    const decision = decide([lease('a', 'w1'), lease('b', 'w1'), lease('c'), lease('d'), lease('e')]);
    assert.equal(decision.target, 3);
    assert.equal(decision.take.length, 3);
    assert.equal(decision.steal, undefined);
  });

  it('takes expired leases before stealing, and does not count their dead owner as a live worker', () => {
    const decision = decide([lease('a', 'dead'), lease('b', 'dead'), lease('c', 'w1'), lease('d', 'w1')], { expired: ['a', 'b'] });
    assert.equal(decision.target, 2);
    assert.deepEqual(decision.take.map((l) => l.shardId).sort(), ['a', 'b']);
    assert.equal(decision.steal, undefined);
  });

  it('steals one lease from the most loaded worker only when it holds two more than this one', () => {
    const steal = decide([lease('a', 'w1'), lease('b', 'w1'), lease('c', 'w1'), lease('d', 'w2'), lease('e', 'me')], { held: ['e'] });
    assert.equal(steal.steal?.leaseOwner, 'w1');
    assert.equal(steal.take.length, 0);
    const balanced = decide([lease('a', 'w1'), lease('b', 'w1'), lease('c', 'w2'), lease('d', 'me')], { held: ['d'] });
    assert.equal(balanced.steal, undefined);
  });

  it('leaves finished leases out of the count and never takes them', () => {
    const decision = decide([lease('a', undefined, true), lease('b', undefined, true), lease('c', 'w1')]);
    assert.equal(decision.target, 1);
    assert.equal(decision.take.length, 0);
    assert.equal(decision.steal, undefined);
  });

  it('does not count a lease listed under its own id but not held (a previous process with the same id) before it expires', () => {
    const decision = decide([lease('a', 'me'), lease('b', 'w1')]);
    assert.equal(decision.take.length, 0);
    assert.equal(decision.steal, undefined);
    assert.deepEqual(decide([lease('a', 'me'), lease('b', 'w1')], { expired: ['a'] }).take.map((l) => l.shardId), ['a']);
  });
});
