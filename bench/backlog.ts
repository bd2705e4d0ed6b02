// The pre-filled table every catch-up and memory run reads from TRIM_HORIZON.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createStreamTable, shardIds, tableArn } from './local-dynamodb';
import { prefill } from './prefill';

export interface Backlog {
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly records: number;
  readonly prefillMs: number;
}

export async function createBacklog(client: DynamoDBClient, streams: DynamoDBStreamsClient, records: number): Promise<Backlog> {
  const tableName = 'bench-backlog';
  const streamArn = await createStreamTable(client, tableName);
  const filled = await prefill(client, tableName, records);
  const shards = await shardIds(streams, streamArn);
  if (shards.length !== 1) throw new Error(`expected one shard on DynamoDB Local, found ${shards.length}`);
  return { tableName, tableArn: tableArn(tableName), streamArn, shardId: shards[0], records, prefillMs: filled.ms };
}
