// Issue 12's target: to an HTTP sink answering after 20 ms, 5,000 records over 50 item keys on one
// shard, acknowledged by a `complete` node: throughput with `ordering: key, maxInFlight: 100` at
// least 20× that of `maxInFlight: 1`, with every item's versions in order at the sink. Each run is a
// fresh process reading the same pre-filled table from TRIM_HORIZON.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runInFreshProcess } from './child-run';
import { createStreamTable, tableArn } from './local-dynamodb';
import type { OrderingRunResult } from './ordering-run';
import { prefill } from './prefill';

export const ORDERING_KEYS = 50;
export const ORDERING_SINK_DELAY_MS = 20;

/** Item `n`: version `n` of item key `item-<n mod 50>`. */
export const keyedItem = (n: number): Record<string, AttributeValue> => ({ pk: { S: `item-${n % ORDERING_KEYS}` }, v: { N: String(n) } });

export interface OrderingFigures {
  readonly records: number;
  readonly keys: number;
  readonly sinkDelayMs: number;
  readonly byKey: OrderingRunResult;
  readonly serial: OrderingRunResult;
  /** byKey.perSecond / serial.perSecond */
  readonly speedUp: number;
}

/** `serialRecords`: the serial run stops after this many (at ~20 ms each it would take minutes for all). */
export async function measureOrdering(endpoint: string, client: DynamoDBClient, records: number, serialRecords: number): Promise<OrderingFigures> {
  const tableName = 'bench-ordering';
  await createStreamTable(client, tableName);
  // One batch at a time: the versions of an item are written in order (a batch holds each key at most once).
  await prefill(client, tableName, records, 1, 0, keyedItem);
  const run = (ordering: string, maxInFlight: number, count: number): Promise<OrderingRunResult> =>
    runInFreshProcess<OrderingRunResult>(
      'ordering-run.ts',
      {
        BENCH_ENDPOINT: endpoint,
        BENCH_TABLE_ARN: tableArn(tableName),
        BENCH_ORDERING: ordering,
        BENCH_MAX_IN_FLIGHT: String(maxInFlight),
        BENCH_RECORDS: String(count),
        BENCH_SINK_DELAY_MS: String(ORDERING_SINK_DELAY_MS),
        BENCH_WINDOW_MS: String(300_000),
      },
      360_000,
    );
  const byKey = await run('key', 100, records);
  const serial = await run('emit', 1, serialRecords);
  return { records, keys: ORDERING_KEYS, sinkDelayMs: ORDERING_SINK_DELAY_MS, byKey, serial, speedUp: byKey.perSecond / serial.perSecond };
}
