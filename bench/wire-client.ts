// The DynamoDB Streams API with nothing but a keep-alive HTTP agent, a SigV4 header and JSON.parse:
// what the wire costs without any SDK (the wire contender of the catch-up, and the latency floor).
import http from 'node:http';
import { BENCH_CREDENTIALS, BENCH_REGION } from './local-dynamodb';
import { signJsonPost } from './sigv4';

const TARGET_PREFIX = 'DynamoDBStreams_20120810.';

export class WireStreamsClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly url: URL;
  /** Time spent building signed headers, to show that it does not dominate. */
  signingMs = 0;
  calls = 0;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  /** POSTs one operation and returns its answer as parsed by JSON.parse; rejects on a non-2xx answer. */
  async call<T>(operation: string, input: unknown): Promise<T> {
    const body = JSON.stringify(input);
    const signStarted = performance.now();
    const headers = signJsonPost({
      host: this.url.host,
      target: TARGET_PREFIX + operation,
      body,
      region: BENCH_REGION,
      service: 'dynamodb',
      credentials: BENCH_CREDENTIALS,
      now: new Date(),
    });
    this.signingMs += performance.now() - signStarted;
    this.calls++;
    const text = await this.post(body, headers);
    return JSON.parse(text) as T;
  }

  destroy(): void {
    this.agent.destroy();
  }

  private post(body: string, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.agent,
          hostname: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: '/',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text);
            else reject(new Error(`HTTP ${status}: ${text.slice(0, 300)}`));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

export interface WireRecord {
  readonly dynamodb?: { readonly NewImage?: Record<string, Record<string, string>> };
}

export interface WirePage {
  readonly Records?: WireRecord[];
  readonly NextShardIterator?: string;
}

export async function wireShardIterator(client: WireStreamsClient, streamArn: string, shardId: string, type: 'TRIM_HORIZON' | 'LATEST'): Promise<string> {
  const answer = await client.call<{ ShardIterator?: string }>('GetShardIterator', { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type });
  if (!answer.ShardIterator) throw new Error(`no ${type} iterator for ${shardId}`);
  return answer.ShardIterator;
}

export function wireGetRecords(client: WireStreamsClient, iterator: string, limit: number): Promise<WirePage> {
  return client.call<WirePage>('GetRecords', { ShardIterator: iterator, Limit: limit });
}
