// Figure 1: catch-up throughput. Two plain GetRecords loops (over the wire with JSON.parse, and
// through the SDK) and the source node in Node-RED read the same pre-filled stream from
// TRIM_HORIZON, in alternating runs.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ArrivalCounter } from './arrivals';
import type { Backlog } from './backlog';
import { collectGarbage } from './gc';
import { deploy, sourceFlow, undeploy } from './node-red-runtime';
import { rawCatchUp, wireCatchUp } from './raw-reader';
import { waitForQuiet } from './quiet';
import { median } from './stats';
import { WireStreamsClient } from './wire-client';

export type CatchUpMode = 'wire' | 'raw' | 'auto' | 'manual';
export type NodeMode = 'auto' | 'manual';

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
  /** Wire runs: time spent building signed headers. */
  readonly signingMs?: number;
}

/** Median over the rounds of each round's node/contender ratio (runs of a round are seconds apart, so load drifts cancel). */
export interface PairedRatios {
  readonly wire: number;
  readonly raw: number;
}

export interface CatchUpFigures {
  readonly records: number;
  readonly runs: CatchUpRun[];
  /** Medians over the rounds, records/s. */
  readonly rates: Record<CatchUpMode, number>;
  readonly ratios: Record<NodeMode, PairedRatios>;
  /** Ratio of the medians, for comparison. */
  readonly ratiosOfMedians: Record<NodeMode, PairedRatios>;
  /** Share of the wire runs' time spent signing requests. */
  readonly wireSigningShare: number;
  readonly nodeSettings: Record<string, unknown>;
}

/** What one run of any mode yields. */
interface TimedRead {
  readonly records: number;
  readonly ms: number;
  readonly signingMs?: number;
}

const STALL_MS = 30_000;
export const CATCH_UP_NODE_SETTINGS = { startingPosition: 'TRIM_HORIZON', batchSize: 1000, maxInFlight: 100 };

export async function nodeCatchUp(endpoint: string, backlog: Backlog, ackMode: NodeMode): Promise<TimedRead> {
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
  const wire = new WireStreamsClient(endpoint);
  const readOnce = (mode: CatchUpMode): Promise<TimedRead> => {
    const { streamArn, shardId, records } = backlog;
    if (mode === 'wire') return wireCatchUp(wire, streamArn, shardId, records);
    if (mode === 'raw') return rawCatchUp(streams, streamArn, shardId, records);
    return nodeCatchUp(endpoint, backlog, mode);
  };
  try {
    const runs = await alternatingRuns(backlog.records, rounds, quiet, log, readOnce);
    return summarise(backlog.records, rounds, runs);
  } finally {
    wire.destroy();
  }
}

const MODES: readonly CatchUpMode[] = ['wire', 'raw', 'auto', 'manual'];

/** One unrecorded round (the JIT of Node.js and of DynamoDB Local warms up), then `rounds` rounds of every mode in turn. */
async function alternatingRuns(
  expected: number,
  rounds: number,
  quiet: QuietOptions,
  log: (line: string) => void,
  readOnce: (mode: CatchUpMode) => Promise<TimedRead>,
): Promise<CatchUpRun[]> {
  const runs: CatchUpRun[] = [];
  for (let round = 0; round <= rounds; round++) {
    const { busy: othersBusy, calibrationMs } = round === 0 ? { busy: NaN, calibrationMs: NaN } : await waitForQuiet(quiet.busy, quiet.maxWaitMs);
    if (round > 0) log(`  round ${round}: others kept ${Math.round(othersBusy * 100)} % of the CPUs busy before it; calibration ${calibrationMs.toFixed(1)} ms`);
    for (const mode of MODES) {
      collectGarbage();
      const result = await readOnce(mode);
      if (result.records < expected) throw new Error(`${mode} run read ${result.records} of ${expected} records`);
      const run: CatchUpRun = {
        round,
        othersBusy,
        calibrationMs,
        mode,
        records: result.records,
        ms: result.ms,
        recordsPerSecond: (result.records / result.ms) * 1000,
        ...(result.signingMs === undefined ? {} : { signingMs: result.signingMs }),
      };
      log(`  ${round === 0 ? 'warm-up' : `round ${round}`} ${mode.padEnd(6)} ${Math.round(run.recordsPerSecond)} records/s (${Math.round(run.ms)} ms)`);
      if (round > 0) runs.push(run);
    }
  }
  return runs;
}

function summarise(records: number, rounds: number, runs: readonly CatchUpRun[]): CatchUpFigures {
  const runsOf = (mode: CatchUpMode): CatchUpRun[] => runs.filter((r) => r.mode === mode);
  const rate = (mode: CatchUpMode): number => median(runsOf(mode).map((r) => r.recordsPerSecond));
  const pairedRatio = (mode: NodeMode, contender: 'wire' | 'raw'): number => {
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const node = runs.find((r) => r.round === round && r.mode === mode);
      const other = runs.find((r) => r.round === round && r.mode === contender);
      if (node && other) ratios.push(node.recordsPerSecond / other.recordsPerSecond);
    }
    return median(ratios);
  };
  const rates = { wire: rate('wire'), raw: rate('raw'), auto: rate('auto'), manual: rate('manual') };
  const wireRuns = runsOf('wire');
  const wireMs = wireRuns.reduce((sum, r) => sum + r.ms, 0);
  const signingMs = wireRuns.reduce((sum, r) => sum + (r.signingMs ?? 0), 0);
  return {
    records,
    runs: [...runs],
    rates,
    ratios: {
      auto: { wire: pairedRatio('auto', 'wire'), raw: pairedRatio('auto', 'raw') },
      manual: { wire: pairedRatio('manual', 'wire'), raw: pairedRatio('manual', 'raw') },
    },
    ratiosOfMedians: {
      auto: { wire: rates.auto / rates.wire, raw: rates.auto / rates.raw },
      manual: { wire: rates.manual / rates.wire, raw: rates.manual / rates.raw },
    },
    wireSigningShare: wireMs > 0 ? signingMs / wireMs : 0,
    nodeSettings: { ...CATCH_UP_NODE_SETTINGS, output: 'record', dataFormat: 'triggermesh' },
  };
}
