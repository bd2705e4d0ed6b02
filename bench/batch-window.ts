// Issue 15's batching-window target: a 10,000-record backlog read with `output: batch`,
// `batchWindow: 2` and `batchSize: 1000` arrives as 10 messages. Runs in the bench's Node-RED runtime.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStreamTable, tableArn } from './local-dynamodb';
import { deploy, sourceFlow, undeploy, type BenchMsg } from './node-red-runtime';
import { prefill } from './prefill';

export interface BatchWindowFigures {
  readonly records: number;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  readonly messages: number;
  readonly recordsReceived: number;
  readonly largestBatch: number;
  readonly elapsedMs: number;
}

const BATCH_SIZE = 1000;
const WINDOW_SECONDS = 2;

export async function measureBatchWindow(endpoint: string, client: DynamoDBClient, records: number, maxWaitMs: number): Promise<BatchWindowFigures> {
  const tableName = 'bench-batch-window';
  await createStreamTable(client, tableName);
  await prefill(client, tableName, records);
  const sizes: number[] = [];
  const startedAt = performance.now();
  await deploy(
    sourceFlow({ arn: tableArn(tableName), endpoint, source: { startingPosition: 'TRIM_HORIZON', output: 'batch', batchSize: BATCH_SIZE, batchWindow: WINDOW_SECONDS } }),
    (msg: BenchMsg, _send, done) => {
      sizes.push((msg.payload as unknown[]).length);
      done();
    },
  );
  const received = (): number => sizes.reduce((sum, n) => sum + n, 0);
  while (received() < records && performance.now() - startedAt < maxWaitMs) await new Promise((resolve) => setTimeout(resolve, 100));
  // One window more: a batch that should not exist would show up now.
  await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000 + 500));
  const elapsedMs = performance.now() - startedAt;
  await undeploy();
  return {
    records,
    batchSize: BATCH_SIZE,
    batchWindowSeconds: WINDOW_SECONDS,
    messages: sizes.length,
    recordsReceived: received(),
    largestBatch: Math.max(0, ...sizes),
    elapsedMs,
  };
}
