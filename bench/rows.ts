// Turns the measured figures into table rows with the issue's targets.
import type { BatchWindowFigures } from './batch-window';
import type { CatchUpFigures } from './catch-up';
import type { IdleFigures } from './idle-cost';
import type { LatencyWithFloor } from './latency';
import type { LatencyFigures } from './latency-probe';
import type { MappingFigure } from './mapping';
import type { MemoryRunResult } from './memory-run';
import type { NodeProfile } from './node-profile';
import type { OrderingFigures } from './ordering';
import type { PoisonFigures } from './poison';
import type { PoisonRunResult } from './poison-run';
import type { ScaleOutFigures } from './scale-out';
import { row, type ResultRow } from './report';
import type { Distribution } from './stats';

export const HEAP_FLAT_MB_PER_MIN = 1;

export function catchUpRows(f: CatchUpFigures): ResultRow[] {
  return [
    row(`1 catch-up wire: HTTP keep-alive + JSON.parse (${f.records} records, median)`, f.rates.wire, 'rec/s'),
    row('1 catch-up wire: share of its time spent signing', f.wireSigningShare * 100, '%'),
    row('1 catch-up raw SDK GetRecords loop (median)', f.rates.raw, 'rec/s'),
    row('1 catch-up node, auto ack (median)', f.rates.auto, 'rec/s'),
    row('1 catch-up auto/wire (median of paired runs)', f.ratios.auto.wire, '', { op: '≥', limit: 0.9 }),
    row('1 catch-up auto/raw (median of paired runs)', f.ratios.auto.raw, ''),
    row('1 catch-up node, manual ack, maxInFlight 100 (median)', f.rates.manual, 'rec/s'),
    row('1 catch-up manual/wire (median of paired runs)', f.ratios.manual.wire, '', { op: '≥', limit: 0.8 }),
    row('1 catch-up manual/raw (median of paired runs)', f.ratios.manual.raw, ''),
  ];
}

export function latencyRows(prefix: string, f: LatencyFigures): ResultRow[] {
  return [
    row(`${prefix} p50`, f.p50, 'ms', { op: '≤', limit: 250 }),
    row(`${prefix} p90`, f.p90, 'ms'),
    row(`${prefix} p99`, f.p99, 'ms', { op: '≤', limit: 1000 }),
    row(`${prefix} max`, f.max, 'ms'),
    row(`${prefix} lost msgs`, f.missing, '', { op: '≤', limit: 0 }),
  ];
}

export function latencyWithFloorRows(f: LatencyWithFloor): ResultRow[] {
  const spread = (prefix: string, d: Distribution, unit = 'ms'): ResultRow[] => [
    row(`${prefix} p50`, d.p50, unit),
    row(`${prefix} p90`, d.p90, unit),
    row(`${prefix} p99`, d.p99, unit),
    row(`${prefix} max`, d.max, unit),
  ];
  return [
    ...latencyRows('2 latency, node', f.node),
    ...spread(`2 latency, floor (second reader, ${f.floor.pauseMs} ms between calls)`, f.floor),
    row(`2 latency, floor: writes it did not see (${f.floor.calls} calls, ${f.floor.errors} failed)`, f.floor.missing, ''),
    row(`2 latency, node over floor per write (${f.overhead.count} writes) p50`, f.overhead.p50, 'ms', { op: '≤', limit: 50 }),
    row('2 latency, node over floor p90', f.overhead.p90, 'ms'),
    row('2 latency, node over floor p99', f.overhead.p99, 'ms', { op: '≤', limit: 150 }),
    row('2 latency, node over floor max', f.overhead.max, 'ms'),
  ];
}

export function idleRows(f: IdleFigures): ResultRow[] {
  return [
    row('3 idle GetRecords /s/shard', f.getRecordsPerSecondPerShard, '', { op: '≤', limit: 1 }),
    row('3 idle DescribeStream /min', f.describeStreamPerMinute, ''),
    row('3 idle other calls /min', f.otherPerMinute, ''),
    row('3 idle connections opened in the window', f.connectionsOpened, ''),
    row(`3 first record after a long idle spell, PutItem to arrival (max of ${f.firstAfterIdle.length})`, Math.max(...f.firstAfterIdle), 'ms', { op: '≤', limit: 1100 }),
    ...latencyRows('3 after idle: latency', f.resumed),
  ];
}

export function memoryRows(prefix: string, f: MemoryRunResult): ResultRow[] {
  const sink = f.sinkConcurrency === 0 ? 'up to maxInFlight at once' : `${f.sinkConcurrency} at a time`;
  return [
    row(`${prefix}: msgs acked in ${(f.elapsedMs / 1000).toFixed(0)} s (${f.msPerMsg} ms each, ${sink})`, f.handled, ''),
    row(`${prefix}: RSS start`, f.start.rssMB, 'MB'),
    row(`${prefix}: RSS peak`, f.peakRssMB, 'MB'),
    row(`${prefix}: RSS growth (end - start)`, f.rssGrowthMB, 'MB', { op: '≤', limit: 50 }),
    row(`${prefix}: heap start`, f.start.heapMB, 'MB'),
    row(`${prefix}: heap peak`, f.peakHeapMB, 'MB'),
    row(`${prefix}: heap growth (end - start)`, f.heapGrowthMB, 'MB', { op: '≤', limit: 50 }),
    row(`${prefix}: heap slope, 2nd half`, f.heapSlopeSecondHalfMBPerMin, 'MB/min', { op: '≤', limit: HEAP_FLAT_MB_PER_MIN }),
    row(`${prefix}: RSS slope, 2nd half`, f.rssSlopeSecondHalfMBPerMin, 'MB/min'),
  ];
}

export function profileRows(f: NodeProfile): ResultRow[] {
  const perRecord = (ms: number): number => (ms * 1000) / f.records;
  return f.categories.map((c) =>
    row(`6 profile, ${f.mode} ack (${f.records} records, ${Math.round(f.ms)} ms): ${c.category}, ${Math.round(c.share * 100)} %`, perRecord(c.ms), 'µs/rec'),
  );
}

export function mappingRows(figures: readonly MappingFigure[]): ResultRow[] {
  return figures.map((f) =>
    row(`5 mapping ${f.format} (CPU time)`, f.microsPerRecord, 'µs/rec', f.format === 'document' ? undefined : { op: '≤', limit: 5 }),
  );
}

export function orderingRows(f: OrderingFigures): ResultRow[] {
  return [
    row('6 ordering key, maxInFlight 100 (HTTP sink 20 ms)', f.byKey.perSecond, 'rec/s'),
    row('6 ordering emit, maxInFlight 1 (HTTP sink 20 ms)', f.serial.perSecond, 'rec/s'),
    row('6 ordering key ÷ maxInFlight 1', f.speedUp, '×', { op: '≥', limit: 20 }),
    row('6 ordering key: versions out of order at the sink', f.byKey.outOfOrder, '', { op: '≤', limit: 0 }),
  ];
}

export function poisonRows(f: PoisonFigures): ResultRow[] {
  const seconds = (ms: number | undefined): number => (ms ?? Infinity) / 1000;
  const rows = (name: string, run: PoisonRunResult): ResultRow[] => {
    const retrying = seconds(run.poisonGivenUpMs) - seconds(run.poisonFirstFailedMs);
    return [
      row(`6b poison, ${name}: given up after ${run.poisonAttempts} attempts, retried for`, retrying, 's'),
      row(`6b poison, ${name}: the other ${run.records} acknowledged after (baseline ${seconds(f.baseline.othersDoneMs).toFixed(2)} s)`, seconds(run.othersDoneMs), 's', {
        op: '≤',
        limit: Math.round((seconds(f.baseline.othersDoneMs) + retrying) * 100) / 100,
      }),
      row(`6b poison, ${name}: records of other keys acknowledged while it was retried`, run.otherKeysAckedWhileRetrying, '', { op: '≥', limit: 1 }),
    ];
  };
  return [
    ...rows('ordering key', f.byKey),
    row('6b poison, ordering key: records of its own key acknowledged while it was retried', f.byKey.ownKeyAckedWhileRetrying, '', { op: '≤', limit: 0 }),
    ...rows('ordering emit', f.byEmit),
  ];
}

export function batchWindowRows(f: BatchWindowFigures): ResultRow[] {
  const expected = Math.ceil(f.records / f.batchSize);
  return [
    row(`7 batch window: messages for ${f.records} records (batchSize ${f.batchSize}, window ${f.batchWindowSeconds} s)`, f.messages, '', { op: '≤', limit: expected }),
    row('7 batch window: records received', f.recordsReceived, '', { op: '≥', limit: f.records }),
  ];
}

export function scaleOutRows(f: ScaleOutFigures): ResultRow[] {
  const seconds = (ms: number): number => ms / 1000;
  const slowest = (times: Record<string, number>): number => seconds(Math.max(...Object.values(times)));
  const cost = f.leaseTableCost;
  const setup = `${f.shards} shards, failover ${seconds(f.failoverMs)} s`;
  return [
    row(`8 scale-out takeover after kill -9, slowest of ${Object.keys(f.takeoverAfterKill).length} shards (${setup})`, slowest(f.takeoverAfterKill), 's', { op: '≤', limit: 12 }),
    row('8 scale-out kill -9: every lease of the killed worker taken', seconds(f.leasesTakenAfterKillMs), 's'),
    row(`8 scale-out takeover after a graceful stop, slowest of ${Object.keys(f.takeoverAfterStop).length} shards`, slowest(f.takeoverAfterStop), 's', { op: '≤', limit: 2 }),
    row('8 scale-out graceful stop: every lease of the stopped worker released', seconds(f.leasesReleasedAfterStopMs), 's'),
    row(`8 scale-out balanced within ±1 after a join, from its spawn (Node-RED up after ${seconds(f.joinStartupMs).toFixed(1)} s)`, seconds(f.balancedAfterJoinMs), 's', { op: '≤', limit: 30 }),
    row(`8 scale-out after a join, the joiner's first record of each shard it took (stolen: read once handed over), slowest of ${Object.keys(f.readingAfterJoin).length}, from its spawn`, slowest(f.readingAfterJoin), 's'),
    row(`8 scale-out records lost (of ${f.written})`, f.lost, '', { op: '≤', limit: 0 }),
    row(`8 scale-out duplicates (${Object.entries(f.duplicatesByPhase).map(([phase, n]) => `${phase} ${n}`).join(', ')})`, f.duplicates, ''),
    row(`8 scale-out lease-table writes per lease per renew interval (${cost.writes} in ${Math.round(seconds(cost.windowMs))} s, ${cost.leases} leases)`, cost.writesPerLeasePerRenewInterval, '', { op: '≤', limit: 1 }),
    row('8 scale-out lease-table reads per second (all workers)', cost.readsPerSecond, '/s'),
  ];
}
