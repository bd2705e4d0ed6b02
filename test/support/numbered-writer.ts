import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { NumberedItem } from './delivery-ledger';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb';

export interface NumberedWriterOptions {
  /** DynamoDB Local's URL (written to directly, never through a fault proxy). */
  readonly endpoint: string;
  readonly tableName: string;
  /** Items go to keys `k0` … `k<keys-1>` in turn (item n to `k<n mod keys>`). */
  readonly keys?: number;
  /** Size of a filler string attribute, to make records heavier. */
  readonly paddingBytes?: number;
}

export type WriteOutcome = 'written' | 'failed' | 'uncertain';

/**
 * Puts numbered items (`pk` = `k<n mod keys>`, `n` = n) and keeps the outcome of each: confirmed,
 * failed (nothing was written) or uncertain (the connection broke after the request went out).
 * Numbers are never reused, so every stream record names one write.
 */
export class NumberedWriter {
  /** Confirmed writes in the order they were confirmed (per key: in write order). */
  readonly written: NumberedItem[] = [];
  readonly uncertain: NumberedItem[] = [];
  failed = 0;
  private next = 0;
  private readonly client: DynamoDBClient;
  private readonly keys: number;
  private readonly padding: string | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: NumberedWriterOptions) {
    this.keys = options.keys ?? 5;
    this.padding = options.paddingBytes ? 'x'.repeat(options.paddingBytes) : undefined;
    // One attempt per write: a retried put whose first attempt did land would blur the outcome.
    this.client = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: options.endpoint,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
    });
  }

  get attempts(): number {
    return this.next;
  }

  keyOf(n: number): string {
    return `k${n % this.keys}`;
  }

  /** Writes `count` items, one writer per key (so the order per key is the write order), and returns when all are answered. */
  async writeMany(count: number): Promise<void> {
    const first = this.next;
    this.next += count;
    const lanes = Array.from({ length: Math.min(this.keys, count) }, async (_, lane) => {
      for (let n = first + lane; n < first + count; n += this.keys) await this.put(n);
    });
    await Promise.all(lanes);
  }

  /** Writes one item after another, `intervalMs` apart, until `stop()` (or `maxItems` attempts). */
  start(intervalMs: number, maxItems = 20_000): void {
    if (this.loop) throw new Error('writer already running');
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping && this.next < maxItems) {
        const outcome = await this.put(this.next++);
        // While the table is unreachable, do not spin.
        await new Promise((resolve) => setTimeout(resolve, outcome === 'written' ? intervalMs : Math.max(intervalMs, 50)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.loop = undefined;
  }

  /** Stops writing and closes the client. */
  async close(): Promise<void> {
    await this.stop();
    this.client.destroy();
  }

  private async put(n: number): Promise<WriteOutcome> {
    const item: NumberedItem = { key: this.keyOf(n), n };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: { pk: { S: item.key }, n: { N: String(n) }, ...(this.padding ? { padding: { S: this.padding } } : {}) },
        }),
      );
      this.written.push(item);
      return 'written';
    } catch (error) {
      if (definitelyNotWritten(error)) {
        this.failed += 1;
        return 'failed';
      }
      this.uncertain.push(item);
      return 'uncertain';
    }
  }
}

/** Refused connections and client errors wrote nothing; a broken connection or a server error may have. */
function definitelyNotWritten(error: unknown): boolean {
  const err = error as { code?: string; $metadata?: { httpStatusCode?: number } };
  if (err.code === 'ECONNREFUSED') return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
}
