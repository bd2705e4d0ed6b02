// Issue 11's targets at the DEFAULT lease timing (failover 10 s, renew every failover/3, no
// `dynamodbStreams` settings at all): the scale-out flow (test/support/scale-out.ts) in spawned
// Node-RED processes on a scripted stream of `shards` shards, `ratePerShard` records/s each, the
// lease table on DynamoDB Local -sharedDb behind the scripted endpoint, every record POSTed to a
// CloudEvents sink that answers at once. Workers a and b share the stream; the lease-table cost is
// counted over a quiet window; a is killed (-9); c joins; b stops gracefully (SIGINT).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_FAILOVER_MS, defaultRenewIntervalMs } from '../nodes/lib/lease/lease-coordinator';
import { LeaseTable } from '../nodes/lib/lease/lease-table';
import { CloudEventsReceiver } from '../scripts/cloudevents-receiver';
import { delay, eventually } from '../test/support/collect';
import type { NodeRedProcess } from '../test/support/spawned-node-red';
import { REGION, type FakeStream } from '../test/support/mock-stream';
import { LEASE_TABLE, SCALE_OUT_CREDENTIALS, ScaleOutWorkers, keepWriting, leasesOf, ownerOfPid, scaleOutFlow } from '../test/support/scale-out';
import { startScriptedStreamStack } from '../test/support/scripted-stream-endpoint';
import { arrivalsOf, balanced, duplicatesByPhase, leaseTableCost, lossAndDuplicates, takeoverTimes, type LeaseTableCost } from './scale-out-figures';

const TABLE = 'bench-scale-out';

export interface ScaleOutOptions {
  readonly shards: number;
  readonly ratePerShard: number;
  /** The quiet window over which lease-table calls are counted. */
  readonly costWindowMs: number;
}

export interface ScaleOutFigures {
  readonly shards: number;
  readonly ratePerShard: number;
  readonly failoverMs: number;
  /** Orphaned shard → ms from the kill -9 to its first record from a survivor. */
  readonly takeoverAfterKill: Record<string, number>;
  /** Orphaned shard → ms from the SIGINT to its first record from the other worker. */
  readonly takeoverAfterStop: Record<string, number>;
  /** From the kill -9 to a listing of the lease table without a lease of the killed worker (polled every ~25 ms). */
  readonly leasesTakenAfterKillMs: number;
  /** From the SIGINT to a listing without a lease of the stopped worker: its shutdown's share of the takeover. */
  readonly leasesReleasedAfterStopMs: number;
  /** From spawning the joining worker's Node-RED process to balanced within ±1. */
  readonly balancedAfterJoinMs: number;
  /** Of which the joining Node-RED took to start its flows. */
  readonly joinStartupMs: number;
  readonly written: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Duplicates by the phase they arrived in: start (a and b balancing), kill (a killed), join (c joined), stop (b stopped, then the drain). */
  readonly duplicatesByPhase: Record<string, number>;
  readonly leaseTableCost: LeaseTableCost;
  /** Owners changed during the cost window (a steal): the window was not steady. */
  readonly ownersChangedInCostWindow: boolean;
}

export async function measureScaleOut(options: ScaleOutOptions, log: (line: string) => void): Promise<ScaleOutFigures> {
  const stack = await startScriptedStreamStack();
  const leaseClient = new DynamoDBClient({ region: REGION, endpoint: stack.dynamoDbLocal.endpoint, credentials: SCALE_OUT_CREDENTIALS.c1, maxAttempts: 2 });
  const leases = new LeaseTable(leaseClient, LEASE_TABLE);
  const sink = new CloudEventsReceiver();
  const workers = new ScaleOutWorkers();
  try {
    stack.endpoint.aws.createTable(TABLE);
    const stream: FakeStream = stack.endpoint.aws.createStream(TABLE);
    const shards = Array.from({ length: options.shards }, () => stream.addShard({ records: 1 }));
    const flows = scaleOutFlow({ endpoint: stack.endpoint.url, table: TABLE, sink: await sink.start() });
    const names = new Map<NodeRedProcess, string>();
    const start = async (name: string): Promise<NodeRedProcess> => {
      const nodeRed = await workers.start(flows, { WORKER: name });
      names.set(nodeRed, name);
      return nodeRed;
    };
    /** Shard → worker name, of the unfinished leases. */
    const owners = async (): Promise<Map<string, string | undefined>> => {
      const nameOf = (owner: string | undefined): string | undefined => [...names].find(([nodeRed]) => ownerOfPid(owner, nodeRed))?.[1] ?? owner;
      const listed = (await leasesOf(leases, TABLE)).filter((lease) => lease.checkpoint.kind !== 'SHARD_END');
      return new Map(listed.map((lease) => [lease.shardId, nameOf(lease.leaseOwner)]));
    };
    const shardsOf = async (worker: string): Promise<string[]> => [...(await owners())].filter(([, owner]) => owner === worker).map(([shardId]) => shardId);
    const waitBalanced = (live: string[], timeoutMs: number, what: string): Promise<unknown> =>
      eventually(async () => {
        const current = await owners();
        return current.size === options.shards && balanced(current, live);
      }, timeoutMs, what);
    const arrivals = (): ReturnType<typeof arrivalsOf> => arrivalsOf(sink.received, new Map(stream.records().map((r) => [String(r.eventID), shardOfKey(r.dynamodb?.Keys?.pk?.S)])));
    const stopWriting = keepWriting(stream, shards, 1000 / options.ratePerShard);

    log(`  workers a and b on ${options.shards} shards (${options.ratePerShard} records/s each), failover ${DEFAULT_FAILOVER_MS / 1000} s (the default)…`);
    const [a, b] = await Promise.all([start('a'), start('b')]);
    await waitBalanced(['a', 'b'], 120_000, 'a and b balanced');
    const renewIntervalMs = defaultRenewIntervalMs(DEFAULT_FAILOVER_MS);
    await delay(renewIntervalMs);
    const ownersBefore = JSON.stringify([...(await owners())]);
    const costFrom = Date.now();
    await delay(options.costWindowMs);
    const costTo = Date.now();
    const ownersChangedInCostWindow = JSON.stringify([...(await owners())]) !== ownersBefore;
    const cost = leaseTableCost(stack.endpoint.requests, costFrom, costTo, options.shards, renewIntervalMs);
    log(
      `  lease table over ${options.costWindowMs / 1000} s: ${cost.writes} writes, ${cost.reads} reads for ${cost.leases} leases` +
        (ownersChangedInCostWindow ? ' (a lease changed owner in the window: not a steady state)' : ', owners unchanged'),
    );

    const orphanedByKill = await shardsOf('a');
    const killedAt = Date.now();
    process.kill(a.pid, 'SIGKILL');
    const takenAfterKill = msUntil(async () => (await shardsOf('a')).length === 0, killedAt);
    await workers.stop(a);
    await eventually(() => [...takeoverTimes(arrivals(), orphanedByKill, 'a', killedAt).values()].every(Number.isFinite), 120_000, 'every shard of a taken over').catch(() => undefined);
    const takeoverAfterKill = takeoverTimes(arrivals(), orphanedByKill, 'a', killedAt);
    const leasesTakenAfterKillMs = await takenAfterKill;
    log(
      `  kill -9 of a (${orphanedByKill.length} shards): first records from b after ${[...takeoverAfterKill.values()].map((ms) => (ms / 1000).toFixed(1)).join(', ')} s ` +
        `(every lease of a taken after ${(leasesTakenAfterKillMs / 1000).toFixed(1)} s)`,
    );

    const c = await start('c');
    const joinedAt = workers.spawnedAt.get(c) ?? Date.now();
    const joinStartupMs = Date.now() - joinedAt;
    await waitBalanced(['b', 'c'], 120_000, 'b and c balanced').catch(() => undefined);
    const balancedAfterJoinMs = Date.now() - joinedAt;
    log(`  c joined: Node-RED up after ${(joinStartupMs / 1000).toFixed(1)} s, balanced after ${(balancedAfterJoinMs / 1000).toFixed(1)} s`);

    const orphanedByStop = await shardsOf('b');
    const stoppedAt = Date.now();
    const stopping = workers.stop(b);
    const releasedAfterStop = msUntil(async () => (await shardsOf('b')).length === 0, stoppedAt);
    await eventually(() => [...takeoverTimes(arrivals(), orphanedByStop, 'b', stoppedAt).values()].every(Number.isFinite), 60_000, 'every shard of b taken over').catch(() => undefined);
    const takeoverAfterStop = takeoverTimes(arrivals(), orphanedByStop, 'b', stoppedAt);
    await stopping;
    const leasesReleasedAfterStopMs = await releasedAfterStop;
    log(
      `  graceful stop of b (${orphanedByStop.length} shards): first records from c after ${[...takeoverAfterStop.values()].map((ms) => (ms / 1000).toFixed(2)).join(', ')} s ` +
        `(every lease of b released or taken after ${(leasesReleasedAfterStopMs / 1000).toFixed(2)} s)`,
    );

    await stopWriting();
    const written = stream.records().map((r) => String(r.eventID));
    await eventually(() => lossAndDuplicates(written, arrivals()).lost === 0, 60_000, 'every record at the sink').catch(() => undefined);
    const { lost, duplicates } = lossAndDuplicates(written, arrivals());
    const phases = [
      { name: 'start', from: 0 },
      { name: 'kill', from: killedAt },
      { name: 'join', from: joinedAt },
      { name: 'stop', from: stoppedAt },
    ];
    return {
      shards: options.shards,
      ratePerShard: options.ratePerShard,
      failoverMs: DEFAULT_FAILOVER_MS,
      takeoverAfterKill: Object.fromEntries(takeoverAfterKill),
      takeoverAfterStop: Object.fromEntries(takeoverAfterStop),
      leasesTakenAfterKillMs,
      leasesReleasedAfterStopMs,
      balancedAfterJoinMs,
      joinStartupMs,
      written: written.length,
      lost,
      duplicates,
      duplicatesByPhase: duplicatesByPhase(arrivals(), phases),
      leaseTableCost: cost,
      ownersChangedInCostWindow,
    };
  } finally {
    await workers.stopAll();
    await sink.stop();
    leaseClient.destroy();
    await stack.stop();
  }
}

/** Milliseconds from `since` until `check` holds (NaN when it does not within two minutes). */
function msUntil(check: () => Promise<boolean>, since: number): Promise<number> {
  return eventually(check, 120_000, 'condition').then(
    () => Date.now() - since,
    () => NaN,
  );
}

/** The scripted stream's keys are `<shardId>/<n>`. */
function shardOfKey(key: string | undefined): string {
  return key?.split('/')[0] ?? '?';
}
