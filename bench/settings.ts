// What a bench run measures and for how long; every figure can be shortened with env vars.
// BENCH_QUICK=1 runs a short smoke pass (small backlog, short windows) whose figures are not comparable.

export interface BenchSettings {
  readonly quick: boolean;
  /** Items in the pre-filled catch-up table (issue: ≥ 50,000). */
  readonly catchUpRecords: number;
  /** Alternating raw/node runs of each kind. */
  readonly catchUpRounds: number;
  /** Items in the memory backlog (issue: 100,000). */
  readonly memoryRecords: number;
  /** The longest the whole memory backlog may take (sink handling up to maxInFlight msgs at once). */
  readonly memoryMaxWindowMs: number;
  /** How long a sink handling one msg at a time reads the memory backlog (all of it would take records × 10 ms). */
  readonly memorySerialWindowMs: number;
  readonly slowSinkMsPerMsg: number;
  readonly latencyWritesPerSecond: number;
  readonly latencyWindowMs: number;
  /** Pause between the latency floor reader's GetRecords calls. */
  readonly floorPauseMs: number;
  readonly idleWindowMs: number;
  /** Time allowed for the idle backoff to reach its ceiling before counting starts. */
  readonly idleSettleMs: number;
  /** The latency sample taken when writes resume after the idle window. */
  readonly resumeWindowMs: number;
  /** Single writes, each after a long idle spell: the first record after idling. */
  readonly idleSpells: number;
  readonly mappingRecords: number;
  /** Fresh processes the mapping is measured in (the best counts). */
  readonly mappingProcesses: number;
  /** Before timed runs, wait up to this long for other processes to leave the CPUs at most `quietBusy` busy. */
  readonly quietWaitMs: number;
  readonly quietBusy: number;
  /** After the catch-up rounds, one auto and one manual run under the CPU profiler (BENCH_PROFILE=0: none). */
  readonly profile: boolean;
  /** Records over 50 item keys for the ordering figure (issue 12: 5,000). */
  readonly orderingRecords: number;
  /** The maxInFlight 1 run stops after this many (one 20 ms round trip each). */
  readonly orderingSerialRecords: number;
  /** The backlog the batch-window figure reads (issue 15: 10,000). */
  readonly batchWindowRecords: number;
  /** Scripted shards the scale-out figure's workers share, and records per second written to each. */
  readonly scaleOutShards: number;
  readonly scaleOutRatePerShard: number;
  /** The quiet window over which the scale-out figure counts lease-table calls. */
  readonly scaleOutCostWindowMs: number;
  /** Only these figures (comma list of catch-up, latency, idle, memory, mapping, filter, ordering, poison, batch-window, scale-out); all when unset. */
  readonly only: ReadonlySet<string> | undefined;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function benchSettings(): BenchSettings {
  const quick = process.env.BENCH_QUICK === '1';
  const seconds = (name: string, full: number, short: number): number => intFromEnv(name, quick ? short : full) * 1000;
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    quick,
    catchUpRecords: intFromEnv('BENCH_CATCHUP_RECORDS', quick ? 5_000 : 100_000),
    catchUpRounds: intFromEnv('BENCH_CATCHUP_ROUNDS', quick ? 1 : 5),
    memoryRecords: intFromEnv('BENCH_MEMORY_RECORDS', quick ? 5_000 : 100_000),
    memoryMaxWindowMs: seconds('BENCH_MEMORY_MAX_SECONDS', 900, 120),
    memorySerialWindowMs: seconds('BENCH_MEMORY_SERIAL_SECONDS', 60, 10),
    slowSinkMsPerMsg: intFromEnv('BENCH_SLOW_SINK_MS', 10),
    latencyWritesPerSecond: intFromEnv('BENCH_LATENCY_RATE', 20),
    latencyWindowMs: seconds('BENCH_LATENCY_SECONDS', 60, 10),
    floorPauseMs: intFromEnv('BENCH_FLOOR_PAUSE_MS', 10),
    idleWindowMs: seconds('BENCH_IDLE_SECONDS', 60, 10),
    idleSettleMs: seconds('BENCH_IDLE_SETTLE_SECONDS', 10, 5),
    resumeWindowMs: seconds('BENCH_RESUME_SECONDS', 20, 5),
    idleSpells: Math.max(1, intFromEnv('BENCH_IDLE_SPELLS', quick ? 1 : 3)),
    mappingRecords: intFromEnv('BENCH_MAPPING_RECORDS', quick ? 5_000 : 20_000),
    mappingProcesses: Math.max(1, intFromEnv('BENCH_MAPPING_PROCESSES', quick ? 1 : 3)),
    quietWaitMs: seconds('BENCH_QUIET_WAIT_SECONDS', 30, 0),
    quietBusy: intFromEnv('BENCH_QUIET_BUSY_PERCENT', 25) / 100,
    profile: process.env.BENCH_PROFILE !== '0',
    orderingRecords: intFromEnv('BENCH_ORDERING_RECORDS', quick ? 1_000 : 5_000),
    orderingSerialRecords: intFromEnv('BENCH_ORDERING_SERIAL_RECORDS', quick ? 200 : 1_000),
    batchWindowRecords: intFromEnv('BENCH_BATCH_WINDOW_RECORDS', 10_000),
    scaleOutShards: Math.max(2, intFromEnv('BENCH_SCALE_OUT_SHARDS', 8)),
    scaleOutRatePerShard: Math.max(1, intFromEnv('BENCH_SCALE_OUT_RATE', 10)),
    scaleOutCostWindowMs: seconds('BENCH_SCALE_OUT_COST_SECONDS', 30, 10),
    only: only && only.length > 0 ? new Set(only) : undefined,
  };
}
