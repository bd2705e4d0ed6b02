// The latency floor: a second reader of the shard the node reads (DynamoDB allows two per shard),
// polling it continuously over the wire client, notes when each bench write first became readable.
import { wireGetRecords, wireShardIterator, type WirePage, type WireRecord, type WireStreamsClient } from './wire-client';

interface StreamDescription {
  readonly StreamDescription?: { readonly Shards?: ReadonlyArray<{ readonly ShardId?: string; readonly SequenceNumberRange?: { readonly EndingSequenceNumber?: string } }> };
}

/** The bench item number and write time a record carries, when it is a bench write. */
export function benchWriteOf(record: WireRecord): { n: number; writtenAt: number } | undefined {
  const image = record.dynamodb?.NewImage;
  const n = Number(image?.pk?.S?.slice('order-'.length));
  const writtenAt = Number(image?.writtenAt?.N);
  return Number.isFinite(n) && writtenAt > 0 ? { n, writtenAt } : undefined;
}

export class FloorReader {
  /** Per bench item number: ms from just before its PutItem to the floor reader's first sight of it. */
  readonly latencies = new Map<number, number>();
  calls = 0;
  errors = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly wire: WireStreamsClient,
    private readonly pauseMs: number,
  ) {}

  /** Takes a LATEST iterator on the stream's open shard and polls it until `stop()`. */
  async start(streamArn: string): Promise<void> {
    const answer = await this.wire.call<StreamDescription>('DescribeStream', { StreamArn: streamArn });
    const open = answer.StreamDescription?.Shards?.find((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    if (!open?.ShardId) throw new Error(`no open shard in ${streamArn}`);
    const iterator = await wireShardIterator(this.wire, streamArn, open.ShardId, 'LATEST');
    this.loop = this.poll(iterator);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async poll(first: string): Promise<void> {
    let iterator: string | undefined = first;
    while (iterator && !this.stopped) {
      const page = await this.getRecords(iterator);
      if (!page) continue;
      const now = Date.now();
      for (const record of page.Records ?? []) {
        const write = benchWriteOf(record);
        if (write && !this.latencies.has(write.n)) this.latencies.set(write.n, now - write.writtenAt);
      }
      iterator = page.NextShardIterator;
      if (this.pauseMs > 0) await pause(this.pauseMs);
    }
  }

  /** One call; a failed one (DynamoDB Local overloaded) is counted and tried again after a pause. */
  private async getRecords(iterator: string): Promise<WirePage | undefined> {
    this.calls++;
    try {
      return await wireGetRecords(this.wire, iterator, 1000);
    } catch {
      this.errors++;
      await pause(RETRY_PAUSE_MS);
      return undefined;
    }
  }
}

const RETRY_PAUSE_MS = 100;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
