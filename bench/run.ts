// `npm run bench`: the five figures of issue 6 with the additions of issue 14 (the wire contender,
// the latency floor, the profile) on DynamoDB Local, issue 11's scale-out in spawned Node-RED processes (figure 8), a results table, and the same as JSON in .bench/. Durations: see settings.ts (BENCH_QUICK=1 for a short smoke run).
import path from 'node:path';
import { createBacklog } from './backlog';
import { measureBatchWindow } from './batch-window';
import { runInFreshProcess } from './child-run';
import { filterRows, type FilterFigure } from './filter-cost';
import { measureCatchUp } from './catch-up';
import { measureIdleCost } from './idle-cost';
import { measureLatency } from './latency';
import { dynamoDbClient, startBenchDynamoDb, streamsClient, withBenchDynamoDb } from './local-dynamodb';
import { machineInfo } from './machine';
import { measureMappingInProcesses } from './mapping-processes';
import { measureMemory } from './memory';
import { measureOrdering } from './ordering';
import { measurePoison } from './poison';
import { measureScaleOut } from './scale-out';
import { startRuntime, stopRuntime } from './node-red-runtime';
import { formatTable, writeResults, type ResultRow } from './report';
import { profileNode } from './node-profile';
import { batchWindowRows, catchUpRows, idleRows, latencyWithFloorRows, mappingRows, memoryRows, orderingRows, poisonRows, profileRows, scaleOutRows } from './rows';
import { waitForQuiet } from './quiet';
import { benchSettings } from './settings';

// The SDK's notice about Node 22 says nothing about these figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.resolve(__dirname, '..');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const settings = benchSettings();
  const wanted = (figure: string): boolean => !settings.only || settings.only.has(figure);
  const startedAt = new Date();
  const machine = machineInfo();
  log(`bench ${startedAt.toISOString()} · ${machine.nproc} × ${machine.cpuModel} · Node ${machine.node} · Node-RED ${machine.nodeRed} · load ${machine.loadAverage.join(' ')}`);
  if (settings.quick) log('BENCH_QUICK=1: short smoke run, figures not comparable');
  const rows: ResultRow[] = [];
  const results: Record<string, unknown> = { startedAt: startedAt.toISOString(), machine, settings: { ...settings, only: settings.only && [...settings.only] } };

  if (wanted('mapping')) {
    const quiet = await waitForQuiet(settings.quietBusy, settings.quietWaitMs);
    log(
      `5 mapping cost in ${settings.mappingProcesses} fresh process(es)… (others kept ${Math.round(quiet.busy * 100)} % of the CPUs busy before it; calibration ${quiet.calibrationMs.toFixed(1)} ms)`,
    );
    const mapping = await measureMappingInProcesses(settings.mappingRecords, settings.mappingProcesses);
    for (const run of mapping.processes) log(`  ${run.map((f) => `${f.format} ${f.microsPerRecord.toFixed(2)} µs`).join(', ')}`);
    results.mapping = mapping;
    results.mappingQuietCheck = quiet;
    rows.push(...mappingRows(mapping.best));
  }

  if (wanted('filter')) {
    log('5 filter cost (Lambda filter patterns) in a fresh process…');
    const filter = await runInFreshProcess<FilterFigure[]>('filter-run.ts', { BENCH_FILTER_RECORDS: String(settings.mappingRecords) }, 120_000);
    log(`  ${filter.map((f) => `${f.case} ${f.microsPerRecord.toFixed(2)} µs`).join(', ')}`);
    results.filter = filter;
    rows.push(...filterRows(filter));
  }

  if (wanted('ordering')) {
    log(`6 ordering: ${settings.orderingRecords} records over 50 keys to an HTTP sink answering after 20 ms, ordering key / maxInFlight 100 vs maxInFlight 1 (first ${settings.orderingSerialRecords})…`);
    await withBenchDynamoDb(async (endpoint, client) => {
      const ordering = await measureOrdering(endpoint, client, settings.orderingRecords, settings.orderingSerialRecords);
      const cpuPerRecord = (run: { cpuMs: number; records: number }): string => `${((run.cpuMs * 1000) / run.records).toFixed(0)} µs CPU/rec`;
      log(
        `  key: ${ordering.byKey.perSecond.toFixed(0)} rec/s (at most ${ordering.byKey.mostConcurrent} at the sink at once, ${cpuPerRecord(ordering.byKey)}), ` +
          `maxInFlight 1: ${ordering.serial.perSecond.toFixed(1)} rec/s (${cpuPerRecord(ordering.serial)})`,
      );
      results.ordering = ordering;
      rows.push(...orderingRows(ordering));
    });
  }

  if (wanted('poison')) {
    log('6b poison: 1,000 records over 50 keys, one the sink always fails (maxRetries 3), ordering key and emit, against a run without it…');
    await withBenchDynamoDb(async (endpoint, client) => {
      const poison = await measurePoison(endpoint, client);
      for (const [name, run] of Object.entries({ baseline: poison.baseline, key: poison.byKey, emit: poison.byEmit })) {
        log(
          `  ${name}: others done after ${(run.othersDoneMs / 1000).toFixed(2)} s` +
            (run.poisonGivenUpMs === undefined ? '' : `, poison given up after ${(run.poisonGivenUpMs / 1000).toFixed(2)} s (${run.poisonAttempts} attempts), acknowledged meanwhile: ${run.otherKeysAckedWhileRetrying} of other keys, ${run.ownKeyAckedWhileRetrying} of its own`),
        );
      }
      results.poison = poison;
      rows.push(...poisonRows(poison));
    });
  }

  if (wanted('scale-out')) {
    const quiet = await waitForQuiet(settings.quietBusy, settings.quietWaitMs);
    log(`8 scale-out: spawned Node-RED workers sharing a scripted stream through a lease table… (others kept ${Math.round(quiet.busy * 100)} % of the CPUs busy before it)`);
    const scaleOut = await measureScaleOut(
      { shards: settings.scaleOutShards, ratePerShard: settings.scaleOutRatePerShard, costWindowMs: settings.scaleOutCostWindowMs },
      log,
    );
    results.scaleOut = scaleOut;
    results.scaleOutQuietCheck = quiet;
    rows.push(...scaleOutRows(scaleOut));
  }

  await startRuntime();
  if (wanted('batch-window')) {
    log(`7 batch window: ${settings.batchWindowRecords}-record backlog, output batch, batchWindow 2 s, batchSize 1000…`);
    await withBenchDynamoDb(async (endpoint, client) => {
      const batchWindow = await measureBatchWindow(endpoint, client, settings.batchWindowRecords, 120_000);
      results.batchWindow = batchWindow;
      rows.push(...batchWindowRows(batchWindow));
    });
  }
  if (wanted('latency') || wanted('idle')) {
    // A DynamoDB Local of its own: one holding a 100k-record stream answers every PutItem and
    // GetRecords on other tables in ~100 ms (it scans), which would measure DynamoDB Local, not the node.
    const live = await startBenchDynamoDb();
    const client = dynamoDbClient(live.endpoint);
    try {
      if (wanted('latency')) {
        log(`2 latency: ${settings.latencyWritesPerSecond} writes/s for ${settings.latencyWindowMs / 1000} s, default settings, beside a floor reader…`);
        const latency = await measureLatency(live.endpoint, client, {
          ratePerSecond: settings.latencyWritesPerSecond,
          windowMs: settings.latencyWindowMs,
          floorPauseMs: settings.floorPauseMs,
        });
        results.latency = latency;
        rows.push(...latencyWithFloorRows(latency));
      }
      if (wanted('idle')) {
        log(
          `3 idle cost: ${settings.idleSettleMs / 1000} s to settle, ${settings.idleWindowMs / 1000} s counted, ${settings.idleSpells} single write(s) after idle spells, then ${settings.resumeWindowMs / 1000} s of writes…`,
        );
        const idle = await measureIdleCost(live.endpoint, client, {
          settleMs: settings.idleSettleMs,
          windowMs: settings.idleWindowMs,
          resumeMs: settings.resumeWindowMs,
          ratePerSecond: settings.latencyWritesPerSecond,
          idleSpells: settings.idleSpells,
        });
        results.idle = idle;
        rows.push(...idleRows(idle));
      }
    } finally {
      client.destroy();
      await live.stop();
    }
  }

  if (wanted('catch-up') || wanted('memory')) {
    const ddb = await startBenchDynamoDb();
    const client = dynamoDbClient(ddb.endpoint);
    const streams = streamsClient(ddb.endpoint);
    try {
      const backlogSize = Math.max(wanted('catch-up') ? settings.catchUpRecords : 0, wanted('memory') ? settings.memoryRecords : 0);
      const backlog = await createBacklog(client, streams, backlogSize);
      log(`pre-filled ${backlog.records} items in ${(backlog.prefillMs / 1000).toFixed(1)} s`);
      results.backlog = backlog;
      if (wanted('catch-up')) {
        log(`1 catch-up: ${backlog.records} records, wire / raw / auto / manual alternating, ${settings.catchUpRounds} rounds after a warm-up…`);
        const quiet = { busy: settings.quietBusy, maxWaitMs: settings.quietWaitMs };
        const catchUp = await measureCatchUp(ddb.endpoint, streams, backlog, settings.catchUpRounds, quiet, log);
        results.catchUp = catchUp;
        rows.push(...catchUpRows(catchUp));
        if (settings.profile) {
          log('6 profile: one more auto and one more manual run under the CPU profiler…');
          const saveTo = path.join(root, '.bench', 'profiles');
          const profiles = [await profileNode(ddb.endpoint, backlog, 'auto', saveTo), await profileNode(ddb.endpoint, backlog, 'manual', saveTo)];
          results.profiles = profiles;
          for (const profile of profiles) rows.push(...profileRows(profile));
        }
      }
      await stopRuntime();
      if (wanted('memory')) {
        const msPerMsg = settings.slowSinkMsPerMsg;
        log(`4 memory: manual ack, sink ${msPerMsg} ms per msg, the whole ${backlog.records}-record backlog, in a fresh process…`);
        const whole = await measureMemory(ddb.endpoint, backlog, { msPerMsg, sinkConcurrency: 0, stopAt: backlog.records, maxWindowMs: settings.memoryMaxWindowMs });
        log(`4 memory: the same, sink one msg at a time, ${settings.memorySerialWindowMs / 1000} s…`);
        const serial = await measureMemory(ddb.endpoint, backlog, { msPerMsg, sinkConcurrency: 1, stopAt: backlog.records, maxWindowMs: settings.memorySerialWindowMs });
        results.memory = { whole, serial };
        rows.push(...memoryRows('4 memory, whole backlog', whole), ...memoryRows('4 memory, serial sink', serial));
      }
    } finally {
      client.destroy();
      streams.destroy();
      await ddb.stop();
    }
  } else {
    await stopRuntime();
  }

  results.loadAverageAtEnd = machineInfo().loadAverage;
  results.rows = rows;
  log('');
  log(formatTable(rows));
  const file = writeResults(root, startedAt, results);
  log(`\nload average at end: ${(results.loadAverageAtEnd as number[]).join(' ')} · results: ${path.relative(root, file)}`);
  const failed = rows.filter((r) => r.pass === false).length;
  if (failed > 0) log(`${failed} figure(s) missed their target`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
