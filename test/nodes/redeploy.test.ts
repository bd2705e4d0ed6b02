import assert from 'node:assert/strict';
import { createTable } from '../support/dynamodb';
import { helper, useNodeRedWithDynamoDbLocal, ourNodes, sourceCredentials, sourceFlow } from '../support/node-red';
import { MessageCollector, delay, eventually } from '../support/collect';
import { NodeCalls } from '../support/node-events';

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

describe('source node: redeploying', function () {
  const ctx = useNodeRedWithDynamoDbLocal();

  it('redeployed 20 times mid-stream leaks no timers or sockets and leaves exactly one poller', async function () {
    this.timeout(120_000);
    const table = await createTable(ctx.client, { prefix: 'redeploy' });
    const flow = sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: { startingPosition: 'LATEST' } });
    await helper.load(ourNodes, flow, sourceCredentials);
    await eventually(() => helper.getNode('s1') && new NodeCalls(helper.getNode('s1')), 1000);
    await delay(500);
    const before = activeResources();

    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing && written < 2000) {
        await table.put({ pk: { S: `bg-${written}` } });
        written += 1;
        await delay(10);
      }
    })();
    for (let deploy = 0; deploy < 20; deploy++) {
      await helper.setFlows(flow, 'full', sourceCredentials);
      await delay(50 + (deploy % 4) * 40);
    }
    writing = false;
    await writer;
    assert.ok(written > 20, 'the writer kept writing during the redeploys');

    const collector = new MessageCollector(helper.getNode('h1'));
    const calls = new NodeCalls(helper.getNode('s1'));
    await eventually(() => calls.hasStatus((s) => s.fill === 'green'), 10_000, 'reading after the last deploy');
    await delay(1000);
    collector.messages.length = 0;
    for (let i = 0; i < 10; i++) await table.put({ pk: { S: `final-${i}` } });
    const messages = await collector.waitFor(10);
    await delay(500);
    assert.deepEqual(
      collector.messages.map((m) => m.payload.Dynamodb.Keys.pk.S),
      messages.map((_, i) => `final-${i}`),
      'each record once, in order: one poller',
    );

    const after = activeResources();
    for (const type of ['Timeout', 'TCPSocketWrap']) {
      assert.ok(
        (after[type] ?? 0) <= (before[type] ?? 0) + 4,
        `${type}: ${before[type] ?? 0} before the redeploys, ${after[type] ?? 0} after`,
      );
    }
  });

  it('closes promptly and releases its sockets when the flow is stopped', async function () {
    const table = await createTable(ctx.client, { prefix: 'close' });
    const baseline = activeResources().TCPSocketWrap ?? 0;
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint }), sourceCredentials);
    const calls = new NodeCalls(helper.getNode('s1'));
    await eventually(() => calls.hasStatus((s) => s.fill === 'green'), 10_000, 'reading');
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 5_000, 'close completed without waiting for a poll timeout');
    await eventually(() => (activeResources().TCPSocketWrap ?? 0) <= baseline, 5_000, 'sockets closed');
  });
});
