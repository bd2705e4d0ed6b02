// Figure 4, run in a process of its own (so earlier figures leave nothing in its heap): a source
// node in manual ack mode reads a large backlog into a slow sink, until the sink has handled
// `stopAt` msgs or the window ends, while RSS and heap are sampled. Started by memory.ts; prints
// one `RESULT <json>` line.
import { delay } from '../test/support/collect';
import { reportFromChild, requiredEnv } from './child-run';
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

async function main(): Promise<MemoryRunResult> {
  const endpoint = requiredEnv('BENCH_ENDPOINT');
  const arn = requiredEnv('BENCH_TABLE_ARN');
  const maxWindowMs = Number(requiredEnv('BENCH_WINDOW_MS'));
  const msPerMsg = Number(requiredEnv('BENCH_MS_PER_MSG'));
  const sinkConcurrency = Number(requiredEnv('BENCH_SINK_CONCURRENCY'));
  const stopAt = Number(requiredEnv('BENCH_STOP_AT'));
  await startRuntime();
  const sampler = new MemorySampler();
  await delay(1_000);
  sampler.sample();
  const sink = new SlowSink(msPerMsg, sinkConcurrency);
  const startedAt = performance.now();
  await deploy(sourceFlow({ arn, endpoint, source: MEMORY_NODE_SETTINGS, ackBack: true }), sink.onInput);
  sampler.start(SAMPLE_EVERY_MS);
  while (sink.handled < stopAt && performance.now() - startedAt < maxWindowMs) await delay(POLL_MS);
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
