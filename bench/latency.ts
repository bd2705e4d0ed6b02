// Figure 2: latency with the node's default settings and default timings.
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchItem } from './items';
import { LatencyProbe, type LatencyFigures } from './latency-probe';
import { createStreamTable, tableArn } from './local-dynamodb';
import { deploy, sourceFlow, undeploy } from './node-red-runtime';

/** A fresh table with one item written, so the LATEST iterator is not taken over an empty shard (a DynamoDB Local quirk). */
export async function freshTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createStreamTable(client, tableName);
  await client.send(new PutItemCommand({ TableName: tableName, Item: benchItem(0) }));
}

export async function measureLatency(endpoint: string, client: DynamoDBClient, ratePerSecond: number, windowMs: number): Promise<LatencyFigures> {
  const tableName = 'bench-latency';
  await freshTable(client, tableName);
  const probe = new LatencyProbe(client, tableName);
  await deploy(sourceFlow({ arn: tableArn(tableName), endpoint }), (msg, _send, done) => {
    probe.onMessage(msg);
    done();
  });
  try {
    await probe.waitUntilReading();
    return await probe.sample(ratePerSecond, windowMs);
  } finally {
    await undeploy();
  }
}
