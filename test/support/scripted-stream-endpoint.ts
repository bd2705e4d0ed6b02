/**
 * A loopback HTTP endpoint for tests that need a stream DynamoDB Local cannot make: several shards,
 * a split on command, records appended on command. It answers the DynamoDB Streams JSON protocol
 * (DescribeStream, GetShardIterator, GetRecords, ListStreams) and DescribeTable for the scripted
 * tables from the model in mock-stream.ts, and forwards every other DynamoDB call (a lease table)
 * to a real DynamoDB Local, which should run with `-sharedDb` so that callers with different
 * access keys (one per Node-RED process) share one database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/dynamodb-local';
import { dynamoDbErrorBody } from './fault-proxy';
import { FakeAws } from './mock-stream';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const STREAMS_PREFIX = 'DynamoDBStreams_20120810.';
const DESCRIBE_TABLE = 'DynamoDB_20120810.DescribeTable';

/** One request the endpoint received. */
export interface EndpointRequest {
  /** `GetRecords`, `UpdateItem`, …: the part of X-Amz-Target after the dot. */
  readonly operation: string;
  /** From the request's signature: which caller (e.g. which Node-RED process) it was. */
  readonly accessKeyId: string | undefined;
  /** The shard a GetShardIterator or GetRecords call addressed. */
  readonly shardId?: string;
  /** Records a GetRecords answer carried. */
  readonly records?: number;
  readonly forwarded: boolean;
  /** Date.now() when the answer was sent (when forwarded: when the request arrived). */
  readonly at: number;
}

type Json = Record<string, unknown>;

/** JSON as the service sends it: timestamps as epoch seconds, binary as base64. */
function serialize(output: object): string {
  const { $metadata: _metadata, ...body } = output as Json;
  return JSON.stringify(body, function replacer(this: Json, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    return value;
  });
}

function accessKeyOf(req: http.IncomingMessage): string | undefined {
  return /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
}

export class ScriptedStreamEndpoint {
  /** The scripted tables and streams: create them, add shards, put records, split shards here. */
  readonly aws = new FakeAws();
  readonly requests: EndpointRequest[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly target: URL;

  private constructor(target: string) {
    this.target = new URL(target);
  }

  /** Listens on 127.0.0.1 and forwards what it does not script to `dynamoDbLocal` (its URL). */
  static async start(dynamoDbLocal: string): Promise<ScriptedStreamEndpoint> {
    const endpoint = new ScriptedStreamEndpoint(dynamoDbLocal);
    await new Promise<void>((resolve, reject) => {
      endpoint.server.once('error', reject);
      endpoint.server.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  /** The URL to configure as the one endpoint of both the DynamoDB and the DynamoDB Streams client. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Shards read by each caller (access key id), from its GetRecords calls. */
  shardsReadBy(accessKeyId: string): Set<string> {
    return new Set(this.requests.filter((r) => r.operation === 'GetRecords' && r.accessKeyId === accessKeyId && r.shardId).map((r) => r.shardId as string));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    this.aws.restore();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    }).catch(() => undefined);
    if (!body) return;
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const input = (body.length > 0 ? JSON.parse(body.toString()) : {}) as Json;
    const scriptedTable = target === DESCRIBE_TABLE ? this.scriptedTableName(input.TableName) : undefined;
    if (scriptedTable) input.TableName = scriptedTable;
    const scripted = target.startsWith(STREAMS_PREFIX) || scriptedTable !== undefined;
    if (!scripted) {
      this.requests.push({ operation, accessKeyId: accessKeyOf(req), forwarded: true, at: Date.now() });
      this.forward(req, res, body);
      return;
    }
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    try {
      const output = await this.answer(operation, input, aborted.signal);
      this.requests.push({
        operation,
        accessKeyId: accessKeyOf(req),
        forwarded: false,
        at: Date.now(),
        ...this.shardOf(operation, input, output),
      });
      const text = serialize(output);
      res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (error) {
      const { name, message, $metadata } = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      this.requests.push({ operation, accessKeyId: accessKeyOf(req), forwarded: false, at: Date.now() });
      if (res.destroyed) return;
      const text = dynamoDbErrorBody(name, message);
      res.writeHead($metadata?.httpStatusCode ?? 400, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  }

  private answer(operation: string, input: Json, abortSignal: AbortSignal): Promise<object> {
    const options = { abortSignal };
    switch (operation) {
      case 'DescribeStream':
        return this.aws.streamsClient.send(new DescribeStreamCommand(input as never), options);
      case 'GetShardIterator':
        return this.aws.streamsClient.send(new GetShardIteratorCommand(input as never), options);
      case 'GetRecords':
        return this.aws.streamsClient.send(new GetRecordsCommand(input as never), options);
      case 'DescribeTable':
        return this.aws.dynamodbClient.send(new DescribeTableCommand(input as never), options);
      case 'ListStreams':
        return Promise.resolve(this.listStreams(input));
      default:
        return Promise.reject(Object.assign(new Error(`The scripted endpoint does not answer ${operation}`), { name: 'UnknownOperationException' }));
    }
  }

  /** The name of the scripted table that `nameOrArn` names (DescribeTable accepts either), if any. */
  private scriptedTableName(nameOrArn: unknown): string | undefined {
    for (const table of this.aws.tables.values()) if (table.name === nameOrArn || table.arn === nameOrArn) return table.name;
    return undefined;
  }

  private listStreams(input: Json): Json {
    const streams = [...this.aws.streams.values()].filter((s) => input.TableName === undefined || s.tableName === input.TableName);
    return { Streams: streams.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })) };
  }

  private shardOf(operation: string, input: Json, output: object): Pick<EndpointRequest, 'shardId' | 'records'> {
    if (operation === 'GetShardIterator') return { shardId: String(input.ShardId) };
    if (operation !== 'GetRecords') return {};
    const call = this.aws.callsOf('GetRecords').at(-1);
    return { ...(call?.shardId ? { shardId: call.shardId } : {}), records: (output as { Records?: unknown[] }).Records?.length ?? 0 };
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const upstream = http.request(
      {
        hostname: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host, 'content-length': String(body.length) },
        agent: this.agent,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}

/** DynamoDB Local with `-sharedDb` and a scripted endpoint in front of it; `stop()` ends both. */
export interface ScriptedStreamStack {
  readonly endpoint: ScriptedStreamEndpoint;
  readonly dynamoDbLocal: DynamoDbLocal;
  stop(): Promise<void>;
}

export async function startScriptedStreamStack(): Promise<ScriptedStreamStack> {
  const dynamoDbLocal = await startDynamoDbLocal({ sharedDb: true });
  try {
    const endpoint = await ScriptedStreamEndpoint.start(dynamoDbLocal.endpoint);
    return {
      endpoint,
      dynamoDbLocal,
      async stop() {
        await endpoint.stop();
        await dynamoDbLocal.stop();
      },
    };
  } catch (error) {
    await dynamoDbLocal.stop();
    throw error;
  }
}
