import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, type TableStatus } from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../aws-errors';

/** The identity may not create or describe the lease table: names the permission it lacks. */
export class LeaseTablePermissionError extends Error {
  constructor(
    readonly action: 'dynamodb:CreateTable' | 'dynamodb:DescribeTable',
    readonly tableName: string,
    readonly resource: string,
  ) {
    super(
      action === 'dynamodb:CreateTable'
        ? `The lease table "${tableName}" does not exist and this identity may not create it: allow ${action} on ${resource}, or create the table (hash key leaseKey, type S).`
        : `This identity may not read the lease table "${tableName}": allow ${action} on ${resource}.`,
    );
    this.name = 'LeaseTablePermissionError';
  }
}

export interface LeaseTableSetupOptions {
  /** Pause between DescribeTable calls while the table is being created. */
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The resource an AccessDenied message names ("… on resource: arn:…"), else a pattern naming the table. */
function deniedResource(error: unknown, tableName: string): string {
  const message = (error as { message?: string } | undefined)?.message ?? '';
  return /on resource:\s*(arn:\S+?)(?:\s|$|\s*because)/.exec(message)?.[1] ?? `arn:aws:dynamodb:<region>:<account>:table/${tableName}`;
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<TableStatus | 'MISSING'> {
  try {
    const answer = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return answer.Table?.TableStatus ?? 'CREATING';
  } catch (error) {
    const kind = classifyAwsError(error);
    if (kind === 'not-found') return 'MISSING';
    if (kind === 'access-denied') throw new LeaseTablePermissionError('dynamodb:DescribeTable', tableName, deniedResource(error, tableName));
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    // Another worker created it first.
    if ((error as { name?: string }).name === 'ResourceInUseException') return;
    if (classifyAwsError(error) === 'access-denied') throw new LeaseTablePermissionError('dynamodb:CreateTable', tableName, deniedResource(error, tableName));
    throw error;
  }
}

/** Statuses that become ACTIVE by waiting (MISSING: a table just created may not be listed yet). */
const PASSING_STATUSES = new Set<string>(['MISSING', 'CREATING', 'UPDATING']);

/** Makes sure the lease table exists and is ACTIVE, creating it (on-demand billing) when missing. */
export async function ensureLeaseTable(client: DynamoDBClient, tableName: string, options: LeaseTableSetupOptions = {}): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  if ((await tableStatus(client, tableName)) === 'MISSING') await createTable(client, tableName);
  for (let waitedMs = 0; ; waitedMs += pollIntervalMs) {
    const status = await tableStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (!PASSING_STATUSES.has(status)) throw new Error(`The lease table "${tableName}" cannot be used: its status is ${status}.`);
    if (waitedMs >= timeoutMs) throw new Error(`The lease table "${tableName}" did not become ACTIVE within ${timeoutMs} ms (status ${status}).`);
    await sleep(pollIntervalMs);
  }
}
