import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { helper, useNodeRedWithDynamoDbLocal, ourNodes, sourceCredentials, sourceFlow } from '../support/node-red';
import { MessageCollector, delay, eventually } from '../support/collect';
import { NodeCalls } from '../support/node-events';

const isReading = (s: { fill?: string; text?: string }): boolean =>
  s.fill === 'green' && /status\.(reading|idle)/.test(s.text ?? '');

describe('source node on DynamoDB Local: reading behaviour', function () {
  const ctx = useNodeRedWithDynamoDbLocal();

  async function deploy(arn: string, source: Record<string, unknown> = {}) {
    await helper.load(ourNodes, sourceFlow({ arn, endpoint: ctx.endpoint, source }), sourceCredentials);
    return { collector: new MessageCollector(helper.getNode('h1')), calls: new NodeCalls(helper.getNode('s1')) };
  }

  it('starts at LATEST: records written before the deploy are not emitted, later ones are', async function () {
    const table = await createTable(ctx.client, { prefix: 'latest' });
    await table.put({ pk: { S: 'before-1' } });
    await table.put({ pk: { S: 'before-2' } });
    const { collector, calls } = await deploy(table.arn, { startingPosition: 'LATEST' });
    await eventually(() => calls.hasStatus(isReading), 10_000, 'reading status');
    await delay(400);
    await table.put({ pk: { S: 'after-1' } });
    const [msg] = await collector.waitFor(1);
    assert.equal(msg.payload.Dynamodb.Keys.pk.S, 'after-1');
    await delay(300);
    assert.equal(collector.messages.length, 1);
  });

  it('starts at TRIM_HORIZON: records written before the deploy are emitted first, in order', async function () {
    const table = await createTable(ctx.client, { prefix: 'horizon' });
    for (let i = 0; i < 5; i++) await table.put({ pk: { S: `before-${i}` } });
    const { collector } = await deploy(table.arn, { startingPosition: 'TRIM_HORIZON' });
    await table.put({ pk: { S: 'after' } });
    const messages = await collector.waitFor(6);
    assert.deepEqual(
      messages.map((m) => m.payload.Dynamodb.Keys.pk.S),
      ['before-0', 'before-1', 'before-2', 'before-3', 'before-4', 'after'],
    );
  });

  it('emits only the selected event names', async function () {
    const table = await createTable(ctx.client, { prefix: 'filter' });
    const { collector } = await deploy(table.arn, { eventNames: 'INSERT,REMOVE', dataFormat: 'document' });
    await table.put({ pk: { S: 'a' }, v: { N: '1' } });
    await table.update({ pk: { S: 'a' } }, 'v = :v', { ':v': { N: '2' } });
    await table.remove({ pk: { S: 'a' } });
    await table.put({ pk: { S: 'b' } });
    const messages = await collector.waitFor(3);
    assert.deepEqual(messages.map((m) => `${m.payload.eventName}:${m.payload.keys.pk}`), ['INSERT:a', 'REMOVE:a', 'INSERT:b']);
  });

  it('emits one message per GetRecords batch with output "batch"', async function () {
    const table = await createTable(ctx.client, { prefix: 'batch' });
    for (let i = 0; i < 7; i++) await table.put({ pk: { S: `item-${i}` } });
    const { collector } = await deploy(table.arn, { output: 'batch', batchSize: 5 });
    const [first, second] = await collector.waitFor(2);
    assert.equal(first.payload.length, 5);
    assert.equal(second.payload.length, 2);
    assert.equal(first.cloudevents.length, 5);
    assert.equal(first.topic, table.name);
    assert.deepEqual(
      [...first.payload, ...second.payload].map((p: { Dynamodb: { Keys: { pk: { S: string } } } }) => p.Dynamodb.Keys.pk.S),
      ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6'],
    );
  });

  it('accepts a stream ARN instead of a table ARN', async function () {
    const table = await createTable(ctx.client, { prefix: 'streamarn' });
    const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
    const described = await ctx.client.send(new DescribeTableCommand({ TableName: table.name }));
    const streamArn = described.Table?.LatestStreamArn as string;
    const { collector } = await deploy(streamArn);
    await table.put({ pk: { S: 'via-stream-arn' } });
    const [msg] = await collector.waitFor(1);
    assert.equal(msg.cloudevent.source, table.arn, 'the CloudEvent source is the table ARN even when a stream ARN is configured');
  });

  it('follows a stream that is disabled and re-enabled, without a redeploy', async function () {
    const table = await createTable(ctx.client, { prefix: 'reenable' });
    const { collector, calls } = await deploy(table.arn);
    await table.put({ pk: { S: 'old-stream' } });
    await collector.waitFor(1);
    await table.setStream(false);
    await eventually(() => calls.hasStatus((s) => s.fill === 'yellow' && /streamDisabled/.test(s.text ?? '')), 10_000, 'stream disabled status');
    await delay(1100); // stream labels have millisecond precision; keep the new one distinct
    await table.setStream(true, 'NEW_IMAGE');
    await table.put({ pk: { S: 'new-stream' } });
    const messages = await collector.waitFor(2);
    assert.deepEqual(messages.map((m) => m.payload.Dynamodb.Keys.pk.S), ['old-stream', 'new-stream']);
    assert.equal(messages[1].payload.Dynamodb.StreamViewType, 'NEW_IMAGE');
  });

  it('shows that a table has no stream, and starts reading once one is enabled', async function () {
    const table = await createTable(ctx.client, { prefix: 'nostream', stream: false });
    const { collector, calls } = await deploy(table.arn);
    await eventually(
      () => calls.hasStatus((s) => s.fill === 'yellow' && /waitingForStream/.test(s.text ?? '')),
      10_000,
      'waiting-for-stream status',
    );
    await table.setStream(true);
    await eventually(() => calls.hasStatus(isReading), 10_000, 'reading status');
    await table.put({ pk: { S: 'first' } });
    const [msg] = await collector.waitFor(1);
    assert.equal(msg.payload.Dynamodb.Keys.pk.S, 'first');
  });

  it('reports an invalid ARN in the status and the log', async function () {
    const { calls } = await deploy('arn:aws:s3:::my-bucket');
    await eventually(() => calls.errors.length > 0, 5_000, 'node.error');
    assert.match(calls.errors[0], /Invalid DynamoDB ARN/);
    assert.equal(calls.lastStatus?.fill, 'red');
    assert.match(calls.lastStatus?.text ?? '', /Invalid DynamoDB ARN/);
  });

  it('reports a table that does not exist', async function () {
    const { calls } = await deploy('arn:aws:dynamodb:ddblocal:000000000000:table/no-such-table');
    await eventually(() => calls.hasStatus((s) => s.fill === 'red' && /tableNotFound/.test(s.text ?? '')), 10_000, 'table not found');
    assert.ok(calls.errors.some((e) => /tableNotFound/.test(e)));
  });

  it('reports an endpoint nobody listens on, and keeps retrying without crashing', async function () {
    await helper.load(
      ourNodes,
      sourceFlow({ arn: 'arn:aws:dynamodb:ddblocal:000000000000:table/anything', endpoint: 'http://127.0.0.1:9' }),
      sourceCredentials,
    );
    const calls = new NodeCalls(helper.getNode('s1'));
    await eventually(() => calls.hasStatus((s) => s.fill === 'red' && /network/.test(s.text ?? '')), 10_000, 'network status');
    assert.ok(calls.errors.some((e) => /DescribeTable failed/.test(e) && /ECONNREFUSED/.test(e)));
  });

  it('never puts the secret key or session token in a message, a status or a log line', async function () {
    const secret = 'node-test-secret-that-must-not-leak';
    const token = 'node-test-session-token-that-must-not-leak';
    const table = await createTable(ctx.client, { prefix: 'secret' });
    const credentials = { c1: { accessKeyId: sourceCredentials.c1.accessKeyId, secretAccessKey: secret, sessionToken: token } };
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint }), credentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    const calls = new NodeCalls(helper.getNode('s1'));
    await table.put({ pk: { S: 'a' } });
    await collector.waitFor(1);
    await helper.unload();
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: 'http://127.0.0.1:9' }), credentials);
    const failing = new NodeCalls(helper.getNode('s1'));
    await eventually(() => failing.errors.length > 0, 10_000, 'an error to be logged');
    const everything = JSON.stringify({
      messages: collector.messages,
      statuses: [...calls.statuses, ...failing.statuses],
      errors: [...calls.errors, ...failing.errors],
      log: helper.log().args,
    });
    assert.ok(everything.includes('ECONNREFUSED'), 'the captured output holds the logged failure');
    assert.ok(!everything.includes(secret), 'secret key absent');
    assert.ok(!everything.includes(token), 'session token absent');
  });

  it('expands ${ENV} references inside the ARN and the endpoint', async function () {
    const table = await createTable(ctx.client, { prefix: 'envref' });
    process.env.DDBSTREAM_TEST_TABLE = table.name;
    process.env.DDBSTREAM_TEST_PORT = new URL(ctx.endpoint).port;
    try {
      const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/${DDBSTREAM_TEST_TABLE}';
      await helper.load(
        ourNodes,
        sourceFlow({ arn, endpoint: 'http://127.0.0.1:${DDBSTREAM_TEST_PORT}' }),
        sourceCredentials,
      );
      const viaEnv = new MessageCollector(helper.getNode('h1'));
      await table.put({ pk: { S: 'env' } });
      const [msg] = await viaEnv.waitFor(1);
      assert.equal(msg.cloudevent.source, table.arn);
    } finally {
      delete process.env.DDBSTREAM_TEST_TABLE;
      delete process.env.DDBSTREAM_TEST_PORT;
    }
  });
});
