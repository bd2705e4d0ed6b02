/**
 * Fault matrix: a loopback proxy between the node and DynamoDB Local answers 10 % of the requests
 * with HTTP 500, some with DynamoDB's throttling error, delays some by 2 s and drops connections
 * before and after DynamoDB Local served them. Items are written to DynamoDB Local directly.
 *
 * The guarantee asserted (auto mode, no restart): no loss, no duplicates, order per key kept. The
 * node hands records on only after a GetRecords answer arrived whole; any failed, throttled or lost
 * answer is retried with the same shard iterator, which yields the same records again, so a record
 * is never sent twice. (A duplicate would need an answer to arrive and its records to be sent, and
 * then the same records to be read again: only a restart without a checkpoint does that.)
 */
import assert from 'node:assert/strict';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { classifyAwsError } from '../../nodes/lib/aws-errors';
import { MessageCollector, delay } from '../support/collect';
import { assertDelivery, reconcileAndPrint } from '../support/delivery-ledger';
import { LOCAL_CREDENTIALS, LOCAL_REGION, createTable, tableArn } from '../support/dynamodb';
import { FAULT_KINDS, FaultProxy } from '../support/fault-proxy';
import { itemOfPayload, waitForAll } from '../support/fault-scenario';
import { helper, ourNodes, sourceCredentials, sourceFlow, useNodeRedWithDynamoDbLocal } from '../support/node-red';
import { NodeCalls } from '../support/node-events';
import { NumberedWriter } from '../support/numbered-writer';

/** With this seed every kind of fault occurs within the first 30 requests (and about one request in five meets one). */
const SEED = 55;

describe('fault matrix: a fault-injecting HTTP proxy between the node and DynamoDB Local', function () {
  this.timeout(90_000);
  const ctx = useNodeRedWithDynamoDbLocal();
  let proxy: FaultProxy | undefined;
  let writer: NumberedWriter | undefined;

  afterEach(async function () {
    await writer?.close();
    await proxy?.stop();
  });

  it('answers the injected throttling body in a way the SDK names LimitExceededException and the node classifies as throttling', async function () {
    proxy = new FaultProxy({ target: ctx.endpoint, seed: SEED, rates: {} });
    const url = await proxy.start();
    const client = new DynamoDBStreamsClient({ region: LOCAL_REGION, endpoint: url, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      proxy.force('throttle');
      const throttled = await client.send(new DescribeStreamCommand({ StreamArn: `${tableArn('none')}/stream/x` })).then(
        () => undefined,
        (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } },
      );
      assert.equal(throttled?.name, 'LimitExceededException');
      assert.equal(throttled?.$metadata?.httpStatusCode, 400);
      assert.equal(classifyAwsError(throttled), 'throttled');
      proxy.force('server-error');
      const failed = await client.send(new DescribeStreamCommand({ StreamArn: `${tableArn('none')}/stream/x` })).catch((e: unknown) => e);
      assert.equal(classifyAwsError(failed), 'server');
    } finally {
      client.destroy();
    }
  });

  it('delivers every item once, in order per key, through 10 % HTTP 500s, throttling, 2 s latency spikes and dropped connections', async function () {
    const table = await createTable(ctx.client, { prefix: 'proxy' });
    proxy = new FaultProxy({
      target: ctx.endpoint,
      seed: SEED,
      rates: { 'server-error': 0.1, throttle: 0.05, latency: 0.02, 'drop-request': 0.03, 'drop-response': 0.03 },
      latencyMs: 2_000,
    });
    const url = await proxy.start();
    const flow = sourceFlow({ arn: table.arn, endpoint: url, source: { startingPosition: 'TRIM_HORIZON', batchSize: 25 } });
    await helper.load(ourNodes, flow, sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    const collector = new MessageCollector(helper.getNode('h1'));
    const delivered = () => collector.messages.map((m) => itemOfPayload(m.payload));

    writer = new NumberedWriter({ endpoint: ctx.endpoint, tableName: table.name });
    writer.start(10);
    await delay(6_000);
    await writer.stop();
    const complete = await waitForAll(() => writer?.written ?? [], delivered, 45_000);
    await delay(300); // a late duplicate would show up now

    const report = reconcileAndPrint('proxy: 500s, throttling, latency, dropped connections', { written: writer.written, delivered: delivered() }, [
      `${proxy.requests} requests; injected ${proxy.describe()}`,
    ]);
    assert.ok(complete, 'everything delivered in time');
    for (const kind of FAULT_KINDS) assert.ok(proxy.count(kind) > 0, `the proxy injected ${kind}`);
    assert.ok(proxy.count('server-error', 'GetRecords') + proxy.count('drop-response', 'GetRecords') > 0, 'GetRecords met faults');
    assert.ok(calls.warnings.some((w) => /throttled/.test(w)), `throttling reported as such: ${calls.warnings.join(' | ')}`);
    assert.ok(calls.errors.some((e) => /failed.*retrying in/.test(e)), `errors reported: ${calls.errors.join(' | ')}`);
    assertDelivery(report, { duplicates: 'none' });
  });
});
