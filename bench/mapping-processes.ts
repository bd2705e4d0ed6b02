// Figure 5 taken in several fresh processes, one after the other: on this shared VM a whole process
// sometimes runs ~2× slower (CPU time too, the host takes the CPU away for seconds), so the figure
// is the best process's, and every process's figures are kept in the JSON.
import { runInFreshProcess } from './child-run';
import type { MappingFigure } from './mapping';

const TIMEOUT_MS = 120_000;

export interface MappingFigures {
  readonly best: MappingFigure[];
  readonly processes: MappingFigure[][];
}

export async function measureMappingInProcesses(records: number, processes: number): Promise<MappingFigures> {
  const runs: MappingFigure[][] = [];
  for (let i = 0; i < processes; i++) {
    runs.push(await runInFreshProcess<MappingFigure[]>('mapping-run.ts', { BENCH_MAPPING_RECORDS: String(records) }, TIMEOUT_MS));
  }
  const best = runs[0].map((first, i) => runs.map((run) => run[i]).reduce((a, b) => (b.microsPerRecord < a.microsPerRecord ? b : a), first));
  return { best, processes: runs };
}
