import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Checkpoint } from './checkpoint';
import type { Lease } from './lease';

export type LeaseItem = Record<string, AttributeValue>;

/** The attribute that holds, next to `checkpoint: LATEST`, the epoch milliseconds it was taken at. */
export const LATEST_SINCE_ATTRIBUTE = 'checkpointLatestSince';

/** `checkpoint` and, for LATEST, its time: the attributes a checkpoint write sets. */
export function checkpointAttributes(checkpoint: Checkpoint): LeaseItem {
  switch (checkpoint.kind) {
    case 'sequence':
      return { checkpoint: { S: checkpoint.sequenceNumber } };
    case 'LATEST':
      return { checkpoint: { S: 'LATEST' }, [LATEST_SINCE_ATTRIBUTE]: { N: String(checkpoint.since) } };
    default:
      return { checkpoint: { S: checkpoint.kind } };
  }
}

function checkpointOf(item: LeaseItem): Checkpoint {
  const value = item.checkpoint?.S;
  switch (value) {
    case 'TRIM_HORIZON':
    case 'SHARD_END':
      return { kind: value };
    case 'LATEST':
      return { kind: 'LATEST', since: Number(item[LATEST_SINCE_ATTRIBUTE]?.N ?? 0) };
    case undefined:
      throw new Error(`lease item ${item.leaseKey?.S ?? '?'} has no checkpoint`);
    default:
      return { kind: 'sequence', sequenceNumber: value };
  }
}

function stringSet(values: readonly string[]): AttributeValue | undefined {
  return values.length > 0 ? { SS: [...values] } : undefined;
}

export function leaseToItem(lease: Lease): LeaseItem {
  const item: LeaseItem = {
    leaseKey: { S: lease.leaseKey },
    consumerName: { S: lease.consumerName },
    streamArn: { S: lease.streamArn },
    shardId: { S: lease.shardId },
    leaseCounter: { N: String(lease.leaseCounter) },
    ownerSwitchesSinceCheckpoint: { N: String(lease.ownerSwitchesSinceCheckpoint) },
    ...checkpointAttributes(lease.checkpoint),
  };
  if (lease.leaseOwner !== undefined) item.leaseOwner = { S: lease.leaseOwner };
  if (lease.checkpointOwner !== undefined) item.checkpointOwner = { S: lease.checkpointOwner };
  const parents = stringSet(lease.parentShardIds);
  if (parents) item.parentShardIds = parents;
  const children = stringSet(lease.childShardIds);
  if (children) item.childShardIds = children;
  return item;
}

function requiredString(item: LeaseItem, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`lease item ${item.leaseKey?.S ?? '?'} has no ${name}`);
  return value;
}

export function leaseFromItem(item: LeaseItem): Lease {
  const owner = item.leaseOwner?.S;
  const checkpointOwner = item.checkpointOwner?.S;
  return {
    leaseKey: requiredString(item, 'leaseKey'),
    consumerName: requiredString(item, 'consumerName'),
    streamArn: requiredString(item, 'streamArn'),
    shardId: requiredString(item, 'shardId'),
    ...(owner !== undefined ? { leaseOwner: owner } : {}),
    ...(checkpointOwner !== undefined ? { checkpointOwner } : {}),
    leaseCounter: Number(item.leaseCounter?.N ?? 0),
    checkpoint: checkpointOf(item),
    ownerSwitchesSinceCheckpoint: Number(item.ownerSwitchesSinceCheckpoint?.N ?? 0),
    parentShardIds: item.parentShardIds?.SS ?? [],
    childShardIds: item.childShardIds?.SS ?? [],
  };
}
