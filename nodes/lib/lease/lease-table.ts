import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isShardEnd, type Checkpoint } from './checkpoint';
import { type Lease } from './lease';
import { LATEST_SINCE_ATTRIBUTE, checkpointAttributes, leaseFromItem, leaseToItem, type LeaseItem } from './lease-item';

/** A conditional write found the item changed (another owner, another counter): the lease is no longer ours. */
export const LOST = 'lost';
export type Lost = typeof LOST;

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/**
 * Reads and writes lease items (the KCL's LeaseRefresher). Every write that changes who holds a
 * lease or where it stands is conditioned on the `leaseCounter` last seen, and on the owner where
 * the writer must be the owner, so a write based on a stale view fails instead of overwriting.
 */
export class LeaseTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Every lease of one consumer (all its streams), following the Scan's pages. */
  async listLeases(consumerName: string): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: 'consumerName = :consumer',
          ExpressionAttributeValues: { ':consumer': { S: consumerName } },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) leases.push(leaseFromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return leases;
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { leaseKey: { S: leaseKey } }, ConsistentRead: true }),
    );
    return answer.Item ? leaseFromItem(answer.Item) : undefined;
  }

  /** Writes `lease` unless an item with its key exists. Returns whether it was written. */
  async createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: leaseToItem(lease),
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Makes `owner` the holder of a lease that has not changed since it was read as `lease`. A steal
   * (`stolenFrom`, an owner still renewing) names that owner `checkpointOwner`, unless a hand-over
   * to the previous thief is still pending: the owner that read the shard last writes its checkpoint.
   */
  async takeLease(lease: Lease, owner: string, stolenFrom?: string): Promise<Lease | Lost> {
    const taking = 'SET leaseOwner = :owner, leaseCounter = leaseCounter + :one, ownerSwitchesSinceCheckpoint = ownerSwitchesSinceCheckpoint + :one';
    const answer = await this.update(lease, {
      UpdateExpression: stolenFrom === undefined ? `${taking} REMOVE ${CHECKPOINT_OWNER}` : `${taking}, ${CHECKPOINT_OWNER} = if_not_exists(${CHECKPOINT_OWNER}, :from)`,
      ConditionExpression: 'leaseCounter = :counter',
      ExpressionAttributeValues: {
        ':owner': { S: owner },
        ':one': { N: '1' },
        ':counter': counterValue(lease),
        ...(stolenFrom === undefined ? {} : { ':from': { S: stolenFrom } }),
      },
      ReturnValues: 'ALL_NEW',
    });
    return answer === LOST ? LOST : leaseFromItem(answer);
  }

  async renewLease(lease: HeldLeaseState): Promise<number | Lost> {
    const answer = await this.update(lease, {
      UpdateExpression: `SET leaseCounter = leaseCounter + :one${endsHandOver(lease) ? ` REMOVE ${CHECKPOINT_OWNER}` : ''}`,
      ...ownedAtCounter(lease),
    });
    return answer === LOST ? LOST : lease.leaseCounter + 1;
  }

  /** A renewal of a stolen lease not yet handed over: returns the item, which tells whether the hand-over happened and from which checkpoint. */
  async renewAwaitingHandOver(lease: HeldLeaseState): Promise<Lease | Lost> {
    const answer = await this.update(lease, {
      UpdateExpression: 'SET leaseCounter = leaseCounter + :one',
      ...ownedAtCounter(lease),
      ReturnValues: 'ALL_NEW',
    });
    return answer === LOST ? LOST : leaseFromItem(answer);
  }

  /**
   * The hand-over of a stolen lease by the owner it was stolen from (`checkpointOwner`): writes its
   * last checkpoint, if it has one, and removes `checkpointOwner`, leaving holder and counter as they
   * are. Refused (false) once the new owner has begun reading without it.
   */
  async handOver(leaseKey: string, from: string, checkpoint: Checkpoint | undefined): Promise<boolean> {
    const update = checkpoint ? checkpointUpdate(checkpoint) : { sets: [], removes: [], values: {} };
    if (checkpoint && isShardEnd(checkpoint)) update.removes.push('leaseOwner');
    const sets = update.sets.length > 0 ? `SET ${update.sets.join(', ')} ` : '';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { leaseKey: { S: leaseKey } },
          UpdateExpression: `${sets}REMOVE ${[CHECKPOINT_OWNER, ...update.removes].join(', ')}`,
          ConditionExpression: `${CHECKPOINT_OWNER} = :from`,
          ExpressionAttributeValues: { ...update.values, ':from': { S: from } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Stores `checkpoint` in a lease its owner holds; `release` also clears the owner in the same
   * write (graceful hand-over, or the shard's end). Returns the new counter.
   */
  async checkpoint(lease: HeldLeaseState, checkpoint: Checkpoint, release = false): Promise<number | Lost> {
    const { sets, removes, values } = checkpointUpdate(checkpoint);
    if (release) removes.push('leaseOwner');
    if (endsHandOver(lease)) removes.push(CHECKPOINT_OWNER);
    const owned = ownedAtCounter(lease);
    const answer = await this.update(lease, {
      UpdateExpression: `SET leaseCounter = leaseCounter + :one, ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: owned.ConditionExpression,
      ExpressionAttributeValues: { ...owned.ExpressionAttributeValues, ...values },
    });
    return answer === LOST ? LOST : lease.leaseCounter + 1;
  }

  /** Clears the owner so that any worker may take the lease at once. */
  async releaseLease(lease: HeldLeaseState): Promise<number | Lost> {
    const answer = await this.update(lease, {
      UpdateExpression: `SET leaseCounter = leaseCounter + :one REMOVE leaseOwner${endsHandOver(lease) ? `, ${CHECKPOINT_OWNER}` : ''}`,
      ...ownedAtCounter(lease),
    });
    return answer === LOST ? LOST : lease.leaseCounter + 1;
  }

  /** Records child shards on their parent's lease (a set: adding twice is harmless; holder and counter stay). */
  async addChildShards(leaseKey: string, childShardIds: readonly string[]): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { leaseKey: { S: leaseKey } },
          UpdateExpression: 'ADD childShardIds :children',
          ConditionExpression: 'attribute_exists(leaseKey)',
          ExpressionAttributeValues: { ':children': { SS: [...childShardIds] } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Deletes a lease unchanged since it was read as `lease`. Returns whether it was deleted. */
  async deleteLease(lease: Lease): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { leaseKey: { S: lease.leaseKey } },
          ConditionExpression: 'leaseCounter = :counter',
          ExpressionAttributeValues: { ':counter': counterValue(lease) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async update(
    lease: { readonly leaseKey: string },
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>,
  ): Promise<LeaseItem | Lost> {
    try {
      const answer = await this.client.send(
        new UpdateItemCommand({ TableName: this.tableName, Key: { leaseKey: { S: lease.leaseKey } }, ...input }),
      );
      return answer.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) return LOST;
      throw error;
    }
  }
}

/** What a write on a held lease is conditioned on. */
export interface HeldLeaseState {
  readonly leaseKey: string;
  readonly leaseOwner: string;
  readonly leaseCounter: number;
  /** A stolen lease whose previous owner may still write its last checkpoint: the holder's writes leave `checkpointOwner`. */
  readonly awaitingHandOver?: boolean;
}

const CHECKPOINT_OWNER = 'checkpointOwner';

/** Once it reads the shard, the holder's writes end any hand-over still pending: a late one would move the checkpoint under it. */
function endsHandOver(lease: HeldLeaseState): boolean {
  return lease.awaitingHandOver !== true;
}

/** The SET and REMOVE clauses of a checkpoint write (it also resets `ownerSwitchesSinceCheckpoint`). */
function checkpointUpdate(checkpoint: Checkpoint): { sets: string[]; removes: string[]; values: Record<string, AttributeValue> } {
  const attributes = checkpointAttributes(checkpoint);
  const names = Object.keys(attributes);
  const values: Record<string, AttributeValue> = { ':zero': { N: '0' } };
  const sets = ['ownerSwitchesSinceCheckpoint = :zero'];
  for (const name of names) {
    sets.push(`${name} = :${name}`);
    values[`:${name}`] = attributes[name];
  }
  return { sets, removes: names.includes(LATEST_SINCE_ATTRIBUTE) ? [] : [LATEST_SINCE_ATTRIBUTE], values };
}

function counterValue(lease: { readonly leaseCounter: number }): AttributeValue {
  return { N: String(lease.leaseCounter) };
}

function ownedAtCounter(lease: HeldLeaseState): Pick<UpdateItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'> {
  return {
    ConditionExpression: 'leaseOwner = :owner AND leaseCounter = :counter',
    ExpressionAttributeValues: { ':owner': { S: lease.leaseOwner }, ':counter': counterValue(lease), ':one': { N: '1' } },
  };
}
