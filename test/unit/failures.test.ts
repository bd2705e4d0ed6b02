import assert from 'node:assert/strict';
import type { OutgoingMessage } from '../../nodes/lib/message-builder';
import { ACK_PROPERTY } from '../../nodes/lib/delivery/record-delivery';
import { resolveSourceOptions } from '../../nodes/lib/source-options';
import { checkpointed, delivery, keyedRecord, record, seq, tokenBack, tokenOf } from '../support/delivery-harness';
import { seededRandom } from '../support/seeded-random';

const FAST_RETRIES = { redeliveryBaseMs: 1, redeliveryMaxMs: 2 };
const settleTimers = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 15));

/** The message as a catch node sends it back: the same msg with `msg.error`. */
const failedBack = (msg: OutgoingMessage, error: unknown = { message: 'sink refused it' }): OutgoingMessage => ({ ...tokenBack(msg), error });
const seqOfMessage = (msg: OutgoingMessage): string => (msg.dynamodbStream as { sequenceNumber: string }).sequenceNumber;
const batchSeqs = (msg: OutgoingMessage): string[] => (msg.payload as Array<{ dynamodb: { SequenceNumber: string } }>).map((r) => r.dynamodb.SequenceNumber);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(condition(), what);
}

describe('failures: negative acknowledgements, retries and the failed output', function () {
  it('sends a negatively acknowledged message again after a backoff, as a new attempt', async function () {
    const { subject, sent, checkpoints, page } = delivery(FAST_RETRIES);
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    assert.equal(subject.acknowledge(failedBack(sent[0])), 'failed');
    assert.equal(sent.length, 1, 'not at once');
    await settleTimers();
    assert.equal(sent.length, 2);
    assert.equal(tokenOf(sent[1]).attempt, 2);
    assert.equal(checkpointed(checkpoints), undefined, 'a failure moves no checkpoint');
    assert.equal(subject.acknowledge(tokenBack(sent[1])), 'acknowledged');
    assert.equal(checkpointed(checkpoints), seq(1));
  });

  it('with maxRetries 2, attempts a failing record 3 times, then sends it once on the failed output with error, attempts and dynamodbStream, and checkpoints past it', async function () {
    const { subject, sent, failed, checkpoints, page } = delivery({ ...FAST_RETRIES, maxRetries: 2, maxInFlight: 10 });
    await checkpoints.load();
    await subject.deliver(page([record(1), record(2), record(3)]));
    const poison = seq(2);
    for (let i = 0; i < 10; i++) {
      for (const msg of sent.splice(0)) {
        subject.acknowledge(seqOfMessage(msg) === poison ? failedBack(msg, { message: `attempt ${tokenOf(msg).attempt} failed` }) : tokenBack(msg));
      }
      await settleTimers();
    }
    assert.equal(failed.length, 1);
    assert.equal(failed[0].attempts, 3);
    assert.deepEqual(failed[0].error, { message: 'attempt 3 failed' }, 'the last error');
    assert.equal((failed[0].dynamodbStream as { sequenceNumber: string }).sequenceNumber, poison);
    assert.equal((failed[0].payload as { eventID: string }).eventID, 'id-2', 'the record as it was sent');
    assert.equal(failed[0][ACK_PROPERTY], undefined, 'nothing to acknowledge on the failed output');
    assert.equal(checkpointed(checkpoints), seq(3), 'past the given-up record');
  });

  it('retries for ever by default (maxRetries -1)', async function () {
    const { subject, sent, failed, checkpoints, page } = delivery(FAST_RETRIES);
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    let attempts = 0;
    for (let i = 0; i < 20; i++) {
      await until(() => sent.length > 0, 'a re-send');
      attempts += 1;
      subject.acknowledge(failedBack(sent.shift() as OutgoingMessage));
    }
    assert.equal(attempts, 20);
    assert.equal(failed.length, 0);
  });

  it('counts an ackTimeout expiry as a failed attempt towards maxRetries', async function () {
    let now = 0;
    const { subject, sent, failed, checkpoints, page } = delivery({ ...FAST_RETRIES, maxRetries: 1, ackTimeoutMs: 100, now: () => now });
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    now = 100;
    assert.equal(subject.failOverdue(), 1);
    await settleTimers();
    assert.equal(sent.length, 2);
    now = 200;
    assert.equal(subject.failOverdue(), 1);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].attempts, 2);
    assert.match(String((failed[0].error as { message: string }).message), /ackTimeout/);
    assert.equal(checkpointed(checkpoints), seq(1));
  });

  it('does not count a failure of an earlier attempt again once the message was sent anew', async function () {
    const { subject, sent, checkpoints, page } = delivery(FAST_RETRIES);
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    assert.equal(subject.acknowledge(failedBack(sent[0])), 'failed');
    await settleTimers();
    assert.equal(subject.acknowledge(failedBack(sent[0])), 'superseded', 'the first attempt reported twice');
    await settleTimers();
    assert.equal(sent.length, 2, 'no third attempt');
  });

  it('ignores negative acknowledgements of an earlier instance of the node, like positive ones', async function () {
    const earlier = delivery(FAST_RETRIES);
    await earlier.subject.deliver(earlier.page([record(1)]));
    const later = delivery(FAST_RETRIES);
    await later.checkpoints.load();
    await later.subject.deliver(later.page([record(1)]));
    assert.equal(later.subject.acknowledge(failedBack(earlier.sent[0])), 'stale');
    await settleTimers();
    assert.equal(later.sent.length, 1, 'nothing sent again');
    assert.equal(later.subject.acknowledge(tokenBack(later.sent[0])), 'acknowledged');
    assert.equal(checkpointed(later.checkpoints), seq(1));
  });
});

describe('failures: batches (batchItemFailures, bisectOnError)', function () {
  const tenRecords = Array.from({ length: 10 }, (_, i) => record(i + 1));

  it('acknowledges a batch up to the first record named in msg.batchItemFailures and sends the rest again', async function () {
    const { subject, sent, checkpoints, page } = delivery({ ...FAST_RETRIES, output: 'batch' });
    await checkpoints.load();
    await subject.deliver(page(tenRecords));
    const third = batchSeqs(sent[0])[2];
    assert.equal(subject.acknowledge({ ...tokenBack(sent[0]), batchItemFailures: [{ itemIdentifier: third }] }), 'failed');
    assert.equal(checkpointed(checkpoints), seq(2), 'records 1-2 checkpointed');
    await settleTimers();
    assert.equal(sent.length, 2);
    assert.deepEqual(batchSeqs(sent[1]), tenRecords.slice(2).map((r) => r.dynamodb?.SequenceNumber), 'records 3-10 sent again');
    assert.equal(subject.acknowledge({ ...tokenBack(sent[1]), batchItemFailures: [] }), 'acknowledged', 'an empty list: all succeeded');
    assert.equal(checkpointed(checkpoints), seq(10));
  });

  it('treats batchItemFailures naming no record of the batch as a failure of the whole batch', async function () {
    const { subject, sent, checkpoints, page } = delivery({ ...FAST_RETRIES, output: 'batch' });
    await checkpoints.load();
    await subject.deliver(page(tenRecords));
    assert.equal(subject.acknowledge({ ...tokenBack(sent[0]), batchItemFailures: [{ itemIdentifier: seq(99) }] }), 'failed');
    await settleTimers();
    assert.deepEqual(batchSeqs(sent[1]), batchSeqs(sent[0]));
    assert.equal(checkpointed(checkpoints), undefined);
  });

  it('with bisectOnError, narrows a failing batch of 16 down to its one bad record, which then follows maxRetries', async function () {
    const records = Array.from({ length: 16 }, (_, i) => record(i + 1));
    const { subject, sent, failed, checkpoints, page } = delivery({ ...FAST_RETRIES, output: 'batch', bisectOnError: true, maxRetries: 1 });
    await checkpoints.load();
    await subject.deliver(page(records));
    const bad = seq(11);
    const batchSizes: number[] = [];
    for (let i = 0; i < 30 && failed.length === 0; i++) {
      for (const msg of sent.splice(0)) {
        batchSizes.push(batchSeqs(msg).length);
        subject.acknowledge(batchSeqs(msg).includes(bad) ? failedBack(msg) : tokenBack(msg));
      }
      await settleTimers();
    }
    assert.equal(failed.length, 1);
    assert.deepEqual(batchSeqs(failed[0]), [bad], 'only the bad record is given up');
    assert.equal(failed[0].attempts, 2, 'as a single record: first attempt and one retry');
    assert.deepEqual(batchSizes, [16, 8, 8, 4, 4, 2, 2, 1, 1, 1], 'halves down to one record, which is then retried once');
    assert.equal(checkpointed(checkpoints), seq(16));
  });
});

describe('failures: ordering key', function () {
  it('keeps every key in order at a concurrent sink with random latency, with many messages outstanding at once', async function () {
    const random = seededRandom(7);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const records = Array.from({ length: 160 }, (_, i) => keyedRecord(i + 1, keys[Math.floor(random() * keys.length)]));
    const atSink = new Map<string, string[]>();
    let outstanding = 0;
    let mostOutstanding = 0;
    const harness = delivery({
      ordering: 'key',
      maxInFlight: 20,
      send: (msg) => {
        outstanding += 1;
        mostOutstanding = Math.max(mostOutstanding, outstanding);
        const record = (msg.payload as { dynamodb: { Keys: { pk: { S: string } }; SequenceNumber: string } }).dynamodb;
        setTimeout(() => {
          const seen = atSink.get(record.Keys.pk.S) ?? [];
          seen.push(record.SequenceNumber);
          atSink.set(record.Keys.pk.S, seen);
          outstanding -= 1;
          harness.subject.acknowledge(tokenBack(msg));
        }, random() * 5);
      },
    });
    await harness.checkpoints.load();
    for (let i = 0; i < records.length; i += 40) await harness.subject.deliver(harness.page(records.slice(i, i + 40)));
    await until(() => checkpointed(harness.checkpoints) === seq(160), 'all acknowledged');
    for (const key of keys) {
      const expected = records.filter((r) => r.dynamodb?.Keys?.pk.S === key).map((r) => r.dynamodb?.SequenceNumber);
      assert.deepEqual(atSink.get(key) ?? [], expected, `key ${key} in order, each once`);
    }
    assert.ok(mostOutstanding > 1, `more than one outstanding at a time (${mostOutstanding})`);
  });

  it('holds at most one outstanding message per key; a later record of a waiting key counts toward maxInFlight', async function () {
    const { subject, sent, checkpoints, page, positions } = delivery({ ordering: 'key', maxInFlight: 3 });
    await checkpoints.load();
    const delivering = subject.deliver(page([keyedRecord(1, 'a'), keyedRecord(2, 'a'), keyedRecord(3, 'b'), keyedRecord(4, 'c')]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent.map(seqOfMessage), [seq(1), seq(3)], 'a#2 waits for a#1; c waits for room');
    assert.equal([...positions.all()][0].outstanding, 3);
    subject.acknowledge(tokenBack(sent[0]));
    await delivering;
    assert.deepEqual(sent.map(seqOfMessage), [seq(1), seq(3), seq(2), seq(4)]);
  });

  it('lets other keys flow while one key is retried; only its own key waits', async function () {
    const { subject, sent, checkpoints, page } = delivery({ ordering: 'key', maxInFlight: 10, redeliveryBaseMs: 30, redeliveryMaxMs: 30 });
    await checkpoints.load();
    await subject.deliver(page([keyedRecord(1, 'a'), keyedRecord(2, 'b'), keyedRecord(3, 'a'), keyedRecord(4, 'b')]));
    subject.acknowledge(failedBack(sent[0]));
    subject.acknowledge(tokenBack(sent[1]));
    assert.deepEqual(sent.map(seqOfMessage), [seq(1), seq(2), seq(4)], 'b#4 went; a#3 waits behind the failed a#1');
    await until(() => sent.length === 4, 'a#1 re-sent');
    assert.equal(seqOfMessage(sent[3]), seq(1));
    subject.acknowledge(tokenBack(sent[3]));
    assert.equal(seqOfMessage(sent[4]), seq(3));
  });
});

describe('failures: options', function () {
  it('validates maxRetries, bisectOnError and ordering', function () {
    assert.deepEqual(
      (({ maxRetries, bisectOnError, ordering }) => ({ maxRetries, bisectOnError, ordering }))(resolveSourceOptions({})),
      { maxRetries: -1, bisectOnError: false, ordering: 'emit' },
    );
    assert.equal(resolveSourceOptions({ maxRetries: '3' }).maxRetries, 3);
    assert.throws(() => resolveSourceOptions({ maxRetries: -2 }), /maxRetries must be a whole number from -1/);
    assert.throws(() => resolveSourceOptions({ bisectOnError: 'yes' }), /bisectOnError must be true or false/);
    assert.throws(() => resolveSourceOptions({ ordering: 'shard' }), /ordering must be one of emit, key/);
    assert.throws(() => resolveSourceOptions({ ackMode: 'manual', ordering: 'key', output: 'batch' }), /ordering "key" needs output "record"/);
  });
});
