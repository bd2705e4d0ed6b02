// Figure 2: latency with the node's default settings and default timings, beside the floor: a
// second reader polling the same shard continuously at the same time.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchItem } from './items';
import { FloorReader } from './latency-floor';
import { LatencyProbe, type LatencyFigures } from './latency-probe';
import { createStreamTable, tableArn } from './local-dynamodb';
import { deploy, sourceFlow, undeploy } from './node-red-runtime';
import { distribution, pairedDifferences, type Distribution } from './stats';
import { WireStreamsClient } from './wire-client';

export interface LatencyWithFloor {
  /** PutItem to the msg's arrival at the downstream node. */
  readonly node: LatencyFigures;
  /** PutItem to the floor reader's first sight of the record. */
  readonly floor: Distribution & { readonly missing: number; readonly calls: number; readonly errors: number; readonly pauseMs: number };
  /** Per write seen by both: node minus floor. */
  readonly overhead: Distribution;
}

/** A fresh table with one item written, so the LATEST iterator is not taken over an empty shard (a DynamoDB Local quirk); returns its stream ARN. */
export async function freshTable(client: DynamoDBClient, tableName: string): Promise<string> {
  const streamArn = await createStreamTable(client, tableName);
  await client.send(new PutItemCommand({ TableName: tableName, Item: benchItem(0) }));
  return streamArn;
}

export interface LatencyOptions {
  readonly ratePerSecond: number;
  readonly windowMs: number;
  /** The floor reader's pause between calls. */
  readonly floorPauseMs: number;
}

export async function measureLatency(endpoint: string, client: DynamoDBClient, options: LatencyOptions): Promise<LatencyWithFloor> {
  const tableName = 'bench-latency';
  const streamArn = await freshTable(client, tableName);
  const probe = new LatencyProbe(client, tableName);
  const wire = new WireStreamsClient(endpoint);
  const floor = new FloorReader(wire, options.floorPauseMs);
  await deploy(sourceFlow({ arn: tableArn(tableName), endpoint }), (msg, _send, done) => {
    probe.onMessage(msg);
    done();
  });
  try {
    await probe.waitUntilReading();
    await floor.start(streamArn);
    const node = await probe.sample(options.ratePerSecond, options.windowMs);
    await floor.stop();
    const items = Array.from({ length: node.writes }, (_, i) => node.firstItem + i);
    const floorSamples = items.flatMap((n) => floor.latencies.get(n) ?? []);
    return {
      node,
      floor: { ...distribution(floorSamples), missing: node.writes - floorSamples.length, calls: floor.calls, errors: floor.errors, pauseMs: options.floorPauseMs },
      overhead: distribution(pairedDifferences(items, probe.arrivals, floor.latencies)),
    };
  } finally {
    await floor.stop();
    wire.destroy();
    await undeploy();
  }
}
