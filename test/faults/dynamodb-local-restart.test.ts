/**
 * Fault matrix: DynamoDB Local is killed (SIGKILL) mid-stream and started again on the same port
 * with the same `-dbPath`. DynamoDB Local 3.x keeps tables, streams, shard ids, stream records and
 * even the validity of shard iterators across such a restart (checked by the test's own reads:
 * everything written before the kill is delivered after it), so what the node meets is an outage:
 * refused connections and connections cut mid-request, which it must show, retry with backoff and
 * get over without losing or repeating a record.
 */
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MessageCollector, delay, eventually } from '../support/collect';
import { assertDelivery, reconcileAndPrint } from '../support/delivery-ledger';
import { createTable, localClient } from '../support/dynamodb';
import { itemOfPayload, waitForAll } from '../support/fault-scenario';
import { helper, ourNodes, sourceCredentials, sourceFlow, useNodeRedWithDynamoDbLocal } from '../support/node-red';
import { NodeCalls } from '../support/node-events';
import { NumberedWriter } from '../support/numbered-writer';
import { RestartableDynamoDbLocal } from '../support/restartable-dynamodb-local';

describe('fault matrix: DynamoDB Local killed and restarted under the node', function () {
  this.timeout(120_000);
  useNodeRedWithDynamoDbLocal();
  let dynamodbLocal: RestartableDynamoDbLocal | undefined;
  let client: DynamoDBClient | undefined;
  let writer: NumberedWriter | undefined;

  before(async function () {
    dynamodbLocal = await RestartableDynamoDbLocal.start();
    client = localClient(dynamodbLocal.endpoint);
  });

  after(async function () {
    await writer?.close();
    client?.destroy();
    await dynamodbLocal?.stop();
  });

  it('shows the outage, retries with backoff, and delivers everything written before, during and after it', async function () {
    const ddb = dynamodbLocal as RestartableDynamoDbLocal;
    const table = await createTable(client as DynamoDBClient, { prefix: 'outage' });
    const flow = sourceFlow({ arn: table.arn, endpoint: ddb.endpoint, source: { startingPosition: 'TRIM_HORIZON' } });
    await helper.load(ourNodes, flow, sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    const collector = new MessageCollector(helper.getNode('h1'));
    const delivered = () => collector.messages.map((m) => itemOfPayload(m.payload));
    await eventually(() => calls.hasStatus((s) => s.fill === 'green'), 15_000, 'reading');

    writer = new NumberedWriter({ endpoint: ddb.endpoint, tableName: table.name });
    writer.start(10);
    await collector.waitFor(40, 15_000);

    const statusesBefore = calls.statuses.length;
    const errorsBefore = calls.errors.length;
    const writtenBefore = writer.written.length;
    await ddb.kill();
    const killedAt = Date.now();
    await eventually(() => calls.statuses.slice(statusesBefore).some((s) => s.fill === 'red'), 10_000, 'a red status during the outage');
    await delay(1_500);
    const restartingAt = Date.now();
    await ddb.restart();
    const restartedAt = Date.now();
    const outageStatuses = calls.statuses.slice(statusesBefore);
    const failedAttempts = outageStatuses.filter((s) => s.fill === 'red').length;
    const outageErrors = calls.errors.slice(errorsBefore);
    const writtenDuring = writer.written.length - writtenBefore;
    const failedWrites = writer.failed;
    const writtenUpToRestart = writer.written.length;

    const deliveredAtRestart = collector.messages.length;
    await eventually(() => collector.messages.length > deliveredAtRestart && calls.lastStatus?.fill === 'green', 20_000, 'reading again');
    await delay(2_000);
    await writer.stop();
    const complete = await waitForAll(() => writer?.written ?? [], delivered, 30_000);
    await delay(300);

    const outageSeconds = (restartedAt - killedAt) / 1000;
    const report = reconcileAndPrint(
      'DynamoDB Local killed and restarted',
      { written: writer.written, uncertain: writer.uncertain, delivered: delivered() },
      [
        `outage ${outageSeconds.toFixed(1)} s (${((restartedAt - restartingAt) / 1000).toFixed(1)} s of it restarting), ` +
          `writes: ${writtenBefore} before, ${writtenDuring} during, ${writer.written.length - writtenUpToRestart} after; ` +
          `${failedWrites} refused, ${writer.uncertain.length} of unknown outcome; ` +
          `${failedAttempts} red statuses while down`,
      ],
    );
    assert.ok(complete, 'everything delivered in time');
    assert.ok(failedWrites > 0, 'writes failed while DynamoDB Local was down');
    assert.ok(writtenBefore > 0 && writer.written.length > writtenUpToRestart, 'items written before the kill and after the restart');
    assert.ok(
      outageErrors.some((e) => /failed.*(network|ECONNREFUSED|ECONNRESET|socket).*retrying in/i.test(e)),
      `node.error names the network failure and the retry: ${outageErrors.join(' | ')}`,
    );
    // Without backoff a reader retries a refused connection thousands of times a second; with it, a few times.
    assert.ok(failedAttempts / outageSeconds < 40, `${failedAttempts} failed attempts in ${outageSeconds.toFixed(1)} s: retries back off`);
    assertDelivery(report, { duplicates: 'none' });
  });
});
