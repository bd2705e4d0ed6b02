import assert from 'node:assert/strict';
import type { GetShardIteratorCommandInput } from '@aws-sdk/client-dynamodb-streams';
import type { OutgoingMessage } from '../../nodes/lib/message-builder';
import { delay, eventually } from '../support/collect';
import { MemoryKeyValue, keyOfMessage, startPipeline, type Pipeline } from '../support/engine-pipeline';
import { FakeAws, keysOf } from '../support/mock-stream';

const HOUR_MS = 3_600_000;

describe('engine: at-least-once across shard ends, replaced streams and restarts (mocked DynamoDB Streams)', function () {
  this.timeout(15_000);
  let fake: FakeAws;
  let pipelines: Pipeline[];

  beforeEach(() => {
    fake = new FakeAws();
    pipelines = [];
  });

  afterEach(async () => {
    await Promise.all(pipelines.map((p) => p.stop()));
    fake.restore();
  });

  async function run(...args: Parameters<typeof startPipeline>): Promise<Pipeline> {
    const pipeline = await startPipeline(...args);
    pipelines.push(pipeline);
    return pipeline;
  }

  async function stop(pipeline: Pipeline): Promise<void> {
    pipelines = pipelines.filter((p) => p !== pipeline);
    await pipeline.stop();
  }

  it('with maxInFlight 1 and a slow acknowledging sink, emits no child record before the parent’s last record was acknowledged (mocked: shard split)', async () => {
    const stream = fake.createStream();
    const parent = stream.addShard({ records: 3 });
    const children = stream.split(parent, 2, 2);
    const timeline: string[] = [];
    const pipeline = await run(fake, stream.arn, {
      ackMode: 'manual',
      maxInFlight: 1,
      onMessage: (message, p) => {
        timeline.push(`sent ${keyOfMessage(message)}`);
        setTimeout(() => {
          timeline.push(`acked ${keyOfMessage(message)}`);
          p.ack(message);
        }, 30);
      },
    });
    await eventually(() => timeline.filter((t) => t.startsWith('acked')).length === 7, 5_000, 'all 7 records acknowledged');
    const lastParentAck = timeline.indexOf(`acked ${parent}/2`);
    for (const child of children) {
      const firstChildSend = timeline.indexOf(`sent ${child}/0`);
      assert.ok(firstChildSend > lastParentAck, `${child} starts after the parent's last ack:\n${timeline.join('\n')}`);
    }
    assert.equal(pipeline.sent.length, 7, 'each record sent once');
  });

  it('keeps a replaced stream’s unacknowledged tail, so a restart reads it again before the new stream (mocked: stream replaced)', async () => {
    fake.createTable('orders');
    const old = fake.createStream('orders');
    const oldShard = old.addShard({ records: 4 });
    const store = new MemoryKeyValue();
    const first = await run(fake, old.arn.split('/stream/')[0], {
      ackMode: 'manual',
      store,
      onMessage: (message, p) => {
        if (['/0', '/1'].some((suffix) => keyOfMessage(message).endsWith(suffix))) p.ack(message);
      },
    });
    await eventually(() => first.sent.length === 4, 3_000, 'the old stream’s 4 records');
    fake.disableStream('orders');
    const replacement = fake.createStream('orders');
    const newShard = replacement.addShard({ records: 1 });
    await delay(400);
    assert.deepEqual(first.sent.map(keyOfMessage), keysOf(old.records(oldShard)), 'nothing of the new stream while the old tail is unacknowledged');
    await stop(first);

    const second = await run(fake, old.arn.split('/stream/')[0], { ackMode: 'manual', store, onMessage: (message, p) => p.ack(message) });
    await eventually(() => second.sent.length >= 3, 3_000, 'the old tail and the new stream');
    await delay(200);
    assert.deepEqual(second.sent.map(keyOfMessage), [`${oldShard}/2`, `${oldShard}/3`, `${newShard}/0`]);
  });

  for (const ackMode of ['auto', 'manual'] as const) {
    it(`${ackMode} mode: a restart resumes LATEST shards that saw no writes where they began, neither replaying older records nor losing new ones (mocked: three shards)`, async () => {
      const stream = fake.createStream();
      const shards = [stream.addShard(), stream.addShard(), stream.addShard()];
      for (const shardId of shards) {
        for (const record of stream.put(shardId, 3)) record.dynamodb!.ApproximateCreationDateTime = new Date(Date.now() - HOUR_MS);
      }
      const store = new MemoryKeyValue();
      const acknowledgeAll = (message: OutgoingMessage, p: Pipeline): void => p.ack(message);
      const first = await run(fake, stream.arn, { ackMode, startingPosition: 'LATEST', store, onMessage: acknowledgeAll });
      await eventually(() => shards.every((s) => fake.callCount('GetRecords', s) > 0), 3_000, 'all three shards polled');
      const written = keysOf(stream.put(shards[0], 2));
      await eventually(() => first.sent.length === 2, 3_000, 'the two new records');
      await delay(100);
      await stop(first);

      const second = await run(fake, stream.arn, { ackMode, startingPosition: 'LATEST', store, onMessage: acknowledgeAll });
      await eventually(() => shards.every((s) => fake.callCount('GetRecords', s) > 4), 3_000, 'all three shards polled again');
      const writtenAfterRestart = shards.flatMap((s) => keysOf(stream.put(s, 1)));
      await eventually(() => second.sent.length >= 3, 3_000, 'the three new records');
      await delay(100);
      assert.deepEqual(first.sent.map(keyOfMessage), written);
      assert.deepEqual(second.sent.map(keyOfMessage).sort(), writtenAfterRestart.sort(), 'only what was written after the first start');
    });
  }

  it('a record whose delivery keeps failing is retried with growing waits without rediscovering the stream, and is named (mocked)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 1 });
    const [poison] = stream.records(shard);
    let failures = 0;
    const pipeline = await run(fake, stream.arn, {
      ackMode: 'auto',
      batchSize: 1,
      timing: { discoveryIntervalMs: 60_000, retryBaseMs: 5, retryMaxMs: 40 },
      onMessage: () => {
        failures += 1;
        throw new Error('mapping failed');
      },
    });
    await eventually(() => failures >= 6, 5_000, 'six attempts');
    const problems = pipeline.events.flatMap((e) => (e.type === 'problem' && e.operation === 'deliver' ? [e] : []));
    assert.ok(fake.callCount('DescribeStream') <= 2, `no rediscovery per attempt (${fake.callCount('DescribeStream')} DescribeStream calls for ${failures} attempts)`);
    const waits = problems.map((p) => p.retryInMs);
    assert.ok(waits.at(-1)! > waits[0], `the waits grow: ${waits.join(', ')}`);
    assert.match(String((problems[0].error as Error).message), new RegExp(poison.dynamodb!.SequenceNumber!), 'the failing record is named');
  });

  it('a shard waiting to retry a failed record is not restarted sooner by a discovery pass (mocked)', async () => {
    const stream = fake.createStream();
    stream.addShard({ records: 1 });
    let attempts = 0;
    await run(fake, stream.arn, {
      ackMode: 'auto',
      timing: { discoveryIntervalMs: 5, retryBaseMs: 200, retryMaxMs: 800 },
      onMessage: () => {
        attempts += 1;
        throw new Error('mapping failed');
      },
    });
    await delay(700);
    // Waits of at least 200 ms between attempts allow 4 in 700 ms; a restart at each 5 ms discovery pass would make ~100.
    assert.ok(attempts >= 1 && attempts <= 4, `${attempts} attempts in 700 ms`);
  });

  it('a TrimmedDataAccessException that persists is retried with growing waits and reported once (mocked: trimmed)', async () => {
    const stream = fake.createStream();
    const shard = stream.addShard({ records: 2 });
    fake.failNext('GetRecords', 'TrimmedDataAccessException', { times: 8, shardId: shard });
    const pipeline = await run(fake, stream.arn, { ackMode: 'auto', timing: { retryBaseMs: 5, retryMaxMs: 40 } });
    await eventually(() => pipeline.sent.length === 2, 5_000, 'the records once the trim error stops');
    const trimmed = pipeline.events.filter((e) => e.type === 'trimmed');
    assert.equal(trimmed.length, 1, 'reported once');
    const iteratorCalls = fake.callsOf('GetShardIterator').map((c) => (c.input as GetShardIteratorCommandInput).ShardIteratorType);
    assert.equal(iteratorCalls.filter((t) => t === 'TRIM_HORIZON').length, iteratorCalls.length, 'starts over at TRIM_HORIZON');
    const waits = pipeline.events.flatMap((e) => (e.type === 'problem' && e.kind === 'trimmed' ? [e.retryInMs] : []));
    assert.ok(waits.length >= 6 && waits.at(-1)! > waits[0], `backs off: ${waits.join(', ')}`);
  });
});
