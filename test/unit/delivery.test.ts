import assert from 'node:assert/strict';
import { CheckpointStore, type KeyValueStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import { ACK_PROPERTY } from '../../nodes/lib/delivery/record-delivery';
import { FailurePolicy, REDELIVERY_BASE_MS, REDELIVERY_MAX_MS } from '../../nodes/lib/delivery/failure-policy';
import { AckWindow } from '../../nodes/lib/position/ack-window';
import { MessageBuilder } from '../../nodes/lib/message-builder';
import type { EventName } from '../../nodes/lib/source-options';
import { MemoryKeyValue, STREAM, checkpointed, delivery, record, seq, tokenBack, tokenOf } from '../support/delivery-harness';

/** A delivery joins the window and is sent at once. */
function sendOn(window: AckWindow<never>, sequenceNumber: string): void {
  window.markSent(window.add(sequenceNumber), 0);
}

describe('delivery: the acknowledgement window of a shard', function () {
  it('moves the checkpoint only over the acknowledged prefix', function () {
    const window = new AckWindow<never>(10);
    sendOn(window, '1');
    sendOn(window, '2');
    sendOn(window, '3');
    assert.deepEqual(window.ack('2'), { known: true, checkpoint: undefined });
    assert.deepEqual(window.ack('3'), { known: true, checkpoint: undefined });
    assert.deepEqual(window.ack('1'), { known: true, checkpoint: '3' });
    assert.equal(window.size, 0);
  });

  it('makes reserve() wait while the window is full and wakes it on an acknowledgement', async function () {
    const window = new AckWindow<never>(1);
    sendOn(window, '1');
    let reserved = false;
    const waiting = window.reserve().then(() => (reserved = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reserved, false);
    window.ack('1');
    await waiting;
    assert.equal(reserved, true);
  });

  it('counts only unacknowledged deliveries toward its capacity: acknowledged ones behind one that waits let more pass, up to ten times the capacity held in all', async function () {
    const window = new AckWindow<never>(2);
    sendOn(window, '1');
    sendOn(window, '2');
    assert.equal(window.full, true, 'two unacknowledged');
    window.ack('2');
    assert.deepEqual([window.unsettledCount, window.size], [1, 2], 'one unacknowledged, two held');
    for (let n = 3; n <= 20; n += 1) {
      assert.equal(window.full, false, `room for ${n} while 1 waits`);
      sendOn(window, String(n));
      window.ack(String(n));
    }
    assert.equal(window.size, 20);
    assert.equal(window.full, true, 'ten times the capacity held: the reader waits for the head');
    const waiting = window.reserve();
    assert.deepEqual(window.ack('1'), { known: true, checkpoint: '20' });
    await waiting;
    assert.equal(window.full, false);
  });

  it('wakes a waiting reader when a delivery is acknowledged even if the checkpoint cannot move', async function () {
    const window = new AckWindow<never>(2);
    sendOn(window, '1');
    sendOn(window, '2');
    let reserved = false;
    const waiting = window.reserve().then(() => (reserved = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reserved, false);
    assert.deepEqual(window.ack('2'), { known: true, checkpoint: undefined });
    await waiting;
    assert.equal(reserved, true);
  });

  it('releases waiting readers when closed', async function () {
    const window = new AckWindow<never>(1);
    sendOn(window, '1');
    const waiting = window.reserve();
    window.close();
    await waiting;
  });

  it('folds records that need no acknowledgement into the checkpoint once everything before them is acknowledged', function () {
    const window = new AckWindow<never>(10);
    assert.equal(window.addAcknowledged('1'), '1', 'nothing outstanding: checkpoint at once');
    sendOn(window, '2');
    assert.equal(window.addAcknowledged('3'), undefined);
    assert.equal(window.addAcknowledged('4'), undefined);
    assert.equal(window.size, 2, 'consecutive acknowledged records share one entry');
    assert.equal(window.ack('2').checkpoint, '4');
  });

  it('ignores an unknown or repeated acknowledgement', function () {
    const window = new AckWindow<never>(10);
    sendOn(window, '1');
    assert.deepEqual(window.ack('1'), { known: true, checkpoint: '1' });
    assert.deepEqual(window.ack('1'), { known: false });
    assert.deepEqual(window.ack('999'), { known: false });
  });
});

describe('delivery: the checkpoint store', function () {
  it('batches writes: many records, one write per flush', async function () {
    const kv = new MemoryKeyValue();
    const store = new CheckpointStore(kv, 60_000);
    await store.load();
    for (let i = 1; i <= 500; i++) store.save(STREAM, 'shard-1', { kind: 'sequence', sequenceNumber: seq(i) });
    assert.equal(kv.writes, 0);
    await store.close();
    assert.equal(kv.writes, 1);
    const reloaded = new CheckpointStore(kv, 60_000);
    await reloaded.load();
    assert.equal(checkpointed(reloaded), seq(500));
  });

  it('writes by itself after the flush interval', async function () {
    const kv = new MemoryKeyValue();
    const store = new CheckpointStore(kv, 10);
    await store.load();
    store.save(STREAM, 'shard-1', { kind: 'sequence', sequenceNumber: seq(1) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(kv.writes, 1);
    await store.close();
  });

  it('drops checkpoints of shards the stream no longer lists, and of forgotten streams', async function () {
    const store = new CheckpointStore(new MemoryKeyValue(), 60_000);
    await store.load();
    store.save(STREAM, 'old', { kind: 'sequence', sequenceNumber: seq(1) });
    store.save(STREAM, 'live', { kind: 'sequence', sequenceNumber: seq(2) });
    store.retainShards(STREAM, new Set(['live']));
    assert.deepEqual([...store.checkpoints(STREAM).keys()], ['live']);
    store.forgetStream(STREAM);
    assert.deepEqual(store.streamArns(), []);
    await store.close();
  });

  it('ignores a stored value of an unknown shape instead of failing', async function () {
    const kv = new MemoryKeyValue();
    kv.values.set('dynamodbStreamCheckpoints', 'garbage');
    const store = new CheckpointStore(kv, 60_000);
    await store.load();
    assert.deepEqual(store.streamArns(), []);
  });

  it('reports a failed write and tries again at the next flush', async function () {
    const errors: unknown[] = [];
    let fail = true;
    const kv: KeyValueStore = {
      get: async () => undefined,
      set: async () => {
        if (fail) throw new Error('disk full');
      },
    };
    const store = new CheckpointStore(kv, 60_000, (error) => errors.push(error));
    await store.load();
    store.save(STREAM, 'shard-1', { kind: 'sequence', sequenceNumber: seq(1) });
    await store.flush();
    assert.equal(errors.length, 1);
    fail = false;
    await store.flush();
    assert.equal(errors.length, 1, 'the retried write succeeded');
  });
});

describe('delivery: sending pages and moving checkpoints', function () {
  it('checkpoints the last record of each page once it was handed over, in auto mode', async function () {
    const { subject, sent, checkpoints, page } = delivery({ ackMode: 'auto' });
    await checkpoints.load();
    await subject.deliver(page([record(1), record(2), record(3)]));
    assert.equal(sent.length, 3);
    assert.equal(sent[0][ACK_PROPERTY], undefined, 'no ack token in auto mode');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(checkpointed(checkpoints), seq(3));
  });

  it('commits each auto-mode page no sooner than 20 ms after its own hand-over, also when pages follow each other quickly', async function () {
    const { subject, checkpoints, page } = delivery({ ackMode: 'auto' });
    await checkpoints.load();
    const committedAt = new Map<string, number>();
    const save = checkpoints.save.bind(checkpoints);
    checkpoints.save = (stream, shard, checkpoint) => {
      if (checkpoint.kind === 'sequence') committedAt.set(checkpoint.sequenceNumber, performance.now());
      save(stream, shard, checkpoint);
    };
    const handedOverAt: number[] = [];
    for (let i = 1; i <= 4; i++) {
      handedOverAt.push(performance.now());
      subject.deliver(page([record(i)]));
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (let i = 1; i <= 4; i++) {
      const at = committedAt.get(seq(i));
      assert.ok(at !== undefined, `page ${i} committed`);
      assert.ok(at - handedOverAt[i - 1] >= 20, `page ${i} committed ${(at - handedOverAt[i - 1]).toFixed(1)} ms after its hand-over`);
    }
    assert.equal(checkpointed(checkpoints), seq(4));
  });

  it('commits an auto-mode page only after the deliveries Node-RED queued before, however long the event loop was blocked', async function () {
    const delivered: string[] = [];
    const { subject, checkpoints, page } = delivery({
      ackMode: 'auto',
      // As Node-RED's send: the message reaches the next node in a setImmediate.
      send: (message) => void setImmediate(() => delivered.push(String((message.payload as { eventID?: string }).eventID))),
    });
    await checkpoints.load();
    let deliveredAtCommit = -1;
    const save = checkpoints.save.bind(checkpoints);
    checkpoints.save = (stream, shard, checkpoint) => {
      if (checkpoint.kind === 'sequence') deliveredAtCommit = delivered.length;
      save(stream, shard, checkpoint);
    };
    subject.deliver(page([record(1), record(2), record(3)]));
    const blockedUntil = performance.now() + 40;
    while (performance.now() < blockedUntil); // the timer is due before the deliveries have run
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(deliveredAtCommit, 3);
  });

  it('does not checkpoint an auto-mode page that may still be in transit when it closes', async function () {
    const { subject, checkpoints, page } = delivery({ ackMode: 'auto' });
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    subject.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(checkpointed(checkpoints), undefined);
  });

  it('checkpoints filtered-out records too, so a restart does not read them again', async function () {
    const { subject, sent, checkpoints, page } = delivery({
      ackMode: 'manual',
      builder: new MessageBuilder({ tableArn: 't', tableName: 'orders', dataFormat: 'aws', eventNames: new Set<EventName>(['INSERT']) }),
    });
    await checkpoints.load();
    await subject.deliver(page([record(1, 'MODIFY'), record(2, 'MODIFY')]));
    assert.equal(sent.length, 0);
    assert.equal(checkpointed(checkpoints), seq(2));
  });

  it('waits for room before sending more than maxInFlight messages of one shard', async function () {
    const { subject, sent, checkpoints, page } = delivery({ maxInFlight: 2 });
    await checkpoints.load();
    const delivering = subject.deliver(page([record(1), record(2), record(3), record(4)]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sent.length, 2);
    assert.equal(subject.acknowledge(tokenBack(sent[0])), 'acknowledged');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sent.length, 3);
    assert.equal(checkpointed(checkpoints), seq(1));
    subject.acknowledge(tokenBack(sent[1]));
    subject.acknowledge(tokenBack(sent[2]));
    await delivering;
    assert.equal(sent.length, 4);
  });

  it('keeps shards independent: a full window on one shard does not stop another', async function () {
    const { subject, sent, checkpoints, page } = delivery({ maxInFlight: 1 });
    await checkpoints.load();
    void subject.deliver(page([record(1), record(2)], 'shard-a'));
    await subject.deliver(page([record(3)], 'shard-b'));
    assert.deepEqual(sent.map((m) => (m.payload as { eventID: string }).eventID), ['id-1', 'id-3']);
    subject.close();
  });

  it('answers not-ours for a message another node sent, and missing for one without a token', function () {
    const { subject } = delivery();
    assert.equal(subject.acknowledge({ [ACK_PROPERTY]: { node: 'other', instance: 'x', stream: STREAM, shard: 'shard-1', seq: seq(1), attempt: 1 } }), 'not-ours');
    assert.equal(subject.acknowledge(undefined), 'missing');
  });

  it('ignores as stale an acknowledgement of an earlier instance of the same node, even for the same record', async function () {
    const earlier = delivery();
    await earlier.subject.deliver(earlier.page([record(1)]));
    const later = delivery();
    await later.checkpoints.load();
    await later.subject.deliver(later.page([record(1)]));
    assert.equal(later.subject.acknowledge(tokenBack(earlier.sent[0])), 'stale');
    assert.equal(checkpointed(later.checkpoints), undefined, 'not checkpointed');
    assert.equal(later.subject.acknowledge(tokenBack(later.sent[0])), 'acknowledged');
    assert.equal(checkpointed(later.checkpoints), seq(1));
  });

  it('an acknowledgement names the record it covers, so a repeated one acknowledges nothing else', async function () {
    const { subject, sent, checkpoints, page } = delivery({ maxInFlight: 10 });
    await checkpoints.load();
    await subject.deliver(page([record(1), record(2)]));
    assert.equal(subject.acknowledge(tokenBack(sent[0])), 'acknowledged');
    assert.equal(subject.acknowledge(tokenBack(sent[0])), 'unknown');
    assert.equal(checkpointed(checkpoints), seq(1));
    assert.equal(tokenOf(sent[1]).seq, seq(2));
  });

  it('counts a message not acknowledged within ackTimeout as failed and sends it again after a backoff: same record, a fresh copy, the next attempt in its token', async function () {
    let now = 1_000;
    const { subject, sent, checkpoints, page } = delivery({ ackTimeoutMs: 500, now: () => now, redeliveryBaseMs: 5, redeliveryMaxMs: 5 });
    await checkpoints.load();
    await subject.deliver(page([record(1)]));
    assert.equal(subject.failOverdue(), 0);
    now += 600;
    assert.equal(subject.failOverdue(), 1);
    assert.equal(sent.length, 1, 'not at once: after the backoff');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1].payload, sent[0].payload);
    assert.notEqual(sent[1], sent[0], 'a new message, so that what the flow did to the first cannot change the second');
    assert.deepEqual([tokenOf(sent[0]).attempt, tokenOf(sent[1]).attempt], [1, 2]);
    assert.equal(subject.acknowledge(tokenBack(sent[1])), 'acknowledged');
    now += 600;
    assert.equal(subject.failOverdue(), 0);
    assert.equal(checkpointed(checkpoints), seq(1));
  });

  it('waits an exponential, jittered backoff before each re-send: from the base up to its ceiling, doubling per failure', function () {
    const delays = (random: number): number[] =>
      [1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => {
        const decision = new FailurePolicy({ maxRetries: -1, bisectOnError: false, random: () => random }).decide(attempts, 1);
        return decision.kind === 'retry' ? decision.delayMs : -1;
      });
    assert.deepEqual(delays(1), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000], 'the most it waits');
    assert.deepEqual(delays(0), Array(8).fill(REDELIVERY_BASE_MS), 'the least it waits');
    assert.equal(REDELIVERY_MAX_MS, 60_000);
  });

  it('skips records older than maxRecordAge with a warning, and checkpoints past them', async function () {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const { subject, sent, checkpoints, skipped, page } = delivery({ ackMode: 'auto', maxRecordAgeMs: 60_000, now: () => now });
    await checkpoints.load();
    await subject.deliver(page([record(1, 'INSERT', new Date(now - 120_000)), record(2, 'INSERT', new Date(now - 1_000))]));
    assert.deepEqual(sent.map((m) => (m.payload as { eventID: string }).eventID), ['id-2']);
    assert.deepEqual(skipped, [1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(checkpointed(checkpoints), seq(2));
  });

  it('sends one message per page with output batch, acknowledged as a whole', async function () {
    const { subject, sent, checkpoints, page } = delivery({ output: 'batch' });
    await checkpoints.load();
    await subject.deliver(page([record(1), record(2), record(3)]));
    assert.equal(sent.length, 1);
    assert.equal((sent[0].payload as unknown[]).length, 3);
    subject.acknowledge(tokenBack(sent[0]));
    assert.equal(checkpointed(checkpoints), seq(3));
  });
});
