// Figure 4: starts memory-run.ts in a fresh Node.js process and reads its result.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Backlog } from './backlog';
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
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'memory-run.ts')], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...process.env,
      BENCH_ENDPOINT: endpoint,
      BENCH_TABLE_ARN: backlog.tableArn,
      BENCH_WINDOW_MS: String(options.maxWindowMs),
      BENCH_MS_PER_MSG: String(options.msPerMsg),
      BENCH_SINK_CONCURRENCY: String(options.sinkConcurrency),
      BENCH_STOP_AT: String(options.stopAt),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.maxWindowMs + EXTRA_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`memory run failed (exit ${code}):\n${stderr}`);
  return { ...(JSON.parse(line.slice('RESULT '.length)) as MemoryRunResult), backlog: backlog.records };
}
