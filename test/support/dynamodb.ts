import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, UpdateTableCommand, type AttributeValue, type StreamViewType } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/dynamodb-local';
import { streamTableInput, type StreamTableShape } from '../../scripts/stream-table';

/** Same keys and region everywhere: DynamoDB Local keeps one database per access key and region. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'testkey', secretAccessKey: 'testsecret' };
export const LOCAL_REGION = 'ddblocal';
export const LOCAL_ACCOUNT = '000000000000';

let shared: Promise<DynamoDbLocal> | undefined;

/** One DynamoDB Local for the whole test run, started on first use and stopped by the root hook below. */
export function sharedDynamoDbLocal(): Promise<DynamoDbLocal> {
  shared ??= startDynamoDbLocal();
  return shared;
}

export async function stopSharedDynamoDbLocal(): Promise<void> {
  if (shared) await (await shared).stop();
  shared = undefined;
}

export function tableArn(tableName: string): string {
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${tableName}`;
}

let tableCounter = 0;
export function uniqueTableName(prefix: string): string {
  tableCounter += 1;
  return `${prefix}-${process.pid}-${tableCounter}-${Date.now().toString(36)}`;
}

export class TestTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
  ) {}

  get arn(): string {
    return tableArn(this.name);
  }

  put(item: Record<string, AttributeValue>): Promise<unknown> {
    return this.client.send(new PutItemCommand({ TableName: this.name, Item: item }));
  }

  update(key: Record<string, AttributeValue>, set: string, values: Record<string, AttributeValue>): Promise<unknown> {
    return this.client.send(
      new UpdateItemCommand({ TableName: this.name, Key: key, UpdateExpression: `SET ${set}`, ExpressionAttributeValues: values }),
    );
  }

  remove(key: Record<string, AttributeValue>): Promise<unknown> {
    return this.client.send(new DeleteItemCommand({ TableName: this.name, Key: key }));
  }

  setStream(enabled: boolean, viewType: StreamViewType = 'NEW_AND_OLD_IMAGES'): Promise<unknown> {
    return this.client.send(
      new UpdateTableCommand({
        TableName: this.name,
        StreamSpecification: enabled ? { StreamEnabled: true, StreamViewType: viewType } : { StreamEnabled: false },
      }),
    );
  }
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS });
}

export interface TableSpec extends StreamTableShape {
  prefix?: string;
}

/** A pk (string) [+ sk (number)] table, with a stream unless `stream: false`. */
export async function createTable(client: DynamoDBClient, spec: TableSpec = {}): Promise<TestTable> {
  const name = uniqueTableName(spec.prefix ?? 'tbl');
  await client.send(new CreateTableCommand(streamTableInput(name, spec)));
  return new TestTable(client, name);
}
