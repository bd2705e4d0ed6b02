import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Node, NodeAPI } from 'node-red';
import { contextSurvivesRestarts, knownContextStores, nodeContextStore } from './context-checkpoints';
import type { CheckpointBackend } from './lib/checkpoint/checkpoint-backend';
import { CheckpointStore } from './lib/checkpoint/checkpoint-store';
import { LeaseCheckpoints } from './lib/lease/lease-checkpoints';
import { LeaseCoordinator } from './lib/lease/lease-coordinator';
import { LeasedShards } from './lib/lease/leased-shards';
import { defaultWorkerId } from './lib/lease/worker-id';
import type { ShardAssignment } from './lib/position/shard-assignment';
import type { SourceOptions } from './lib/source-options';

type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;

/** Where the source node's checkpoints live, and (sharing the stream through a lease table) which shards it reads. */
export interface SourceCheckpoints {
  readonly backend: CheckpointBackend | undefined;
  readonly assignment: ShardAssignment | undefined;
  readonly lease: { readonly coordinator: LeaseCoordinator; readonly workerId: string; readonly table: string } | undefined;
}

export interface LeaseTiming {
  /** A lease not renewed for this long is taken by another worker (default 10 s). */
  leaseFailoverMs?: number;
}

/** Builds the checkpoint backend the node's options ask for; throws a message for the status when they cannot work. */
export function sourceCheckpoints(
  RED: NodeAPI,
  node: Node,
  options: SourceOptions,
  dynamodb: DynamoDBClient,
  tableArn: string,
  timing: LeaseTiming & { checkpointFlushIntervalMs?: number },
  t: Translate,
): SourceCheckpoints {
  if (options.lease) {
    const workerId = options.lease.workerId || defaultWorkerId();
    const coordinator = new LeaseCoordinator({
      client: dynamodb,
      tableName: options.lease.table,
      consumerName: leaseConsumerName(node.id, tableArn),
      workerId,
      ...(timing.leaseFailoverMs ? { failoverMs: timing.leaseFailoverMs } : {}),
    });
    logLeaseChanges(node, coordinator, workerId, options.lease.table, t);
    const backend = new LeaseCheckpoints(coordinator, (error) => node.warn(t('errors.leaseTable', { table: options.lease?.table ?? '', reason: (error as Error).message })));
    return { backend, assignment: new LeasedShards(coordinator), lease: { coordinator, workerId, table: options.lease.table } };
  }
  if (options.checkpointStore === 'none') return { backend: undefined, assignment: undefined, lease: undefined };
  if (!knownContextStores(RED).includes(options.checkpointStore)) throw new Error(t('errors.unknownCheckpointStore', { store: options.checkpointStore }));
  if (!contextSurvivesRestarts(RED)) node.warn(t('errors.volatileCheckpointStore'));
  const backend = new CheckpointStore(
    nodeContextStore(node, options.checkpointStore),
    timing.checkpointFlushIntervalMs ?? DEFAULT_CHECKPOINT_FLUSH_MS,
    (error) => node.error(t('errors.checkpointFailed', { shard: '*', reason: (error as Error).message })),
  );
  return { backend, assignment: undefined, lease: undefined };
}

const DEFAULT_CHECKPOINT_FLUSH_MS = 1_000;

/**
 * Scopes a node's leases in a shared lease table: the node's id (the same in every instance running the
 * flow) and its table, so that an imported copy of the flow reading another table never takes its leases.
 */
export function leaseConsumerName(nodeId: string, tableArn: string): string {
  return `${nodeId}:${tableArn}`;
}
const REPEAT_PROBLEM_AFTER_MS = 60_000;

/** The log tells each lease taken, stolen, lost and released; a failing lease table once a minute. */
function logLeaseChanges(node: Node, coordinator: LeaseCoordinator, workerId: string, table: string, t: Translate): void {
  coordinator.on('taken', (lease, stolenFrom) =>
    node.log(stolenFrom ? t('errors.leaseStolen', { shard: lease.shardId, from: stolenFrom }) : t('errors.leaseTaken', { shard: lease.shardId, worker: workerId })),
  );
  coordinator.on('lost', (lease, reason) => node.warn(t('errors.leaseLost', { shard: lease.shardId, reason })));
  coordinator.on('released', (lease) => node.log(t('errors.leaseReleased', { shard: lease.shardId })));
  let lastProblemAt = -Infinity;
  coordinator.on('problem', (error) => {
    const now = Date.now();
    if (now - lastProblemAt < REPEAT_PROBLEM_AFTER_MS) return;
    lastProblemAt = now;
    node.warn(t('errors.leaseTable', { table, reason: (error as Error).message }));
  });
}
