// What the scale-out figure acts on and looks at: the scripted stream with its endpoint and the
// lease table behind it, the named workers (a, b, c: their WORKER env, stamped on every record they
// POST), the sink's arrivals, and the lease table as a client of the bench lists it (directly on
// DynamoDB Local, so these reads are not in the endpoint's request log).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseTable } from '../nodes/lib/lease/lease-table';
import { CloudEventsReceiver } from '../scripts/cloudevents-receiver';
import { eventually } from '../test/support/collect';
import { REGION, type FakeStream } from '../test/support/mock-stream';
import { LEASE_TABLE, SCALE_OUT_CREDENTIALS, ScaleOutWorkers, keepWriting, leasesOf, ownerOfPid, scaleOutFlow } from '../test/support/scale-out';
import { startScriptedStreamStack, type ScriptedStreamStack } from '../test/support/scripted-stream-endpoint';
import type { NodeRedProcess } from '../test/support/spawned-node-red';
import { arrivalsOf, balanced, takeoverTimes, type Arrival } from './scale-out-figures';

const TABLE = 'bench-scale-out';
const WAIT_MS = 120_000;

export class ScaleOutScenario {
  readonly workers = new ScaleOutWorkers();
  private readonly names = new Map<NodeRedProcess, string>();
  private stopWriting: (() => Promise<void>) | undefined;

  private constructor(
    readonly stack: ScriptedStreamStack,
    readonly stream: FakeStream,
    private readonly shardIds: readonly string[],
    private readonly leaseClient: DynamoDBClient,
    private readonly leases: LeaseTable,
    private readonly sink: CloudEventsReceiver,
    private readonly flows: unknown[],
  ) {}

  /** A stream of `shards` shards with one record each, the lease table's DynamoDB Local, the sink; no worker yet. */
  static async create(shards: number): Promise<ScaleOutScenario> {
    const stack = await startScriptedStreamStack();
    stack.endpoint.aws.createTable(TABLE);
    const stream = stack.endpoint.aws.createStream(TABLE);
    const shardIds = Array.from({ length: shards }, () => stream.addShard({ records: 1 }));
    const sink = new CloudEventsReceiver();
    const sinkUrl = await sink.start().catch(async (error: unknown) => {
      await stack.stop();
      throw error;
    });
    const leaseClient = new DynamoDBClient({ region: REGION, endpoint: stack.dynamoDbLocal.endpoint, credentials: SCALE_OUT_CREDENTIALS.c1, maxAttempts: 2 });
    const flows = scaleOutFlow({ endpoint: stack.endpoint.url, table: TABLE, sink: sinkUrl });
    return new ScaleOutScenario(stack, stream, shardIds, leaseClient, new LeaseTable(leaseClient, LEASE_TABLE), sink, flows);
  }

  /** Appends a record to every shard `ratePerShard` times a second until `stopWrites()`. */
  startWrites(ratePerShard: number): void {
    this.stopWriting = keepWriting(this.stream, this.shardIds, 1000 / ratePerShard);
  }

  async stopWrites(): Promise<void> {
    await this.stopWriting?.();
  }

  async startWorker(name: string): Promise<NodeRedProcess> {
    const nodeRed = await this.workers.start(this.flows, { WORKER: name });
    this.names.set(nodeRed, name);
    return nodeRed;
  }

  /** Shard → worker name, of the unfinished leases. */
  async owners(): Promise<Map<string, string | undefined>> {
    const nameOf = (owner: string | undefined): string | undefined => [...this.names].find(([nodeRed]) => ownerOfPid(owner, nodeRed))?.[1] ?? owner;
    const listed = (await leasesOf(this.leases, TABLE)).filter((lease) => lease.checkpoint.kind !== 'SHARD_END');
    return new Map(listed.map((lease) => [lease.shardId, nameOf(lease.leaseOwner)]));
  }

  async shardsOf(worker: string): Promise<string[]> {
    return [...(await this.owners())].filter(([, owner]) => owner === worker).map(([shardId]) => shardId);
  }

  /** Resolves when every shard's lease is owned by one of `live`, their counts within ±1; false after two minutes. */
  waitBalanced(live: readonly string[]): Promise<boolean> {
    return eventually(async () => {
      const current = await this.owners();
      return current.size === this.shardIds.length && balanced(current, live);
    }, WAIT_MS).then(
      () => true,
      () => false,
    );
  }

  /** Milliseconds from `since` until no lease is `worker`'s (NaN when that takes longer than two minutes). */
  msUntilNoLeaseOf(worker: string, since: number): Promise<number> {
    return eventually(async () => (await this.shardsOf(worker)).length === 0, WAIT_MS).then(
      () => Date.now() - since,
      () => NaN,
    );
  }

  /** For each of `orphaned`: from `since` to its first record at the sink from another worker than `departed`; waits up to `timeoutMs` for all. */
  async takeover(orphaned: readonly string[], departed: string, since: number, timeoutMs: number): Promise<Map<string, number>> {
    const times = (): Map<string, number> => takeoverTimes(this.arrivals(), orphaned, departed, since);
    await eventually(() => [...times().values()].every(Number.isFinite), timeoutMs).catch(() => undefined);
    return times();
  }

  arrivals(): Arrival[] {
    return arrivalsOf(this.sink.received, new Map(this.stream.records().map((r) => [String(r.eventID), shardOfKey(r.dynamodb?.Keys?.pk?.S)])));
  }

  writtenIds(): string[] {
    return this.stream.records().map((r) => String(r.eventID));
  }

  async stop(): Promise<void> {
    await this.stopWrites();
    await this.workers.stopAll();
    await this.sink.stop();
    this.leaseClient.destroy();
    await this.stack.stop();
  }
}

/** The scripted stream's keys are `<shardId>/<n>`. */
function shardOfKey(key: string | undefined): string {
  return key?.split('/')[0] ?? '?';
}
