// Figure 4: runs memory-run.ts in a fresh Node.js process and reads its result.
import type { Backlog } from './backlog';
import { runInFreshProcess } from './child-run';
import type { MemoryRunResult } from './memory-run';

const EXTRA_MS = 60_000;

export interface MemoryRunOptions {
  readonly msPerMsg: number;
  /** At most this many msgs in the sink at once; 0: as many as the node hands over. */
  readonly sinkConcurrency: number;
  /** Ends the run once the sink handled this many msgs… */
  readonly stopAt: number;
  /** …or after this long. */
  readonly maxWindowMs: number;
}

export async function measureMemory(endpoint: string, backlog: Backlog, options: MemoryRunOptions): Promise<MemoryRunResult & { backlog: number }> {
  const result = await runInFreshProcess<MemoryRunResult>(
    'memory-run.ts',
    {
      BENCH_ENDPOINT: endpoint,
      BENCH_TABLE_ARN: backlog.tableArn,
      BENCH_WINDOW_MS: String(options.maxWindowMs),
      BENCH_MS_PER_MSG: String(options.msPerMsg),
      BENCH_SINK_CONCURRENCY: String(options.sinkConcurrency),
      BENCH_STOP_AT: String(options.stopAt),
    },
    options.maxWindowMs + EXTRA_MS,
  );
  return { ...result, backlog: backlog.records };
}
