// Figure 4, run in a process of its own (so earlier figures leave nothing in its heap): a source
// node in manual ack mode reads a large backlog into a slow sink, until the sink has handled
// `stopAt` msgs or the window ends, while RSS and heap are sampled. Started by memory.ts; prints
// one `RESULT <json>` line.
import { reportFromChild } from './child-run';
import { MemorySampler, type MemorySummary } from './memory-sampler';
import { deploy, sourceFlow, startRuntime, stopRuntime, undeploy } from './node-red-runtime';
import { SlowSink } from './slow-sink';

export interface MemoryRunResult extends MemorySummary {
  readonly handled: number;
  /** How long the sink was fed: until `stopAt` msgs were handled or `maxWindowMs` ended. */
  readonly elapsedMs: number;
  readonly maxWindowMs: number;
  readonly stopAt: number;
  readonly msPerMsg: number;
  /** At most this many msgs in the sink at once; 0: as many as the node hands over. */
  readonly sinkConcurrency: number;
  readonly nodeSettings: Record<string, unknown>;
}

export const MEMORY_NODE_SETTINGS = { startingPosition: 'TRIM_HORIZON', ackMode: 'manual', batchSize: 100, maxInFlight: 100 };
const SAMPLE_EVERY_MS = 1_000;
const POLL_MS = 100;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<MemoryRunResult> {
  const endpoint = required('BENCH_ENDPOINT');
  const arn = required('BENCH_TABLE_ARN');
  const maxWindowMs = Number(required('BENCH_WINDOW_MS'));
  const msPerMsg = Number(required('BENCH_MS_PER_MSG'));
  const sinkConcurrency = Number(required('BENCH_SINK_CONCURRENCY'));
  const stopAt = Number(required('BENCH_STOP_AT'));
  await startRuntime();
  const sampler = new MemorySampler();
  await sleep(1_000);
  sampler.sample();
  const sink = new SlowSink(msPerMsg, sinkConcurrency);
  const startedAt = performance.now();
  await deploy(sourceFlow({ arn, endpoint, source: MEMORY_NODE_SETTINGS, ackBack: true }), sink.onInput);
  sampler.start(SAMPLE_EVERY_MS);
  while (sink.handled < stopAt && performance.now() - startedAt < maxWindowMs) await sleep(POLL_MS);
  const elapsedMs = performance.now() - startedAt;
  sampler.stop();
  sampler.sample();
  sink.stop();
  await undeploy();
  await stopRuntime();
  return {
    ...sampler.summary(),
    handled: sink.handled,
    elapsedMs,
    maxWindowMs,
    stopAt,
    msPerMsg,
    sinkConcurrency,
    nodeSettings: MEMORY_NODE_SETTINGS,
  };
}

if (require.main === module) reportFromChild(main);
