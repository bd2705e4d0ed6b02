// Turns the measured figures into table rows with the targets.
import type { CatchUpFigures } from './catch-up';
import type { IdleFigures } from './idle-cost';
import type { LatencyFigures } from './latency-probe';
import type { MappingFigure } from './mapping';
import type { MemoryRunResult } from './memory-run';
import { row, type ResultRow } from './report';

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

export function idleRows(f: IdleFigures): ResultRow[] {
  return [
    row('3 idle GetRecords /min/shard', f.getRecordsPerMinutePerShard, '', { op: '≤', limit: 60 }),
    row('3 idle DescribeStream /min', f.describeStreamPerMinute, ''),
    row('3 idle other calls /min', f.otherPerMinute, ''),
    row('3 idle connections opened in the window', f.connectionsOpened, ''),
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

export function mappingRows(figures: readonly MappingFigure[]): ResultRow[] {
  return figures.map((f) =>
    row(`5 mapping ${f.format} (CPU time)`, f.microsPerRecord, 'µs/rec', f.format === 'document' ? undefined : { op: '≤', limit: 5 }),
  );
}
