// The demo table in DynamoDB Local. DynamoDB Local keeps one database per access key and region,
// so the writer and Node-RED use these same values; its ARNs always say region `ddblocal`.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { streamTableInput } from '../stream-table';

export const DEMO_TABLE = 'demo-orders';
export const DEMO_REGION = 'ddblocal';
export const DEMO_CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' };
export const DEMO_TABLE_ARN = `arn:aws:dynamodb:${DEMO_REGION}:000000000000:table/${DEMO_TABLE}`;

export function demoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: DEMO_REGION, credentials: DEMO_CREDENTIALS });
}

/** pk (string) + sk (number), stream with new and old images. DynamoDB Local creates tables ACTIVE at once. */
export async function createDemoTable(client: DynamoDBClient): Promise<void> {
  await client.send(new CreateTableCommand(streamTableInput(DEMO_TABLE, { rangeKey: true })));
}
