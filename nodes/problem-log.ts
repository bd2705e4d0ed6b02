import { deniedAction, shortReason } from './lib/aws-errors';
import type { ConsumerEvent } from './lib/stream-consumer';

export interface ProblemReport {
  readonly level: 'error' | 'warn' | 'debug';
  readonly text: string;
}

type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;

const REPEAT_AFTER_MS = 60_000;

/**
 * Decides what goes to the Node-RED log: each new problem once, the same problem again
 * only after a minute, and a note when things recover.
 */
export class ProblemLog {
  private lastKey: string | undefined;
  private lastAt = 0;

  describe(event: ConsumerEvent, t: Translate, now = Date.now()): ProblemReport | undefined {
    switch (event.type) {
      case 'problem': {
        const where = event.shardId ? ` (shard ${event.shardId})` : '';
        const reason =
          event.kind === 'access-denied'
            ? t('errors.accessDenied', { action: deniedAction(event.error) ?? `dynamodb:${event.operation}` })
            : shortReason(event.error);
        const text = `${event.operation} failed${where}: ${reason}; retrying in ${Math.round(event.retryInMs / 100) / 10}s`;
        return this.once(`${event.operation}:${event.kind}`, { level: event.kind === 'throttled' ? 'warn' : 'error', text }, now);
      }
      case 'trimmed':
        return {
          level: 'error',
          text: t('errors.trimmed', { shard: event.shardId, after: event.afterSequenceNumber ?? 'the start position' }),
        };
      case 'table-missing':
        return this.once('table-missing', { level: 'error', text: t('errors.tableNotFound', { table: event.tableName }) }, now);
      case 'stream-missing':
        return this.once('stream-missing', { level: 'error', text: `Stream ${event.streamArn} not found` }, now);
      case 'iterator-expired':
        return {
          level: 'debug',
          text: event.afterSequenceNumber
            ? `Iterator of shard ${event.shardId} expired; resuming after ${event.afterSequenceNumber}`
            : `Iterator of shard ${event.shardId} expired before a record was sent; reading again from its start position (from LATEST: from the oldest record, skipping those created before the node started)`,
        };
      case 'stream-changed':
        return { level: 'warn', text: `The table has a new stream ${event.to}; reading it from its oldest record` };
      case 'recovered':
      case 'reading':
        if (this.lastKey) {
          this.lastKey = undefined;
          return { level: 'debug', text: 'recovered' };
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private once(key: string, report: ProblemReport, now: number): ProblemReport | undefined {
    if (key === this.lastKey && now - this.lastAt < REPEAT_AFTER_MS) return undefined;
    this.lastKey = key;
    this.lastAt = now;
    return report;
  }
}
