// Figure 4, run in a process of its own (so earlier figures leave nothing in its heap): a source
// node in manual ack mode reads a large backlog into a slow sink for a bounded time while RSS
// and heap are sampled. Started by memory.ts; prints one `RESULT <json>` line.
import { MemorySampler, type MemorySummary } from './memory-sampler';
import { deploy, sourceFlow, startRuntime, stopRuntime, undeploy } from './node-red-runtime';
import { SlowSink } from './slow-sink';

export interface MemoryRunResult extends MemorySummary {
  readonly handled: number;
  readonly windowMs: number;
  readonly msPerMsg: number;
  readonly nodeSettings: Record<string, unknown>;
}

export const MEMORY_NODE_SETTINGS = { startingPosition: 'TRIM_HORIZON', ackMode: 'manual', batchSize: 100, maxInFlight: 100 };
const SAMPLE_EVERY_MS = 2_500;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const endpoint = required('BENCH_ENDPOINT');
  const arn = required('BENCH_TABLE_ARN');
  const windowMs = Number(required('BENCH_WINDOW_MS'));
  const msPerMsg = Number(required('BENCH_MS_PER_MSG'));
  await startRuntime();
  const sampler = new MemorySampler();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  sampler.sample();
  const sink = new SlowSink(msPerMsg);
  await deploy(sourceFlow({ arn, endpoint, source: MEMORY_NODE_SETTINGS, ackBack: true }), sink.onInput);
  sampler.start(SAMPLE_EVERY_MS);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  sampler.stop();
  sampler.sample();
  sink.stop();
  await undeploy();
  await stopRuntime();
  const result: MemoryRunResult = { ...sampler.summary(), handled: sink.handled, windowMs, msPerMsg, nodeSettings: MEMORY_NODE_SETTINGS };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
