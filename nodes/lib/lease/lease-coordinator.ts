import { EventEmitter } from 'node:events';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Checkpoint } from './checkpoint';
import { processClock, type MonotonicClock } from './clock';
import { isFinished, leaseKeyOf, type Lease } from './lease';
import { LeaseCleanup } from './lease-cleanup';
import { parentsFinished } from './lease-lineage';
import { LeaseObservations } from './lease-observations';
import { LeaseRegistrar, type DiscoveredShard, type StartingPosition } from './lease-registrar';
import { LeaseRenewer, type LeaseLossReason, type LeaseWriteResult } from './lease-renewer';
import { LeaseTable } from './lease-table';
import { ensureLeaseTable } from './lease-table-setup';
import { LeaseTaker } from './lease-taker';
import { PeriodicTask } from './periodic-task';

export const DEFAULT_FAILOVER_MS = 10_000;

/** Renewals per failover time: three, as the KCL does, so that one failed or late renewal does not cost the lease. */
export function defaultRenewIntervalMs(failoverMs: number): number {
  return failoverMs / 3;
}

export interface LeaseCoordinatorOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Scopes the leases: one table may serve several consumers (source nodes). */
  readonly consumerName: string;
  readonly workerId: string;
  /** A lease whose counter did not change for this long is expired. Default 10 s. */
  readonly failoverMs?: number;
  /** Default failoverMs / 3. */
  readonly renewIntervalMs?: number;
  /** How often the table is listed to take, balance and clean up. Default failoverMs / 10. */
  readonly takeIntervalMs?: number;
  readonly clock?: MonotonicClock;
  /** Epoch milliseconds (the time a LATEST position is taken). */
  readonly wallClock?: () => number;
  readonly random?: () => number;
}

export interface LeaseCoordinatorEvents {
  /** Taken: readable at once, or (stolen) only after the failover time, announced then by `readable`. */
  taken: [lease: Lease, stolenFrom: string | undefined];
  /** A stolen lease may now be read: its previous owner has stopped reading it. */
  readable: [lease: Lease];
  lost: [lease: Lease, reason: LeaseLossReason];
  released: [lease: Lease];
  /** A finished lease deleted after its children got leases. */
  deleted: [lease: Lease];
  /** A take, renew or cleanup cycle failed; the next cycle tries again. */
  problem: [error: unknown];
}

/**
 * This worker's part in sharing a consumer's shards through the lease table: it takes, renews,
 * balances, checkpoints and releases leases and tells which shards it may read. The engine reads
 * a shard only while `holds(leaseKey)` and stops it at once on `lost`.
 */
export class LeaseCoordinator extends EventEmitter<LeaseCoordinatorEvents> {
  readonly workerId: string;
  readonly consumerName: string;
  readonly failoverMs: number;
  private readonly table: LeaseTable;
  private readonly observations: LeaseObservations;
  private readonly renewer: LeaseRenewer;
  private readonly taker: LeaseTaker;
  private readonly registrar: LeaseRegistrar;
  private readonly cleanup: LeaseCleanup;
  private readonly renewTask: PeriodicTask;
  private readonly takeTask: PeriodicTask;

  constructor(private readonly options: LeaseCoordinatorOptions) {
    super();
    this.workerId = options.workerId;
    this.consumerName = options.consumerName;
    this.failoverMs = options.failoverMs ?? DEFAULT_FAILOVER_MS;
    const clock = options.clock ?? processClock;
    this.table = new LeaseTable(options.client, options.tableName);
    this.observations = new LeaseObservations(this.failoverMs, clock);
    this.renewer = new LeaseRenewer(this.table, this.failoverMs, clock, {
      lost: (lease, reason) => this.emit('lost', lease, reason),
      released: (lease) => this.emit('released', lease),
      problem: (error) => this.emit('problem', error),
    });
    this.taker = new LeaseTaker(
      this.table,
      this.consumerName,
      this.workerId,
      this.observations,
      (leaseKey) => this.renewer.isHeld(leaseKey),
      options.random ?? Math.random,
      clock,
    );
    this.registrar = new LeaseRegistrar(this.table, this.observations, options.wallClock ?? Date.now);
    this.cleanup = new LeaseCleanup(this.table, this.observations);
    const report = (error: unknown): boolean => this.emit('problem', error);
    this.renewTask = new PeriodicTask(options.renewIntervalMs ?? defaultRenewIntervalMs(this.failoverMs), () => this.renewLeases(), report);
    this.takeTask = new PeriodicTask(options.takeIntervalMs ?? this.failoverMs / 10, () => this.takeLeases(), report);
  }

  /** Creates the table if missing (throws LeaseTablePermissionError when not allowed), lists it, and starts renewing and taking. */
  async start(): Promise<void> {
    await ensureLeaseTable(this.options.client, this.options.tableName);
    await this.taker.refresh();
    this.renewTask.start();
    this.takeTask.start();
  }

  /** Stops renewing and taking. Held leases stay held until they expire; shutdown() hands them over instead. */
  async stop(): Promise<void> {
    await Promise.all([this.renewTask.stop(), this.takeTask.stop()]);
  }

  /** Stops taking and renewing, then writes the deferred checkpoints and releases every lease: the graceful hand-over. */
  async shutdown(): Promise<void> {
    await this.stop();
    await this.releaseAll();
  }

  leaseKey(streamArn: string, shardId: string): string {
    return leaseKeyOf({ consumerName: this.consumerName, streamArn }, shardId);
  }

  /** Creates leases for discovered shards that have none. */
  async registerShards(streamArn: string, shards: readonly DiscoveredShard[], startingPosition: StartingPosition): Promise<void> {
    if (!this.observations.hasListed) await this.taker.refresh();
    await this.registrar.registerShards({ consumerName: this.consumerName, streamArn }, shards, startingPosition);
  }

  /** Whether this worker holds the lease, may read it (a stolen one: after the failover time) and renewed it within the failover time: only then may it read the shard. */
  holds(leaseKey: string): boolean {
    return this.renewer.holds(leaseKey);
  }

  /** The leases held, as they were taken (their checkpoint is where reading starts), optionally of one stream. */
  heldLeases(streamArn?: string): Lease[] {
    return this.renewer.heldLeases().filter((lease) => streamArn === undefined || lease.streamArn === streamArn);
  }

  /** Streams with a lease held here. */
  streamArns(): string[] {
    return [...new Set(this.renewer.heldLeases().map((lease) => lease.streamArn))];
  }

  /** Shard id → checkpoint as taken, for the leases held on one stream: where reading each shard starts. */
  checkpoints(streamArn: string): Map<string, Checkpoint> {
    return new Map(this.heldLeases(streamArn).map((lease) => [lease.shardId, lease.checkpoint]));
  }

  /** Streams with an unfinished lease of this consumer in the last listing, held by any worker. */
  unfinishedStreamArns(): string[] {
    return [...new Set(this.observations.leases().filter((lease) => !isFinished(lease)).map((lease) => lease.streamArn))];
  }

  /** Unfinished leases of the consumer in the last listing (the "m" of "n of m shards"). */
  leaseCount(): number {
    return this.observations.leases().filter((lease) => !isFinished(lease)).length;
  }

  /** Writes a checkpoint now; 'lost' when the lease is no longer this worker's (the write changed nothing). */
  checkpoint(leaseKey: string, checkpoint: Checkpoint): Promise<LeaseWriteResult> {
    return this.renewer.checkpoint(leaseKey, checkpoint);
  }

  /** Keeps a checkpoint to be written with the next renewal: no write of its own. */
  deferCheckpoint(leaseKey: string, checkpoint: Checkpoint): LeaseWriteResult {
    return this.renewer.deferCheckpoint(leaseKey, checkpoint);
  }

  /** Writes every deferred checkpoint now (e.g. before a shutdown or when the engine flushes). */
  flushCheckpoints(): Promise<void> {
    return this.renewer.flushCheckpoints();
  }

  /** Writes the deferred checkpoint and clears the owner, so another worker takes the lease at once. */
  release(leaseKey: string): Promise<LeaseWriteResult> {
    return this.renewer.release(leaseKey);
  }

  releaseAll(): Promise<void> {
    return this.renewer.releaseAll();
  }

  /** Deletes the finished leases of shards the stream no longer lists. */
  async retainShards(streamArn: string, listedShardIds: Iterable<string>): Promise<void> {
    for (const lease of await this.cleanup.deleteUnlistedShards(streamArn, new Set(listedShardIds))) this.emit('deleted', lease);
  }

  /** Deletes the leases of a stream the consumer has left, once every one of them is finished. Returns whether none is left. */
  forgetStream(streamArn: string): Promise<boolean> {
    return this.cleanup.deleteStream(streamArn);
  }

  /** Whether every parent shard of the lease has its end checkpointed (by whichever worker). */
  async parentsFinished(leaseKey: string): Promise<boolean> {
    const lease = this.renewer.heldLeases().find((held) => held.leaseKey === leaseKey) ?? this.observations.get(leaseKey);
    if (!lease) throw new Error(`no lease ${leaseKey}`);
    return parentsFinished(this.table, lease);
  }

  /** One renewal of every held lease (run by start()'s schedule; public for deterministic tests). */
  async renewLeases(): Promise<void> {
    try {
      await this.renewer.renewLeases();
    } finally {
      this.announceReadable();
    }
  }

  /** One cycle of listing, cleaning up, taking and balancing (run by start()'s schedule; public for deterministic tests). */
  async takeLeases(): Promise<void> {
    const taken = await this.taker.takeLeases();
    for (const { lease, takenAt, stolenFrom } of taken) {
      // The owner a lease is stolen from reads on until it notices (its next write fails), then
      // hands the lease over; if it never does, it has stopped the failover time after its last
      // renewal, which it sent before the steal. The thief reads after either, so no shard is ever
      // read by two workers at once.
      this.renewer.add(lease, takenAt, stolenFrom === undefined ? takenAt : takenAt + this.failoverMs);
      this.emit('taken', lease, stolenFrom);
    }
    this.announceReadable();
    for (const lease of await this.cleanup.deleteFinishedLeases()) this.emit('deleted', lease);
  }

  private announceReadable(): void {
    for (const lease of this.renewer.newlyReadable()) this.emit('readable', lease);
  }
}
