// DynamoDB Local for the bench: one in-memory instance on a loopback port, clients with the
// same key and region everywhere (it keeps one database per key and region).
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal, type DynamoDbLocal } from '../scripts/dynamodb-local';
import { streamTableInput } from '../scripts/stream-table';

export const BENCH_CREDENTIALS = { accessKeyId: 'benchkey', secretAccessKey: 'benchsecret' };
export const BENCH_REGION = 'ddblocal';
const ACCOUNT = '000000000000';

export function startBenchDynamoDb(): Promise<DynamoDbLocal> {
  return startDynamoDbLocal();
}

export function tableArn(tableName: string): string {
  return `arn:aws:dynamodb:${BENCH_REGION}:${ACCOUNT}:table/${tableName}`;
}

export function dynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ region: BENCH_REGION, endpoint, credentials: BENCH_CREDENTIALS });
}

/** Runs `measure` against a DynamoDB Local of its own (and a client for it), stopped afterwards. */
export async function withBenchDynamoDb<T>(measure: (endpoint: string, client: DynamoDBClient) => Promise<T>): Promise<T> {
  const ddb = await startBenchDynamoDb();
  const client = dynamoDbClient(ddb.endpoint);
  try {
    return await measure(ddb.endpoint, client);
  } finally {
    client.destroy();
    await ddb.stop();
  }
}

/** A plain SDK client with its defaults (keep-alive agent), as anyone calling the API would make it. */
export function streamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ region: BENCH_REGION, endpoint, credentials: BENCH_CREDENTIALS });
}

/** A `pk` (string) table with a NEW_AND_OLD_IMAGES stream; returns its stream ARN. */
export async function createStreamTable(client: DynamoDBClient, tableName: string): Promise<string> {
  await client.send(new CreateTableCommand(streamTableInput(tableName)));
  const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  return streamArn;
}

/** The stream's shard ids (DynamoDB Local keeps one shard per table; it never splits). */
export async function shardIds(streams: DynamoDBStreamsClient, streamArn: string): Promise<string[]> {
  const ids: string[] = [];
  let start: string | undefined;
  for (let page = 0; page < 100; page++) {
    const answer = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
    for (const shard of answer.StreamDescription?.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
    start = answer.StreamDescription?.LastEvaluatedShardId;
    if (!start) break;
  }
  return ids;
}
