import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseCoordinator, type LeaseCoordinatorOptions } from '../../nodes/lib/lease/lease-coordinator';
import type { DiscoveredShard } from '../../nodes/lib/lease/lease-registrar';
import { ManualClock } from './manual-clock';
import { seededRandom } from './seeded-random';

export const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/2026-01-01T00:00:00.000';

/** `count` open root shards. */
export function rootShards(count: number, prefix = 'shardId-'): DiscoveredShard[] {
  return Array.from({ length: count }, (_, i) => ({ shardId: `${prefix}${String(i).padStart(4, '0')}`, parentShardIds: [], closed: false }));
}

/** Counts the commands a client sends, by command name. */
export function countCommands(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
}

/** Workers sharing one lease table and one manual clock, stepped by the test (no timers). */
export class WorkerFleet {
  readonly clock = new ManualClock();
  readonly workers: LeaseCoordinator[] = [];

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly consumerName = 'node-1',
  ) {}

  add(workerId: string, options: Partial<LeaseCoordinatorOptions> = {}): LeaseCoordinator {
    const worker = new LeaseCoordinator({
      client: this.client,
      tableName: this.tableName,
      consumerName: this.consumerName,
      workerId,
      clock: this.clock,
      random: seededRandom(this.workers.length + 1),
      ...options,
    });
    this.workers.push(worker);
    return worker;
  }

  counts(): number[] {
    return this.workers.map((worker) => worker.heldLeases().length);
  }

  async renewAll(): Promise<void> {
    for (const worker of this.workers) await worker.renewLeases();
  }
}
