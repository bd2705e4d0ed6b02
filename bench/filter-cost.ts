// Figure 5b, beside the mapping cost: µs per record for matching Lambda filter patterns
// (RecordFilter.matches, what MessageBuilder.wanted adds per record), on the mapping's sample MODIFY.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { RecordFilter } from '../nodes/lib/filter';
import { sampleRecord } from './mapping';
import { row, type ResultRow } from './report';

export interface FilterFigure {
  case: string;
  /** Best pass, CPU time of this process. */
  microsPerRecord: number;
  wallMicrosPerRecord: number;
  /** Share of the records the patterns passed (all of them: every field is evaluated). */
  passed: number;
}

/** eventName, a string prefix and a number compared with the `dynamodb-numeric` extension. */
const THREE_FIELDS = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { status: { S: [{ prefix: 'pa' }] }, total: { N: [{ 'dynamodb-numeric': ['>=', 100] }] } } },
};
const MISSES = [
  { eventName: ['REMOVE'] },
  { dynamodb: { Keys: { pk: { S: [{ prefix: 'vendor-' }] } } } },
  { dynamodb: { NewImage: { tags: { SS: ['wholesale'] } } } },
  { dynamodb: { OldImage: { status: { S: [{ 'anything-but': ['new', 'paid'] }] } } } },
];

export const FILTER_CASES: ReadonlyArray<{ name: string; patterns: unknown[] }> = [
  { name: 'three-field pattern', patterns: [THREE_FIELDS] },
  { name: 'five patterns, the first four miss', patterns: [...MISSES, THREE_FIELDS] },
];

function timePass(filter: RecordFilter, records: readonly _Record[]): { cpu: number; wall: number; passed: number } {
  let passed = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const record of records) if (filter.matches(record)) passed += 1;
  const wall = Number(process.hrtime.bigint() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu: (cpu.user + cpu.system) / records.length, wall: wall / records.length, passed: passed / records.length };
}

/** Best of `rounds` passes per case, the cases taking turns (as the mapping figure is taken). */
export function measureFilterCost(records = 100_000, rounds = 15): FilterFigure[] {
  const input = Array.from({ length: records }, (_, i) => sampleRecord(i));
  const filters = FILTER_CASES.map((c) => RecordFilter.fromProperty(JSON.stringify(c.patterns))!);
  for (const filter of filters) timePass(filter, input.slice(0, 5_000));
  const best = FILTER_CASES.map(() => ({ cpu: Infinity, wall: Infinity, passed: 0 }));
  for (let round = 0; round < rounds; round++) {
    filters.forEach((filter, i) => {
      const pass = timePass(filter, input);
      best[i] = { cpu: Math.min(best[i].cpu, pass.cpu), wall: Math.min(best[i].wall, pass.wall), passed: pass.passed };
    });
  }
  return FILTER_CASES.map((c, i) => ({ case: c.name, microsPerRecord: best[i].cpu, wallMicrosPerRecord: best[i].wall, passed: best[i].passed }));
}

export function filterRows(figures: readonly FilterFigure[]): ResultRow[] {
  return figures.map((f) =>
    row(`5 filter ${f.case} (CPU time)`, f.microsPerRecord, 'µs/rec', f.case === FILTER_CASES[0].name ? { op: '≤', limit: 2 } : undefined),
  );
}
