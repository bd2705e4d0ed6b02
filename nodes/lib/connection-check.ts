import { classifyAwsError, deniedAction, shortReason } from './aws-errors';
import { createAwsClients } from './clients';
import { citeReference, resolveConnectionSettings, streamsEndpointOf, type ConnectionInput, type ConnectionSettings, type TypedReferences } from './connection-settings';
import { describeStream, describeTableStream } from './stream-discovery';

export interface ConnectionCheckResult {
  readonly ok: boolean;
  readonly message: string;
  readonly stream?: { arn: string; status: string; viewType?: string; shards: number; openShards: number };
}

const CHECK_TUNING = { connectionTimeoutMs: 3_000, requestTimeoutMs: 8_000, maxSockets: 4 };

/** How the check's messages name what the user configured: as typed when it came from `${NAME}` references. */
class Citations {
  constructor(
    private readonly settings: ConnectionSettings,
    private readonly input: ConnectionInput,
    private readonly references: TypedReferences,
  ) {}

  get anyReference(): boolean {
    return Object.keys(this.references).length > 0;
  }

  /** Where an operation's request went: its endpoint, or the region (which defaults to the ARN's). */
  where(operation: Operation): string {
    const { settings, references } = this;
    if (operation === 'DescribeStream' && settings.streamsEndpoint !== undefined) {
      return `the Streams endpoint ${references.streamsEndpoint === undefined ? settings.streamsEndpoint : citeReference(references.streamsEndpoint)}`;
    }
    if (settings.endpoint !== undefined) return references.endpoint === undefined ? settings.endpoint : `the endpoint ${citeReference(references.endpoint)}`;
    const regionReference = this.input.region?.trim() ? references.region : references.arn;
    return regionReference === undefined ? `region ${settings.region}` : `the region ${citeReference(regionReference)}`;
  }

  get table(): string {
    return this.references.arn === undefined ? `Table ${this.settings.arn.tableName}` : `Table ${citeReference(this.references.arn)}`;
  }

  get stream(): string {
    return this.references.arn === undefined ? `Stream ${this.settings.arn.streamArn ?? ''}` : `Stream ${citeReference(this.references.arn)}`;
  }
}

/** The calls the check makes: DescribeTable through the DynamoDB endpoint, DescribeStream through the Streams one. */
type Operation = 'DescribeTable' | 'DescribeStream';

function failure(settings: ConnectionSettings, citations: Citations, operation: Operation, error: unknown): ConnectionCheckResult {
  const where = citations.where(operation);
  switch (classifyAwsError(error)) {
    case 'access-denied':
      return { ok: false, message: `Access denied: the credentials lack ${deniedAction(error) ?? `dynamodb:${operation}`}` };
    case 'bad-credentials':
      return { ok: false, message: `The credentials were rejected or could not be found (${shortReason(error)})` };
    case 'network':
      return { ok: false, message: `Cannot reach ${where}: ${shortReason(error)}` };
    case 'not-found': {
      const what = operation === 'DescribeTable' ? citations.table : citations.stream;
      const localHint =
        (operation === 'DescribeStream' ? streamsEndpointOf(settings) : settings.endpoint) !== undefined
          ? ` DynamoDB Local keeps one database per access key and region: set Region to the region the table was created with.`
          : '';
      return { ok: false, message: `${what} not found in ${where}.${localHint}` };
    }
    default: {
      // AWS's own message may quote the table or stream: with references, only the error's name.
      const reason = citations.anyReference ? errorName(error) : shortReason(error);
      return { ok: false, message: `${operation} failed: ${reason}` };
    }
  }
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'error';
}

/**
 * Resolves the ARN and checks the stream as a source node would, reporting what is wrong in one sentence.
 * `references`: the fields that came from `${NAME}` references, which a failure names as typed, never by value.
 */
export async function checkConnection(input: ConnectionInput, references: TypedReferences = {}): Promise<ConnectionCheckResult> {
  let settings: ConnectionSettings;
  try {
    settings = resolveConnectionSettings(input, references);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const citations = new Citations(settings, input, references);
  const clients = createAwsClients(settings, CHECK_TUNING);
  try {
    let streamArn = settings.arn.streamArn;
    if (!streamArn) {
      let table;
      try {
        table = await describeTableStream(clients.dynamodb, settings.arn.tableName);
      } catch (error) {
        return failure(settings, citations, 'DescribeTable', error);
      }
      if (!table.latestStreamArn) {
        return { ok: false, message: `${citations.table} exists but has no stream: enable DynamoDB Streams on it.` };
      }
      streamArn = table.latestStreamArn;
    }
    let snapshot;
    try {
      snapshot = await describeStream(clients.streams, streamArn);
    } catch (error) {
      return failure(settings, citations, 'DescribeStream', error);
    }
    const openShards = snapshot.shards.filter((s) => !s.endingSequenceNumber).length;
    const stream = { arn: streamArn, status: snapshot.status, viewType: snapshot.viewType, shards: snapshot.shards.length, openShards };
    const summary = `stream ${snapshot.status}${snapshot.viewType ? ` (${snapshot.viewType})` : ''}, ${stream.shards} shard(s), ${openShards} open`;
    if (snapshot.status !== 'ENABLED' && snapshot.status !== 'ENABLING') {
      return { ok: false, message: `${citations.table}: ${summary}. The stream is disabled: enable it on the table.`, stream };
    }
    return { ok: true, message: `Connected: table ${settings.arn.tableName}, ${summary}.`, stream };
  } finally {
    clients.destroy();
  }
}
