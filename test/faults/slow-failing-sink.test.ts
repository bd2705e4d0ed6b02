/**
 * Fault matrix: manual acknowledgement with a sink that is slow (5–10 ms a message, many at once,
 * as an HTTP sink is) and fails 20 % of the messages it gets. A failed message is not acknowledged;
 * `ackTimeout` counts it as failed and the node sends it again after a short backoff. Runs in-process with the test helper, so the heap
 * measured is the one the node lives in (after a full GC; the helper's spies, which keep every sent
 * message, are emptied before each sample).
 *
 * The checkpoint moves over the acknowledged prefix only, and an unacknowledged message is sent
 * again after ackTimeout (whole seconds, checked once a second) and its backoff; acknowledged
 * messages behind it free their room at once (the window holds up to ten times maxInFlight in all),
 * so the other messages keep flowing while a failed one waits. A window of 400 is still a small part
 * of the 3000 records the node must hold back.
 */
import assert from 'node:assert/strict';
import { compareSequenceNumbers } from '../../nodes/lib/sequence-number';
import { delay, eventually, type Msg } from '../support/collect';
import { assertDelivery, itemId, reconcileAndPrint, type Delivery } from '../support/delivery-ledger';
import { createTable } from '../support/dynamodb';
import { forgetTestHelperCallHistory, itemOfPayload } from '../support/fault-scenario';
import { HeapSampler, growsMonotonically, mb } from '../support/heap-sampler';
import { helper, ourNodes, sourceCredentials, sourceFlow, useNodeRedWithDynamoDbLocal } from '../support/node-red';
import { NodeCalls } from '../support/node-events';
import { NumberedWriter } from '../support/numbered-writer';
import { seededRandom } from '../support/seeded-random';

const RECORDS = 3_000;
const MAX_IN_FLIGHT = 400;
const FAILURE_RATE = 0.2;
const PADDING_BYTES = 4_096;
const MB = 1024 * 1024;

describe('fault matrix: manual acknowledgement with a slow sink that fails 20 % of the time', function () {
  this.timeout(180_000);
  const ctx = useNodeRedWithDynamoDbLocal();
  let writer: NumberedWriter | undefined;
  let sampler: HeapSampler | undefined;

  after(async function () {
    sampler?.stop();
    await writer?.close();
  });

  it('re-sends what the sink failed until it is acknowledged, loses nothing, and holds at most maxInFlight messages', async function () {
    const table = await createTable(ctx.client, { prefix: 'slowsink' });
    writer = new NumberedWriter({ endpoint: ctx.endpoint, tableName: table.name, paddingBytes: PADDING_BYTES });
    await writer.writeMany(RECORDS);
    assert.equal(writer.written.length, RECORDS, 'all items written');

    sampler = new HeapSampler();
    forgetTestHelperCallHistory(helper);
    const baseline = sampler.sample().heapUsed;
    const flow = sourceFlow({
      arn: table.arn,
      endpoint: ctx.endpoint,
      source: {
        startingPosition: 'TRIM_HORIZON',
        ackMode: 'manual',
        batchSize: 100,
        maxInFlight: MAX_IN_FLIGHT,
        ackTimeout: 1,
        checkpointStore: 'default',
      },
    });
    await helper.load(ourNodes, flow, sourceCredentials);
    const source = helper.getNode('s1');
    const calls = new NodeCalls(source);
    const random = seededRandom(7);
    const deliveries: Delivery[] = [];
    const unacknowledged = new Set<string>();
    const acknowledged = new Set<string>();
    let maxUnacknowledged = 0;
    let failures = 0;
    /** Deliveries whose ack token names a later attempt: re-sends after a failure. */
    let resent = 0;
    let lastSequenceNumber = '0';
    const timers = new Set<NodeJS.Timeout>();

    helper.getNode('h1').on('input', (msg: Msg) => {
      const item = itemOfPayload(msg.payload);
      const id = itemId(item);
      deliveries.push(item);
      if ((msg._dynamodbStreamAck as { attempt: number }).attempt > 1) resent += 1;
      if (!acknowledged.has(id)) unacknowledged.add(id);
      maxUnacknowledged = Math.max(maxUnacknowledged, unacknowledged.size);
      const sequenceNumber = msg.payload.Dynamodb.SequenceNumber as string;
      if (compareSequenceNumbers(sequenceNumber, lastSequenceNumber) > 0) lastSequenceNumber = sequenceNumber;
      const fails = random() < FAILURE_RATE;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (fails) {
            failures += 1;
            return;
          }
          unacknowledged.delete(id);
          acknowledged.add(id);
          source.receive(msg);
        },
        5 + Math.floor(random() * 6),
      );
      timers.add(timer);
    });

    // The test helper's spies keep every sent message; drop that history before each sample.
    sampler.beforeSample = () => forgetTestHelperCallHistory(helper);
    sampler.start(500);
    const startedAt = Date.now();
    const complete = await eventually(() => acknowledged.size >= RECORDS, 150_000, `all ${RECORDS} acknowledged`).then(
      () => true,
      () => false,
    );
    const seconds = (Date.now() - startedAt) / 1000;
    sampler.stop();
    await delay(1_500); // one more re-send check: nothing is outstanding, so nothing more may come
    for (const timer of timers) clearTimeout(timer);
    const end = sampler.sample().heapUsed;

    assert.ok(calls.warnings.some((w) => /ackTimedOut|not acknowledged within/.test(w)), 'timed-out messages are reported');
    const checkpoint = await eventually(() => {
      const stored = source.context().get('dynamodbStreamCheckpoints') as { streams?: Record<string, Record<string, string>> } | undefined;
      const shards = Object.values(stored?.streams ?? {})[0];
      const value = shards ? Object.values(shards)[0] : undefined;
      return value === lastSequenceNumber ? value : undefined;
    }, 5_000, 'the checkpoint at the last record').catch(() => undefined);

    const secondHalf = sampler.secondHalf();
    const peakGrowth = sampler.peak - baseline;
    const secondHalfGrowth = secondHalf.length > 1 ? secondHalf[secondHalf.length - 1].heapUsed - secondHalf[0].heapUsed : 0;
    const report = reconcileAndPrint('manual ack, slow sink failing 20 %', { written: writer.written, delivered: deliveries }, [
      `${failures} sink failures, ${resent} re-sent, at most ${maxUnacknowledged} unacknowledged (maxInFlight ${MAX_IN_FLIGHT}), ${seconds.toFixed(1)} s`,
    ]);
    console.log(
      `        heap${sampler.gc ? ' after GC' : ' (no GC available)'}: baseline ${mb(baseline)}, peak ${mb(sampler.peak)} (+${mb(peakGrowth)}), ` +
        `end ${mb(end)} (${end >= baseline ? '+' : ''}${mb(end - baseline)}), second half ${mb(secondHalf[0]?.heapUsed ?? 0)} → ` +
        `${mb(secondHalf[secondHalf.length - 1]?.heapUsed ?? 0)} over ${secondHalf.length} samples`,
    );
    console.log(`        heap samples (MB): ${sampler.samples.map((s) => (s.heapUsed / MB).toFixed(0)).join(' ')}`);

    assert.ok(complete, 'every record acknowledged in time');
    assert.ok(failures > 0, 'the sink failed messages');
    assertDelivery(report, { duplicates: 'allowed' });
    assert.equal(report.duplicates, resent, 'every duplicate is a re-send after ackTimeout (a later attempt in its token), none a replay');
    assert.ok(resent >= failures, `each failed message was sent again (${resent} re-sent, ${failures} failures)`);
    assert.ok(maxUnacknowledged <= MAX_IN_FLIGHT, `at most maxInFlight messages unacknowledged (saw ${maxUnacknowledged})`);
    assert.equal(checkpoint, lastSequenceNumber, 'checkpoint at the last record once everything is acknowledged');
    assert.ok(!growsMonotonically(secondHalf), 'heap does not keep growing through the second half');
    if (sampler.gc) {
      // Measured here: all 3000 records in flight at once (maxInFlight above 3000) add about 30 MB;
      // a window of 400 adds about 5 MB.
      assert.ok(peakGrowth < 16 * MB, `peak heap growth ${mb(peakGrowth)}`);
      assert.ok(secondHalfGrowth < 8 * MB, `second-half heap growth ${mb(secondHalfGrowth)}`);
    } else {
      assert.ok(peakGrowth < 100 * MB, `peak heap growth ${mb(peakGrowth)}`);
    }
  });
});
