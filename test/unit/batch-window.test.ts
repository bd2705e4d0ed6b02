import assert from 'node:assert/strict';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { MAX_BATCH_BYTES } from '../../nodes/lib/delivery/record-delivery';
import type { OutgoingMessage } from '../../nodes/lib/message-builder';
import { MessageBuilder } from '../../nodes/lib/message-builder';
import { resolveSourceOptions, type EventName } from '../../nodes/lib/source-options';
import { checkpointed, delivery, record, seq, tokenBack } from '../support/delivery-harness';

const batchSeqs = (msg: OutgoingMessage): string[] => (msg.payload as Array<{ dynamodb: { SequenceNumber: string } }>).map((r) => r.dynamodb.SequenceNumber);
const records = (from: number, to: number): _Record[] => Array.from({ length: to - from + 1 }, (_, i) => record(from + i));
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A record of about `bytes` bytes as JSON (a large string attribute in its new image). */
function largeRecord(n: number, bytes: number): _Record {
  const base = record(n);
  return { ...base, dynamodb: { ...base.dynamodb, NewImage: { blob: { S: 'x'.repeat(bytes) } } } };
}

describe('batchWindow: gathering records across pages into one batch', function () {
  it('gathers the pages of a shard until batchSize records, then sends them as one message', async function () {
    const { subject, sent, checkpoints, page } = delivery({ output: 'batch', batchWindowMs: 60_000, batchSize: 5 });
    await checkpoints.load();
    await subject.deliver(page(records(1, 2)));
    await subject.deliver(page(records(3, 4)));
    assert.equal(sent.length, 0, 'still gathering');
    await subject.deliver(page(records(5, 6)));
    assert.equal(sent.length, 1);
    assert.deepEqual(batchSeqs(sent[0]), [1, 2, 3, 4, 5].map(seq));
    subject.close();
  });

  it('sends what it has when the window, started by the first record, ends with fewer than batchSize records', async function () {
    const { subject, sent, checkpoints, page } = delivery({ output: 'batch', batchWindowMs: 40, batchSize: 100 });
    await checkpoints.load();
    await subject.deliver(page(records(1, 2)));
    await wait(10);
    await subject.deliver(page(records(3, 3)));
    assert.equal(sent.length, 0);
    await wait(80);
    assert.equal(sent.length, 1);
    assert.deepEqual(batchSeqs(sent[0]), [1, 2, 3].map(seq));
  });

  it('never checkpoints records still gathering (auto mode): their batch is checkpointed once sent and handed over', async function () {
    const { subject, sent, checkpoints, page } = delivery({ ackMode: 'auto', output: 'batch', batchWindowMs: 120, batchSize: 100 });
    await checkpoints.load();
    await subject.deliver(page(records(1, 3)));
    await wait(60);
    assert.equal(sent.length, 0);
    assert.equal(checkpointed(checkpoints), undefined, 'nothing checkpointed while gathering');
    await wait(150);
    assert.equal(sent.length, 1);
    assert.equal(checkpointed(checkpoints), seq(3));
  });

  it('with manual acknowledgement, one acknowledgement of a gathered batch checkpoints all of it, filtered-out records after it included', async function () {
    const { subject, sent, checkpoints, page } = delivery({
      output: 'batch',
      batchWindowMs: 30,
      batchSize: 100,
      builder: new MessageBuilder({ tableArn: 't', tableName: 'orders', dataFormat: 'aws', eventNames: new Set<EventName>(['INSERT']) }),
    });
    await checkpoints.load();
    await subject.deliver(page(records(1, 2)));
    await subject.deliver(page([record(3), record(4, 'MODIFY')]));
    assert.equal(checkpointed(checkpoints), undefined);
    await wait(60);
    assert.equal(sent.length, 1);
    assert.deepEqual(batchSeqs(sent[0]), [1, 2, 3].map(seq));
    assert.equal(checkpointed(checkpoints), undefined, 'not before the acknowledgement');
    assert.equal(subject.acknowledge(tokenBack(sent[0])), 'acknowledged');
    assert.equal(checkpointed(checkpoints), seq(4), 'the whole batch and the filtered record after it');
  });

  it('sends a gathered batch before it would exceed 6 MB', async function () {
    const { subject, sent, checkpoints, page } = delivery({ output: 'batch', batchWindowMs: 60_000, batchSize: 10_000 });
    await checkpoints.load();
    await subject.deliver(page([1, 2, 3, 4, 5].map((n) => largeRecord(n, 1_500_000))));
    assert.equal(sent.length, 1);
    assert.deepEqual(batchSeqs(sent[0]), [1, 2, 3, 4].map(seq));
    assert.ok(Buffer.byteLength(JSON.stringify(sent[0].payload)) <= MAX_BATCH_BYTES);
    subject.close();
  });

  it('validates batchWindow (0–300 s, batch output) and allows batchSize up to 10,000 with batch output only', function () {
    assert.equal(resolveSourceOptions({ output: 'batch', batchWindow: '2' }).batchWindow, 2);
    assert.equal(resolveSourceOptions({ output: 'batch' }).batchWindow, 0);
    assert.equal(resolveSourceOptions({ output: 'record', batchWindow: '2' }).batchWindow, 0, 'ignored with record output');
    assert.throws(() => resolveSourceOptions({ output: 'batch', batchWindow: 301 }), /batchWindow must be a whole number from 0 to 300/);
    assert.equal(resolveSourceOptions({ output: 'batch', batchSize: 10_000 }).batchSize, 10_000);
    assert.throws(() => resolveSourceOptions({ output: 'record', batchSize: 1001 }), /batchSize must be a whole number from 1 to 1000/);
  });
});
