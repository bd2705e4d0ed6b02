/**
 * Fault matrix, mocked part: expired shard iterators and trimmed stream data, which DynamoDB Local
 * cannot produce. The engine is wired the way the source node wires it (test/support/engine-pipeline.ts),
 * against the in-memory FakeAws; "with checkpoints" stops the pipeline mid-stream and starts a new one
 * from what the first one saved.
 */
import assert from 'node:assert/strict';
import type { KeyValueStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import type { ConsumerEvent } from '../../nodes/lib/stream-consumer';
import { compareSequenceNumbers } from '../../nodes/lib/sequence-number';
import { eventually } from '../support/collect';
import { assertDelivery, reconcileAndPrint, type Delivery, type NumberedItem } from '../support/delivery-ledger';
import { MemoryKeyValue, startPipeline as startEnginePipeline, type Pipeline } from '../support/engine-pipeline';
import { FakeAws, tableArnOf, type FakeStream } from '../support/mock-stream';
import { seededRandom } from '../support/seeded-random';

const TABLE = 'orders';
const KEYS = 5;

/**
 * Numbered items in the fake stream: item n has key `k<n mod 5>`; keys k0–k2 live in shard A and
 * k3–k4 in shard B (an item key always maps to one shard).
 */
class FakeWriter {
  readonly written: NumberedItem[] = [];
  /** Sequence number → item. */
  readonly bySequence = new Map<string, NumberedItem>();
  private next = 0;

  constructor(
    private readonly stream: FakeStream,
    private readonly shards: readonly [string, string],
  ) {}

  shardOf(n: number): string {
    return n % KEYS < 3 ? this.shards[0] : this.shards[1];
  }

  write(count: number): void {
    for (let i = 0; i < count; i += 1) {
      const n = this.next++;
      const key = `k${n % KEYS}`;
      const [record] = this.stream.put(this.shardOf(n), 1);
      const image = { pk: { S: key }, n: { N: String(n) } };
      record.dynamodb = { ...record.dynamodb, Keys: { pk: { S: key } }, NewImage: image };
      this.written.push({ key, n });
      this.bySequence.set(record.dynamodb.SequenceNumber as string, { key, n });
    }
  }

  /** Items of `shardId` the stream holds no more (after `stream.trim`) that come after `afterSequenceNumber`. */
  trimmedAfter(shardId: string, afterSequenceNumber: string | undefined): NumberedItem[] {
    const shard = this.stream.shard(shardId);
    return shard.records
      .slice(0, shard.trimmed)
      .map((r) => r.dynamodb?.SequenceNumber as string)
      .filter((seq) => !afterSequenceNumber || compareSequenceNumbers(seq, afterSequenceNumber) > 0)
      .map((seq) => this.bySequence.get(seq) as NumberedItem);
  }
}

/** Shard → checkpointed sequence number, as the pipeline's checkpoint store holds it now. */
function checkpointedSequences(pipeline: Pipeline, streamArn: string): Map<string, string> {
  const sequences = new Map<string, string>();
  for (const [shardId, checkpoint] of pipeline.checkpoints?.checkpoints(streamArn) ?? []) {
    if (checkpoint.kind === 'sequence') sequences.set(shardId, checkpoint.sequenceNumber);
  }
  return sequences;
}

function eventsOf<T extends ConsumerEvent['type']>(pipeline: Pipeline, type: T): Array<Extract<ConsumerEvent, { type: T }>> {
  return pipeline.events.filter((e): e is Extract<ConsumerEvent, { type: T }> => e.type === type);
}

describe('fault matrix: expired iterators and trimmed data (mocked DynamoDB Streams)', function () {
  this.timeout(20_000);
  let fake: FakeAws;
  let stream: FakeStream;
  let writer: FakeWriter;
  let shardA: string;
  let pipelines: Pipeline[];
  let deliveries: Delivery[];

  beforeEach(function () {
    fake = new FakeAws();
    fake.createTable(TABLE);
    stream = fake.createStream(TABLE);
    shardA = stream.addShard();
    writer = new FakeWriter(stream, [shardA, stream.addShard()]);
    pipelines = [];
    deliveries = [];
  });

  afterEach(async function () {
    await Promise.all(pipelines.map((p) => p.stop()));
    fake.restore();
  });

  /** The engine wired as the source node wires it, in auto mode; "with checkpoints" when given a store that outlives it. */
  async function startPipeline(store?: KeyValueStore): Promise<Pipeline> {
    const epoch = pipelines.length;
    const pipeline = await startEnginePipeline(fake, tableArnOf(TABLE), {
      ackMode: 'auto',
      batchSize: 7,
      dataFormat: 'document',
      ...(store ? { store } : {}),
      onMessage: (message) => {
        const payload = message.payload as { keys: { pk: string }; newImage: { n: number } };
        deliveries.push({ key: payload.keys.pk, n: payload.newImage.n, epoch });
      },
    });
    pipelines.push(pipeline);
    return pipeline;
  }

  /** Waits until every written item (but `except`) has been delivered. */
  async function allDelivered(except: readonly NumberedItem[] = []): Promise<void> {
    const skip = new Set(except.map((i) => `${i.key}/${i.n}`));
    const wanted = writer.written.filter((i) => !skip.has(`${i.key}/${i.n}`));
    await eventually(() => {
      const seen = new Set(deliveries.map((d) => `${d.key}/${d.n}`));
      return wanted.every((i) => seen.has(`${i.key}/${i.n}`));
    }, 10_000, `all ${wanted.length} items delivered (have ${deliveries.length})`);
  }

  /**
   * Waits until the pipeline's checkpoints cover every record of the stream. (In auto mode a page's
   * checkpoint is committed a moment after its messages were sent, and a stop drops what is not yet
   * committed, so stopping earlier would send the last pages again: see the Node-RED restart scenario.)
   */
  async function checkpointsCaughtUp(pipeline: Pipeline): Promise<void> {
    await eventually(() => {
      const positions = checkpointedSequences(pipeline, stream.arn);
      return stream.shards.every((shard) => {
        const last = shard.records.at(-1)?.dynamodb?.SequenceNumber;
        return !last || positions.get(shard.shardId) === last;
      });
    }, 5_000, 'checkpoints at the last records');
  }

  /** Writes in rounds and lets every iterator handed out so far expire at seeded moments while the pages are read. */
  async function writeWithExpiries(rounds: number, seed: number): Promise<void> {
    const random = seededRandom(seed);
    for (let round = 0; round < rounds; round += 1) {
      writer.write(20 + Math.floor(random() * 20));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 8)));
      fake.expireIterators();
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(random() * 10)));
    }
  }

  it('resumes after the last delivered record when iterators expire mid-stream, losing and repeating nothing (mocked, no checkpoints)', async function () {
    const pipeline = await startPipeline();
    await writeWithExpiries(8, 1);
    await allDelivered();
    const expiries = eventsOf(pipeline, 'iterator-expired').length;
    const report = reconcileAndPrint('expired iterator, no checkpoints (mocked)', { written: writer.written, delivered: deliveries }, [
      `${expiries} iterator expiries`,
    ]);
    assert.ok(expiries >= 2, `iterators expired mid-stream (${expiries})`);
    assertDelivery(report, { duplicates: 'none' });
  });

  it('resumes from saved checkpoints after a stop, with a backlog and expired iterators on both sides of it, losing and repeating nothing (mocked, with checkpoints)', async function () {
    const store = new MemoryKeyValue();
    const first = await startPipeline(store);
    await writeWithExpiries(4, 2);
    await allDelivered();
    await checkpointsCaughtUp(first);
    await first.stop();
    const deliveredBeforeStop = deliveries.length;
    // While the node is stopped: a backlog builds up, and every iterator handed out so far expires.
    writer.write(60);
    fake.expireIterators();
    const second = await startPipeline(store);
    await writeWithExpiries(4, 3);
    await allDelivered();
    const expiries = [first, second].map((p) => eventsOf(p, 'iterator-expired').length);
    const report = reconcileAndPrint('expired iterator, with checkpoints (mocked)', { written: writer.written, delivered: deliveries }, [
      `iterator expiries ${expiries.join(' / ')} in the two runs, ${deliveredBeforeStop} delivered before the stop`,
    ]);
    assert.ok(expiries.every((count) => count > 0), 'iterators expired mid-stream in both runs');
    assert.ok(deliveries.filter((d) => d.epoch === 1).length > 60, 'the second run read the backlog');
    assertDelivery(report, { duplicates: 'none' });
  });

  it("reports trimmed records as lost with a 'trimmed' event naming shard and sequence number, and delivers everything else (mocked, no checkpoints)", async function () {
    const pipeline = await startPipeline();
    writer.write(30);
    await allDelivered();
    const lastDelivered = stream.records(shardA).at(-1)?.dynamodb?.SequenceNumber;
    // In one step, so no read comes between: new records, and the oldest of them aged out unread.
    writer.write(30);
    stream.trim(shardA, stream.records(shardA).length - 12);
    const trimmed = writer.trimmedAfter(shardA, lastDelivered);
    writer.write(30);
    await allDelivered(trimmed);
    const events = eventsOf(pipeline, 'trimmed');
    const report = reconcileAndPrint('trimmed data, no checkpoints (mocked)', { written: writer.written, delivered: deliveries }, [
      `trimmed events: ${events.map((e) => `${e.shardId} after ${e.afterSequenceNumber}`).join(', ')}`,
    ]);
    assert.ok(trimmed.length > 0, 'the trim removed records not yet read');
    assert.deepEqual(
      events.map((e) => ({ shardId: e.shardId, afterSequenceNumber: e.afterSequenceNumber })),
      [{ shardId: shardA, afterSequenceNumber: lastDelivered }],
    );
    assertDelivery(report, { duplicates: 'none', lost: trimmed });
  });

  it("starts over at the oldest record when a checkpoint points into trimmed data, reporting the gap with a 'trimmed' event (mocked, with checkpoints)", async function () {
    const store = new MemoryKeyValue();
    const first = await startPipeline(store);
    writer.write(30);
    await allDelivered();
    await checkpointsCaughtUp(first);
    await first.stop();
    const checkpointA = stream.records(shardA).at(-1)?.dynamodb?.SequenceNumber;
    // While the node is stopped, records arrive and the oldest unread ones age out.
    writer.write(30);
    stream.trim(shardA, stream.records(shardA).length - 12);
    const trimmed = writer.trimmedAfter(shardA, checkpointA);
    const second = await startPipeline(store);
    writer.write(30);
    await allDelivered(trimmed);
    const events = eventsOf(second, 'trimmed');
    const report = reconcileAndPrint('trimmed data, with checkpoints (mocked)', { written: writer.written, delivered: deliveries }, [
      `trimmed events: ${events.map((e) => `${e.shardId} after ${e.afterSequenceNumber}`).join(', ')}`,
    ]);
    assert.ok(trimmed.length > 0, 'the trim removed records not yet read');
    assert.deepEqual(eventsOf(first, 'trimmed'), []);
    assert.deepEqual(
      events.map((e) => ({ shardId: e.shardId, afterSequenceNumber: e.afterSequenceNumber })),
      [{ shardId: shardA, afterSequenceNumber: checkpointA }],
    );
    assertDelivery(report, { duplicates: 'none', lost: trimmed });
  });
});
