// Figure 1: catch-up throughput. A raw GetRecords loop (the ceiling) and the source node in
// Node-RED read the same pre-filled stream from TRIM_HORIZON, in alternating runs.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ArrivalCounter } from './arrivals';
import type { Backlog } from './backlog';
import { collectGarbage } from './gc';
import { deploy, sourceFlow, undeploy } from './node-red-runtime';
import { rawCatchUp } from './raw-reader';
import { waitForQuiet } from './quiet';
import { median } from './stats';

export type CatchUpMode = 'raw' | 'auto' | 'manual';

export interface CatchUpRun {
  readonly round: number;
  /** Share of the CPUs other processes kept busy just before the round started. */
  readonly othersBusy: number;
  /** See quiet.ts: the CPU's speed just before the round. */
  readonly calibrationMs: number;
  readonly mode: CatchUpMode;
  readonly records: number;
  readonly ms: number;
  readonly recordsPerSecond: number;
}

export interface CatchUpFigures {
  readonly records: number;
  readonly runs: CatchUpRun[];
  /** Medians over the rounds, records/s. */
  readonly raw: number;
  readonly auto: number;
  readonly manual: number;
  /** Median over the rounds of each round's node/raw ratio (runs of a round are seconds apart, so load drifts cancel). */
  readonly autoRatio: number;
  readonly manualRatio: number;
  /** Ratio of the medians, for comparison. */
  readonly autoRatioOfMedians: number;
  readonly manualRatioOfMedians: number;
  readonly nodeSettings: Record<string, unknown>;
}

const STALL_MS = 30_000;
export const CATCH_UP_NODE_SETTINGS = { startingPosition: 'TRIM_HORIZON', batchSize: 1000, maxInFlight: 100 };

async function nodeCatchUp(endpoint: string, backlog: Backlog, ackMode: 'auto' | 'manual'): Promise<{ records: number; ms: number }> {
  const counter = new ArrivalCounter();
  const started = performance.now();
  await deploy(
    sourceFlow({ arn: backlog.tableArn, endpoint, source: { ...CATCH_UP_NODE_SETTINGS, ackMode }, ackBack: ackMode === 'manual' }),
    (_msg, _send, done) => {
      counter.arrived();
      done();
    },
  );
  try {
    await counter.waitFor(backlog.records, STALL_MS);
  } finally {
    await undeploy();
  }
  return { records: counter.count, ms: counter.lastAt - started };
}

export interface QuietOptions {
  readonly busy: number;
  readonly maxWaitMs: number;
}

export async function measureCatchUp(
  endpoint: string,
  streams: DynamoDBStreamsClient,
  backlog: Backlog,
  rounds: number,
  quiet: QuietOptions,
  log: (line: string) => void,
): Promise<CatchUpFigures> {
  const runs: CatchUpRun[] = [];
  const modes: CatchUpMode[] = ['raw', 'auto', 'manual'];
  // One unrecorded pass of each warms up the JIT (ours and DynamoDB Local's).
  for (let round = 0; round <= rounds; round++) {
    const { busy: othersBusy, calibrationMs } = round === 0 ? { busy: NaN, calibrationMs: NaN } : await waitForQuiet(quiet.busy, quiet.maxWaitMs);
    if (round > 0) log(`  round ${round}: others kept ${Math.round(othersBusy * 100)} % of the CPUs busy before it; calibration ${calibrationMs.toFixed(1)} ms`);
    for (const mode of modes) {
      collectGarbage();
      const result =
        mode === 'raw' ? await rawCatchUp(streams, backlog.streamArn, backlog.shardId, backlog.records) : await nodeCatchUp(endpoint, backlog, mode);
      if (result.records < backlog.records) throw new Error(`${mode} run read ${result.records} of ${backlog.records} records`);
      const run = { round, othersBusy, calibrationMs, mode, records: result.records, ms: result.ms, recordsPerSecond: (result.records / result.ms) * 1000 };
      log(`  ${round === 0 ? 'warm-up' : `round ${round}`} ${mode.padEnd(6)} ${Math.round(run.recordsPerSecond)} records/s (${Math.round(run.ms)} ms)`);
      if (round > 0) runs.push(run);
    }
  }
  const rate = (mode: CatchUpMode): number => median(runs.filter((r) => r.mode === mode).map((r) => r.recordsPerSecond));
  const pairedRatio = (mode: CatchUpMode): number => {
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const node = runs.find((r) => r.round === round && r.mode === mode);
      const raw = runs.find((r) => r.round === round && r.mode === 'raw');
      if (node && raw) ratios.push(node.recordsPerSecond / raw.recordsPerSecond);
    }
    return median(ratios);
  };
  const raw = rate('raw');
  const auto = rate('auto');
  const manual = rate('manual');
  return {
    records: backlog.records,
    runs,
    raw,
    auto,
    manual,
    autoRatio: pairedRatio('auto'),
    manualRatio: pairedRatio('manual'),
    autoRatioOfMedians: auto / raw,
    manualRatioOfMedians: manual / raw,
    nodeSettings: { ...CATCH_UP_NODE_SETTINGS, output: 'record', dataFormat: 'triggermesh' },
  };
}
