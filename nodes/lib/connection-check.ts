import { classifyAwsError, deniedAction, shortReason } from './aws-errors';
import { createAwsClients } from './clients';
import { resolveConnectionSettings, type ConnectionInput, type ConnectionSettings } from './connection-settings';
import { describeStream, describeTableStream } from './stream-discovery';

export interface ConnectionCheckResult {
  readonly ok: boolean;
  readonly message: string;
  readonly stream?: { arn: string; status: string; viewType?: string; shards: number; openShards: number };
}

const CHECK_TUNING = { connectionTimeoutMs: 3_000, requestTimeoutMs: 8_000, maxSockets: 4 };

function failure(settings: ConnectionSettings, operation: string, error: unknown): ConnectionCheckResult {
  const where = settings.endpoint ?? `region ${settings.region}`;
  switch (classifyAwsError(error)) {
    case 'access-denied':
      return { ok: false, message: `Access denied: the credentials lack ${deniedAction(error) ?? `dynamodb:${operation}`}` };
    case 'bad-credentials':
      return { ok: false, message: `The credentials were rejected or could not be found (${shortReason(error)})` };
    case 'network':
      return { ok: false, message: `Cannot reach ${where}: ${shortReason(error)}` };
    case 'not-found': {
      const what = operation === 'DescribeTable' ? `Table ${settings.arn.tableName}` : `Stream ${settings.arn.streamArn ?? ''}`;
      const localHint =
        settings.endpoint !== undefined
          ? ` DynamoDB Local keeps one database per access key and region: set Region to the region the table was created with.`
          : '';
      return { ok: false, message: `${what} not found in ${where}.${localHint}` };
    }
    default:
      return { ok: false, message: `${operation} failed: ${shortReason(error)}` };
  }
}

/** Resolves the ARN and checks the stream as a source node would, reporting what is wrong in one sentence. */
export async function checkConnection(input: ConnectionInput): Promise<ConnectionCheckResult> {
  let settings: ConnectionSettings;
  try {
    settings = resolveConnectionSettings(input);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const clients = createAwsClients(settings, CHECK_TUNING);
  try {
    let streamArn = settings.arn.streamArn;
    if (!streamArn) {
      let table;
      try {
        table = await describeTableStream(clients.dynamodb, settings.arn.tableName);
      } catch (error) {
        return failure(settings, 'DescribeTable', error);
      }
      if (!table.latestStreamArn) {
        return { ok: false, message: `Table ${settings.arn.tableName} exists but has no stream: enable DynamoDB Streams on it.` };
      }
      streamArn = table.latestStreamArn;
    }
    let snapshot;
    try {
      snapshot = await describeStream(clients.streams, streamArn);
    } catch (error) {
      return failure(settings, 'DescribeStream', error);
    }
    const openShards = snapshot.shards.filter((s) => !s.endingSequenceNumber).length;
    const stream = { arn: streamArn, status: snapshot.status, viewType: snapshot.viewType, shards: snapshot.shards.length, openShards };
    const summary = `stream ${snapshot.status}${snapshot.viewType ? ` (${snapshot.viewType})` : ''}, ${stream.shards} shard(s), ${openShards} open`;
    if (snapshot.status !== 'ENABLED' && snapshot.status !== 'ENABLING') {
      return { ok: false, message: `Table ${settings.arn.tableName}: ${summary}. The stream is disabled: enable it on the table.`, stream };
    }
    return { ok: true, message: `Connected: table ${settings.arn.tableName}, ${summary}.`, stream };
  } finally {
    clients.destroy();
  }
}
