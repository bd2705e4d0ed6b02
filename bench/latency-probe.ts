// Writes single items at a steady rate and measures, per item, the time from just before its
// PutItem to its msg's arrival at the sink node.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchItem } from './items';
import type { BenchMsg } from './node-red-runtime';
import { distribution, type Distribution } from './stats';

export interface LatencyFigures extends Distribution {
  readonly writes: number;
  readonly received: number;
  readonly missing: number;
  /** Every latency in ms, in write order (missing ones left out). */
  readonly samples: number[];
  /** The bench item numbers of the sample's writes: `firstItem` … `firstItem + writes - 1`. */
  readonly firstItem: number;
}

const GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 30_000;

interface TriggerMeshPayload {
  Dynamodb?: { NewImage?: { pk?: { S?: string }; writtenAt?: { N?: string } } };
}

export class LatencyProbe {
  private next = 1_000_000;
  /** Per bench item number: ms from just before its PutItem to its msg's arrival. */
  readonly arrivals = new Map<number, number>();
  private readonly pendingWrites = new Set<Promise<unknown>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** The sink's handler: notes when each bench item arrived. */
  onMessage(msg: BenchMsg): void {
    const now = Date.now();
    const image = (msg.payload as TriggerMeshPayload | undefined)?.Dynamodb?.NewImage;
    const n = Number(image?.pk?.S?.slice('order-'.length));
    const writtenAt = Number(image?.writtenAt?.N);
    if (Number.isFinite(n) && writtenAt > 0 && !this.arrivals.has(n)) this.arrivals.set(n, now - writtenAt);
  }

  /** Writes one item every 250 ms until one arrives: the source is reading. */
  async waitUntilReading(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const first = this.next;
    while (Date.now() < deadline) {
      this.write();
      await new Promise((resolve) => setTimeout(resolve, 250));
      for (let n = first; n < this.next; n++) if (this.arrivals.has(n)) return;
    }
    throw new Error(`no record arrived within ${READY_TIMEOUT_MS} ms`);
  }

  /** Writes `ratePerSecond` items a second for `windowMs` on a fixed schedule, then waits for stragglers. */
  async sample(ratePerSecond: number, windowMs: number): Promise<LatencyFigures> {
    const count = Math.round((ratePerSecond * windowMs) / 1000);
    const first = this.next;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.write();
    }
    await Promise.allSettled([...this.pendingWrites]);
    const graceEnd = Date.now() + GRACE_MS;
    while (Date.now() < graceEnd && !this.allArrived(first, count)) await new Promise((resolve) => setTimeout(resolve, 50));
    return this.figures(first, count);
  }

  private allArrived(first: number, count: number): boolean {
    for (let n = first; n < first + count; n++) if (!this.arrivals.has(n)) return false;
    return true;
  }

  private write(): void {
    const n = this.next++;
    const put = this.client
      .send(new PutItemCommand({ TableName: this.tableName, Item: benchItem(n, Date.now()) }))
      .finally(() => this.pendingWrites.delete(put));
    this.pendingWrites.add(put);
  }

  private figures(first: number, count: number): LatencyFigures {
    const samples: number[] = [];
    for (let n = first; n < first + count; n++) {
      const latency = this.arrivals.get(n);
      if (latency !== undefined) samples.push(latency);
    }
    return { ...distribution(samples), writes: count, received: samples.length, missing: count - samples.length, samples, firstItem: first };
  }
}
