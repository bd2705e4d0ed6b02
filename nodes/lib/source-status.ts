import { deniedAction, shortReason } from './aws-errors';
import type { ConsumerEvent } from './stream-consumer';

export interface StatusView {
  readonly fill: 'green' | 'yellow' | 'red' | 'grey' | 'blue';
  readonly shape: 'dot' | 'ring';
  /** Message catalogue key under the node's namespace, e.g. `status.reading`. */
  readonly key: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

const RATE_WINDOW_MS = 10_000;
const IDLE_AFTER_MS = 5_000;
const ACTION_OF_OPERATION: Record<string, string> = {
  DescribeTable: 'dynamodb:DescribeTable',
  DescribeStream: 'dynamodb:DescribeStream',
  GetRecords: 'dynamodb:GetRecords',
  GetShardIterator: 'dynamodb:GetShardIterator',
};

export function formatLag(ms: number): string {
  if (ms < 1_000) return '<1s';
  if (ms < 120_000) return `${Math.round(ms / 1_000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

/** Records per second: one decimal below 10, so that a trickle does not read as 0. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1).replace(/\.0$/, '') : String(Math.round(perSecond));
}

/** Turns what the consumer reports, and the records it delivers, into the node's status. */
export class SourceStatus {
  private activeShards = 0;
  private problem: StatusView | undefined;
  private waiting: StatusView | undefined;
  private readonly deliveries: Array<{ at: number; count: number }> = [];
  private lastRecordAt = 0;
  private firstRecordAt = 0;
  private newestRecordTime: number | undefined;

  constructor(
    private readonly endpointLabel: string,
    /** Sharing the stream with other workers: this worker's id and how many shards there are in all. */
    private readonly shared?: { readonly workerId: string; readonly totalShards: () => number },
  ) {}

  /** Returns the status to show now, or undefined when the event changes nothing visible. */
  onEvent(event: ConsumerEvent, now = Date.now()): StatusView | undefined {
    switch (event.type) {
      case 'connecting':
        return { fill: 'yellow', shape: 'ring', key: 'status.connecting' };
      case 'waiting-for-stream':
        this.waiting =
          event.reason === 'no-stream'
            ? { fill: 'yellow', shape: 'ring', key: 'status.waitingForStream' }
            : { fill: 'yellow', shape: 'ring', key: 'errors.streamDisabled', params: { table: event.tableName } };
        return this.waiting;
      case 'table-missing':
        this.problem = { fill: 'red', shape: 'ring', key: 'errors.tableNotFound', params: { table: event.tableName } };
        return this.problem;
      case 'stream-missing':
        this.problem = { fill: 'red', shape: 'ring', key: 'status.streamNotFound' };
        return this.problem;
      case 'stream-ended':
        this.waiting = { fill: 'grey', shape: 'ring', key: 'status.streamEnded' };
        return this.waiting;
      case 'problem':
        this.problem = this.problemView(event.kind, event.operation, event.error);
        return this.problem;
      case 'reading':
        this.activeShards = event.activeShards;
        this.problem = undefined;
        this.waiting = undefined;
        return this.current(now);
      case 'recovered':
        this.problem = undefined;
        return this.current(now);
      case 'stream-changed':
        this.waiting = undefined;
        return undefined;
      default:
        return undefined;
    }
  }

  onRecords(count: number, newestRecordTime: Date | undefined, now = Date.now()): void {
    this.deliveries.push({ at: now, count });
    if (this.firstRecordAt === 0) this.firstRecordAt = now;
    this.lastRecordAt = now;
    if (newestRecordTime) this.newestRecordTime = newestRecordTime.getTime();
    this.problem = undefined;
  }

  current(now = Date.now()): StatusView {
    if (this.problem) return this.problem;
    if (this.waiting) return this.waiting;
    while (this.deliveries.length > 0 && this.deliveries[0].at < now - RATE_WINDOW_MS) this.deliveries.shift();
    const shared = this.shared ? { total: Math.max(this.activeShards, this.shared.totalShards()), worker: this.shared.workerId } : undefined;
    if (this.lastRecordAt === 0 || now - this.lastRecordAt > IDLE_AFTER_MS) {
      if (shared) return { fill: 'green', shape: 'dot', key: 'status.idleShared', params: { shards: this.activeShards, ...shared } };
      return { fill: 'green', shape: 'dot', key: 'status.idle', params: { shards: this.activeShards } };
    }
    const records = this.deliveries.reduce((sum, d) => sum + d.count, 0);
    const window = Math.min(RATE_WINDOW_MS, Math.max(1_000, now - this.firstRecordAt));
    const rate = formatRate((records * 1_000) / window);
    const lag = this.newestRecordTime === undefined ? '?' : formatLag(Math.max(0, now - this.newestRecordTime));
    if (shared) return { fill: 'green', shape: 'dot', key: 'status.readingShared', params: { shards: this.activeShards, rate, lag, ...shared } };
    return { fill: 'green', shape: 'dot', key: 'status.reading', params: { shards: this.activeShards, rate, lag } };
  }

  private problemView(kind: string, operation: string, error: unknown): StatusView {
    switch (kind) {
      case 'throttled':
        return { fill: 'yellow', shape: 'ring', key: 'status.throttled' };
      case 'access-denied':
        return {
          fill: 'red',
          shape: 'ring',
          key: 'errors.accessDenied',
          params: { action: deniedAction(error) ?? ACTION_OF_OPERATION[operation] ?? operation },
        };
      case 'network':
        return { fill: 'red', shape: 'ring', key: 'errors.network', params: { endpoint: this.endpointLabel, reason: shortReason(error) } };
      default:
        return { fill: 'red', shape: 'ring', key: 'status.error', params: { reason: shortReason(error) } };
    }
  }
}
