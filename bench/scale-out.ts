// Issue 11's targets at the DEFAULT lease timing (failover 10 s, renew every failover/3, no
// `dynamodbStreams` settings at all): the scale-out flow (test/support/scale-out.ts) in spawned
// Node-RED processes on a scripted stream of `shards` shards, `ratePerShard` records/s each, the
// lease table on DynamoDB Local -sharedDb behind the scripted endpoint, every record POSTed to a
// CloudEvents sink that answers at once. Workers a and b share the stream; the lease-table cost is
// counted over a quiet window; a is killed (-9); c joins; b stops gracefully (SIGINT).
import { DEFAULT_FAILOVER_MS, defaultRenewIntervalMs } from '../nodes/lib/lease/lease-coordinator';
import { delay } from '../test/support/collect';
import { duplicatesByPhase, leaseTableCost, lossAndDuplicates, type LeaseTableCost } from './scale-out-figures';
import { ScaleOutScenario } from './scale-out-scenario';

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
  /** From spawning the joining worker's Node-RED process to balanced within ±1 (Infinity: not within two minutes). */
  readonly balancedAfterJoinMs: number;
  /** Of which the joining Node-RED took to start its flows. */
  readonly joinStartupMs: number;
  /** Shard the joining worker took (stolen: read once the worker it was stolen from handed it over) → ms from its spawn to its first record of that shard. */
  readonly readingAfterJoin: Record<string, number>;
  readonly written: number;
  readonly lost: number;
  readonly duplicates: number;
  /** Duplicates by the phase they arrived in: start (a and b balancing), kill (a killed), join (c joined), stop (b stopped, then the drain). */
  readonly duplicatesByPhase: Record<string, number>;
  readonly leaseTableCost: LeaseTableCost;
  /** Owners changed during the cost window (a steal): the window was not steady. */
  readonly ownersChangedInCostWindow: boolean;
}

const seconds = (ms: number, digits = 1): string => (ms / 1000).toFixed(digits);

export async function measureScaleOut(options: ScaleOutOptions, log: (line: string) => void): Promise<ScaleOutFigures> {
  const scenario = await ScaleOutScenario.create(options.shards);
  try {
    scenario.startWrites(options.ratePerShard);
    log(`  workers a and b on ${options.shards} shards (${options.ratePerShard} records/s each), failover ${DEFAULT_FAILOVER_MS / 1000} s (the default)…`);
    const [a, b] = await Promise.all([scenario.startWorker('a'), scenario.startWorker('b')]);
    if (!(await scenario.waitBalanced(['a', 'b']))) throw new Error(`a and b did not balance: ${JSON.stringify([...(await scenario.owners())])}`);
    const { cost, ownersChanged } = await leaseTableCostOfSteadyState(scenario, options);
    log(
      `  lease table over ${seconds(cost.windowMs, 0)} s: ${cost.writes} writes, ${cost.reads} reads for ${cost.leases} leases` +
        (ownersChanged ? ' (a lease changed owner in the window: not a steady state)' : ', owners unchanged'),
    );

    const orphanedByKill = await scenario.shardsOf('a');
    const killedAt = Date.now();
    process.kill(a.pid, 'SIGKILL');
    const allTaken = scenario.msUntilNoLeaseOf('a', killedAt);
    await scenario.workers.stop(a);
    const takeoverAfterKill = await scenario.takeover(orphanedByKill, 'a', killedAt, 120_000);
    const leasesTakenAfterKillMs = await allTaken;
    log(`  kill -9 of a (${orphanedByKill.length} shards): first records from b after ${[...takeoverAfterKill.values()].map((ms) => seconds(ms)).join(', ')} s (every lease of a taken after ${seconds(leasesTakenAfterKillMs)} s)`);

    const c = await scenario.startWorker('c');
    const joinedAt = scenario.workers.spawnedAt.get(c) ?? Date.now();
    const joinStartupMs = Date.now() - joinedAt;
    const balancedAfterJoinMs = (await scenario.waitBalanced(['b', 'c'])) ? Date.now() - joinedAt : Infinity;
    const takenByJoin = await scenario.shardsOf('c');
    const readingAfterJoin = await scenario.takeover(takenByJoin, 'b', joinedAt, 60_000);
    log(
      `  c joined: Node-RED up after ${seconds(joinStartupMs)} s, balanced after ${seconds(balancedAfterJoinMs)} s, ` +
        `first records of its ${takenByJoin.length} shards after ${[...readingAfterJoin.values()].map((ms) => seconds(ms)).join(', ')} s`,
    );

    const orphanedByStop = await scenario.shardsOf('b');
    const stoppedAt = Date.now();
    const stopping = scenario.workers.stop(b);
    const allReleased = scenario.msUntilNoLeaseOf('b', stoppedAt);
    const takeoverAfterStop = await scenario.takeover(orphanedByStop, 'b', stoppedAt, 60_000);
    await stopping;
    const leasesReleasedAfterStopMs = await allReleased;
    log(`  graceful stop of b (${orphanedByStop.length} shards): first records from c after ${[...takeoverAfterStop.values()].map((ms) => seconds(ms, 2)).join(', ')} s (every lease of b released or taken after ${seconds(leasesReleasedAfterStopMs, 2)} s)`);

    await scenario.stopWrites();
    const written = scenario.writtenIds();
    const { lost, duplicates } = await drained(scenario, written);
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
      readingAfterJoin: Object.fromEntries(readingAfterJoin),
      written: written.length,
      lost,
      duplicates,
      duplicatesByPhase: duplicatesByPhase(scenario.arrivals(), phases),
      leaseTableCost: cost,
      ownersChangedInCostWindow: ownersChanged,
    };
  } finally {
    await scenario.stop();
  }
}

/** One renew interval after the balance, the lease-table calls over the cost window, every lease held throughout. */
async function leaseTableCostOfSteadyState(scenario: ScaleOutScenario, options: ScaleOutOptions): Promise<{ cost: LeaseTableCost; ownersChanged: boolean }> {
  const renewIntervalMs = defaultRenewIntervalMs(DEFAULT_FAILOVER_MS);
  await delay(renewIntervalMs);
  const ownersBefore = JSON.stringify([...(await scenario.owners())]);
  const from = Date.now();
  await delay(options.costWindowMs);
  const to = Date.now();
  const ownersChanged = JSON.stringify([...(await scenario.owners())]) !== ownersBefore;
  return { cost: leaseTableCost(scenario.stack.endpoint.requests, from, to, options.shards, renewIntervalMs), ownersChanged };
}

/** Waits (at most a minute) until every written record arrived; then counts what never did and what arrived more than once. */
async function drained(scenario: ScaleOutScenario, written: readonly string[]): Promise<{ lost: number; duplicates: number }> {
  const deadline = Date.now() + 60_000;
  while (lossAndDuplicates(written, scenario.arrivals()).lost > 0 && Date.now() < deadline) await delay(100);
  return lossAndDuplicates(written, scenario.arrivals());
}
