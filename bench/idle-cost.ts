// Figure 3: calls to an idle stream, counted at the HTTP layer by a proxy between the config
// node's endpoint and DynamoDB Local (the fault proxy of the tests, with no faults); then single
// writes each after a long idle spell, and latency when writes resume.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FaultProxy } from '../test/support/fault-proxy';
import { freshTable } from './latency';
import { LatencyProbe, type LatencyFigures } from './latency-probe';
import { tableArn } from './local-dynamodb';
import { deploy, sourceFlow, undeploy } from './node-red-runtime';

export interface IdleFigures {
  readonly shards: number;
  readonly windowMs: number;
  /** Calls during the idle window, by operation. */
  readonly calls: Record<string, number>;
  readonly getRecordsPerSecondPerShard: number;
  readonly describeStreamPerMinute: number;
  readonly otherPerMinute: number;
  /** Connections the node opened to the endpoint during the idle window (keep-alive: ideally none). */
  readonly connectionsOpened: number;
  /** Per idle spell: ms from the PutItem of the first write after it to its msg's arrival. */
  readonly firstAfterIdle: number[];
  readonly resumed: LatencyFigures;
}

export interface IdleOptions {
  readonly settleMs: number;
  readonly windowMs: number;
  readonly resumeMs: number;
  readonly ratePerSecond: number;
  /** Single writes after long idle spells (the first follows the counted window, each other one `settleMs` of quiet). */
  readonly idleSpells: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureIdleCost(dynamoDbEndpoint: string, client: DynamoDBClient, options: IdleOptions): Promise<IdleFigures> {
  const tableName = 'bench-idle';
  await freshTable(client, tableName);
  const proxy = new FaultProxy({ target: dynamoDbEndpoint, seed: 1, rates: {} });
  const endpoint = await proxy.start();
  const probe = new LatencyProbe(client, tableName);
  try {
    await deploy(sourceFlow({ arn: tableArn(tableName), endpoint }), (msg, _send, done) => {
      probe.onMessage(msg);
      done();
    });
    await probe.waitUntilReading();
    await sleep(options.settleMs);
    const before = proxy.receivedByOperation();
    const connectionsBefore = proxy.connectionsOpened;
    await sleep(options.windowMs);
    const calls = difference(proxy.receivedByOperation(), before);
    const connectionsOpened = proxy.connectionsOpened - connectionsBefore;
    const perMinute = (count: number): number => (count * 60_000) / options.windowMs;
    const firstAfterIdle: number[] = [];
    for (let spell = 0; spell < options.idleSpells; spell++) {
      if (spell > 0) await sleep(options.settleMs);
      const [latency] = (await probe.sample(1, 1000)).samples;
      firstAfterIdle.push(latency ?? Number.POSITIVE_INFINITY);
    }
    const resumed = await probe.sample(options.ratePerSecond, options.resumeMs);
    const shards = 1;
    const other = Object.entries(calls)
      .filter(([operation]) => operation !== 'GetRecords' && operation !== 'DescribeStream')
      .reduce((sum, [, count]) => sum + count, 0);
    return {
      shards,
      windowMs: options.windowMs,
      calls,
      getRecordsPerSecondPerShard: ((calls.GetRecords ?? 0) * 1000) / options.windowMs / shards,
      describeStreamPerMinute: perMinute(calls.DescribeStream ?? 0),
      otherPerMinute: perMinute(other),
      connectionsOpened,
      firstAfterIdle,
      resumed,
    };
  } finally {
    await undeploy();
    await proxy.stop();
  }
}

/** `after - before` per operation. */
function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const delta = count - (before[operation] ?? 0);
    if (delta > 0) result[operation] = delta;
  }
  return result;
}
