// Issue 12's poison-record target: among 1,000 records (50 item keys, one shard, a sink answering
// after 20 ms), one record the sink always fails costs at most its retries: the others keep flowing
// while it is retried, and with `ordering: key` only its own key waits. Each run is a fresh process
// reading the same pre-filled table from TRIM_HORIZON: without a poison (the baseline), then with
// one in `key` and in `emit` ordering.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runInFreshProcess } from './child-run';
import { createStreamTable, tableArn } from './local-dynamodb';
import { ORDERING_KEYS, ORDERING_SINK_DELAY_MS, keyedItem } from './ordering';
import type { PoisonRunResult } from './poison-run';
import { prefill } from './prefill';

export const POISON_RECORDS = 1_000;
/** Item 100 (key item-0): early, so that most of the records come after it. */
export const POISON_VERSION = 100;

export interface PoisonFigures {
  readonly records: number;
  readonly baseline: PoisonRunResult;
  readonly byKey: PoisonRunResult;
  readonly byEmit: PoisonRunResult;
}

export async function measurePoison(endpoint: string, client: DynamoDBClient): Promise<PoisonFigures> {
  const tableName = 'bench-poison';
  await createStreamTable(client, tableName);
  await prefill(client, tableName, POISON_RECORDS, 1, 0, keyedItem);
  const run = (ordering: string, poison: boolean): Promise<PoisonRunResult> =>
    runInFreshProcess<PoisonRunResult>(
      'poison-run.ts',
      {
        BENCH_ENDPOINT: endpoint,
        BENCH_TABLE_ARN: tableArn(tableName),
        BENCH_ORDERING: ordering,
        BENCH_RECORDS: String(POISON_RECORDS),
        BENCH_KEYS: String(ORDERING_KEYS),
        BENCH_SINK_DELAY_MS: String(ORDERING_SINK_DELAY_MS),
        ...(poison ? { BENCH_POISON_VERSION: String(POISON_VERSION) } : {}),
      },
      360_000,
    );
  const baseline = await run('key', false);
  const byKey = await run('key', true);
  const byEmit = await run('emit', true);
  return { records: POISON_RECORDS, baseline, byKey, byEmit };
}
