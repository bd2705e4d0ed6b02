import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  type Shard,
  type StreamDescription,
} from '@aws-sdk/client-dynamodb-streams';

export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** Present once the shard is closed: no record will be added after it. */
  readonly endingSequenceNumber?: string;
}

export type StreamStatus = 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED' | string;

export interface StreamSnapshot {
  readonly streamArn: string;
  readonly status: StreamStatus;
  readonly viewType?: string;
  /** Key attribute names, partition key first. */
  readonly keyAttributeNames: string[];
  readonly shards: ShardInfo[];
}

export interface TableStreamInfo {
  readonly tableArn?: string;
  /** The newest stream ever created for the table; still set after the stream was disabled. */
  readonly latestStreamArn?: string;
  readonly streamEnabled: boolean;
}

function toShardInfo(shard: Shard): ShardInfo | undefined {
  if (!shard.ShardId) return undefined;
  return {
    shardId: shard.ShardId,
    ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
    ...(shard.SequenceNumberRange?.EndingSequenceNumber
      ? { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }
      : {}),
  };
}

function keyNames(description: StreamDescription): string[] {
  const schema = description.KeySchema ?? [];
  const ordered = [...schema.filter((k) => k.KeyType === 'HASH'), ...schema.filter((k) => k.KeyType !== 'HASH')];
  return ordered.map((k) => k.AttributeName).filter((name): name is string => Boolean(name));
}

export async function describeTableStream(
  dynamodb: DynamoDBClient,
  tableName: string,
  signal?: AbortSignal,
): Promise<TableStreamInfo> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal });
  return {
    tableArn: Table?.TableArn,
    latestStreamArn: Table?.LatestStreamArn,
    streamEnabled: Table?.StreamSpecification?.StreamEnabled === true,
  };
}

/** Every shard of the stream, following DescribeStream's pages (at most 100 shards each). */
export async function describeStream(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  signal?: AbortSignal,
): Promise<StreamSnapshot> {
  const shards: ShardInfo[] = [];
  let exclusiveStartShardId: string | undefined;
  let first: StreamDescription | undefined;
  do {
    const { StreamDescription: page } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      { abortSignal: signal },
    );
    if (!page) break;
    first ??= page;
    for (const shard of page.Shards ?? []) {
      const info = toShardInfo(shard);
      if (info) shards.push(info);
    }
    exclusiveStartShardId = page.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return {
    streamArn,
    status: first?.StreamStatus ?? 'UNKNOWN',
    viewType: first?.StreamViewType,
    keyAttributeNames: first ? keyNames(first) : [],
    shards,
  };
}

/** The children of a closed shard, asked for directly with ShardFilter CHILD_SHARDS. */
export async function describeChildShards(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  parentShardId: string,
  signal?: AbortSignal,
): Promise<ShardInfo[]> {
  const children: ShardInfo[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription: page } = await streams.send(
      new DescribeStreamCommand({
        StreamArn: streamArn,
        ShardFilter: { Type: 'CHILD_SHARDS', ShardId: parentShardId },
        ExclusiveStartShardId: exclusiveStartShardId,
      }),
      { abortSignal: signal },
    );
    for (const shard of page?.Shards ?? []) {
      const info = toShardInfo(shard);
      if (info) children.push(info);
    }
    exclusiveStartShardId = page?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return children;
}
