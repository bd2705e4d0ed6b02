// The scale-out figures, computed from what the sink received and what the scripted endpoint was
// asked: takeover times, balance, records lost and repeated, lease-table writes per lease.
import type { ReceivedRequest } from '../scripts/cloudevents-receiver';
import type { EndpointRequest } from '../test/support/scripted-stream-endpoint';

/** One record POSTed to the sink: which shard it came from and which worker sent it. */
export interface Arrival {
  readonly eventId: string;
  readonly shardId: string;
  readonly worker: string;
  readonly at: number;
}

/** `shardOf`: event id → shard id, from the scripted stream. */
export function arrivalsOf(received: readonly ReceivedRequest[], shardOf: ReadonlyMap<string, string>): Arrival[] {
  return received.map((request) => {
    const eventId = String(request.headers['ce-id']);
    return { eventId, shardId: shardOf.get(eventId) ?? '?', worker: String(request.headers['x-worker']), at: request.receivedAt };
  });
}

/**
 * Takeover of each shard the departed worker held: from `since` (the kill, or the SIGINT) to the
 * first record of that shard arriving at the sink from another worker after `since`. A shard not
 * taken over within the run is `Infinity`.
 */
export function takeoverTimes(arrivals: readonly Arrival[], orphaned: readonly string[], departed: string, since: number): Map<string, number> {
  const times = new Map<string, number>(orphaned.map((shardId) => [shardId, Infinity]));
  for (const arrival of arrivals) {
    if (arrival.at <= since || arrival.worker === departed || times.get(arrival.shardId) !== Infinity) continue;
    times.set(arrival.shardId, arrival.at - since);
  }
  return times;
}

/** Written records that never arrived, and arrivals beyond the first of each record. */
export function lossAndDuplicates(written: readonly string[], arrivals: readonly Arrival[]): { lost: number; duplicates: number } {
  const arrived = new Set(arrivals.map((a) => a.eventId));
  return { lost: written.filter((id) => !arrived.has(id)).length, duplicates: arrivals.length - arrived.size };
}

/**
 * Arrivals of a record that had arrived before, counted in the phase they arrived in; a phase runs
 * from its start to the next one's (`phases` in order of their start).
 */
export function duplicatesByPhase(arrivals: readonly Arrival[], phases: ReadonlyArray<{ name: string; from: number }>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(phases.map((phase) => [phase.name, 0]));
  const seen = new Set<string>();
  for (const arrival of [...arrivals].sort((x, y) => x.at - y.at)) {
    if (!seen.has(arrival.eventId)) {
      seen.add(arrival.eventId);
      continue;
    }
    const phase = phases.filter((p) => p.from <= arrival.at).at(-1) ?? phases[0];
    counts[phase.name] += 1;
  }
  return counts;
}

const LEASE_WRITES = new Set(['UpdateItem', 'PutItem', 'DeleteItem']);
const LEASE_READS = new Set(['Scan', 'GetItem', 'Query', 'DescribeTable']);

export interface LeaseTableCost {
  readonly windowMs: number;
  readonly leases: number;
  readonly renewIntervalMs: number;
  readonly writes: number;
  readonly reads: number;
  /** writes / (leases × windowMs / renewIntervalMs) */
  readonly writesPerLeasePerRenewInterval: number;
  readonly readsPerSecond: number;
}

/** Lease-table calls (the requests the endpoint forwarded to DynamoDB Local) in [from, to), with `leases` held throughout. */
export function leaseTableCost(requests: readonly EndpointRequest[], from: number, to: number, leases: number, renewIntervalMs: number): LeaseTableCost {
  const inWindow = requests.filter((r) => r.forwarded && r.at >= from && r.at < to);
  const writes = inWindow.filter((r) => LEASE_WRITES.has(r.operation)).length;
  const reads = inWindow.filter((r) => LEASE_READS.has(r.operation)).length;
  const windowMs = to - from;
  return {
    windowMs,
    leases,
    renewIntervalMs,
    writes,
    reads,
    writesPerLeasePerRenewInterval: writes / ((leases * windowMs) / renewIntervalMs),
    readsPerSecond: reads / (windowMs / 1000),
  };
}

/** Within ±1: the live workers' lease counts differ by at most one, and every unfinished lease has an owner among them. */
export function balanced(owners: ReadonlyMap<string, string | undefined>, liveWorkers: readonly string[]): boolean {
  const counts = new Map(liveWorkers.map((worker) => [worker, 0]));
  for (const owner of owners.values()) {
    if (owner === undefined || !counts.has(owner)) return false;
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return Math.max(...counts.values()) - Math.min(...counts.values()) <= 1;
}
