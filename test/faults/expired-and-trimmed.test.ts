/**
 * Fault matrix, mocked part: expired shard iterators and trimmed stream data, which DynamoDB Local
 * cannot produce. A StreamConsumer, a RecordDelivery and a CheckpointStore are wired the way the
 * source node wires them, against the in-memory FakeAws; "with checkpoints" stops the pipeline
 * mid-stream and starts a new one from what the first one saved.
 */
import assert from 'node:assert/strict';
import { parseDynamoDbArn } from '../../nodes/lib/arn';
import { CheckpointStore, type KeyValueStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import { RecordDelivery } from '../../nodes/lib/delivery/record-delivery';
import { MessageBuilder, type OutgoingMessage } from '../../nodes/lib/message-builder';
import { ShardPositions } from '../../nodes/lib/position/shard-positions';
import { EVENT_NAMES } from '../../nodes/lib/source-options';
import { StreamConsumer, type ConsumerEvent } from '../../nodes/lib/stream-consumer';
import { compareSequenceNumbers } from '../../nodes/lib/sequence-number';
import { eventually } from '../support/collect';
import { assertDelivery, reconcileAndPrint, type Delivery, type NumberedItem } from '../support/delivery-ledger';
import { FAST_TIMING, FakeAws, tableArnOf, type FakeStream } from '../support/mock-stream';
import { seededRandom } from '../support/seeded-random';

const TABLE = 'orders';
const KEYS = 5;

class MemoryKeyValue implements KeyValueStore {
  private readonly values = new Map<string, unknown>();
  async get(key: string): Promise<unknown> {
    return structuredClone(this.values.get(key));
  }
  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

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

/** What the source node builds from its config: checkpoints (optional), delivery, consumer; started and closed the same way. */
class Pipeline {
  readonly events: ConsumerEvent[] = [];
  private readonly checkpoints: CheckpointStore | undefined;
  private readonly positions: ShardPositions;
  private readonly delivery: RecordDelivery;
  private readonly consumer: StreamConsumer;

  constructor(fake: FakeAws, store: KeyValueStore | undefined, deliveries: Delivery[], epoch: number) {
    this.checkpoints = store ? new CheckpointStore(store, 10) : undefined;
    this.positions = new ShardPositions({ backend: this.checkpoints, capacity: Infinity });
    this.delivery = new RecordDelivery({
      nodeId: 'source',
      builder: new MessageBuilder({ tableArn: tableArnOf(TABLE), tableName: TABLE, dataFormat: 'document', eventNames: new Set(EVENT_NAMES) }),
      output: 'record',
      ackMode: 'auto',
      ackTimeoutMs: 0,
      maxRecordAgeMs: 0,
      positions: this.positions,
      send: (message: OutgoingMessage) => {
        const payload = message.payload as { keys: { pk: string }; newImage: { n: number } };
        deliveries.push({ key: payload.keys.pk, n: payload.newImage.n, epoch });
      },
      onSkippedOldRecords: () => undefined,
    });
    this.consumer = new StreamConsumer({
      dynamodb: fake.dynamodbClient,
      streams: fake.streamsClient,
      arn: parseDynamoDbArn(tableArnOf(TABLE)),
      startingPosition: 'TRIM_HORIZON',
      batchSize: 7,
      positions: this.positions,
      deliver: (page) => this.delivery.deliver(page),
      onEvent: (event) => this.events.push(event),
      timing: FAST_TIMING,
    });
  }

  async start(): Promise<void> {
    await this.checkpoints?.load();
    this.consumer.start();
  }

  async stop(): Promise<void> {
    this.delivery.close();
    this.positions.close();
    await this.consumer.stop();
    await this.checkpoints?.close();
  }

  /** Shard → checkpointed sequence number, as the checkpoint store holds it now. */
  checkpointedSequences(streamArn: string): Map<string, string> {
    const sequences = new Map<string, string>();
    for (const [shardId, checkpoint] of this.checkpoints?.checkpoints(streamArn) ?? []) {
      if (checkpoint.kind === 'sequence') sequences.set(shardId, checkpoint.sequenceNumber);
    }
    return sequences;
  }

  eventsOf<T extends ConsumerEvent['type']>(type: T): Array<Extract<ConsumerEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<ConsumerEvent, { type: T }> => e.type === type);
  }
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

  async function startPipeline(store?: KeyValueStore): Promise<Pipeline> {
    const pipeline = new Pipeline(fake, store, deliveries, pipelines.length);
    pipelines.push(pipeline);
    await pipeline.start();
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
      const positions = pipeline.checkpointedSequences(stream.arn);
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
    const expiries = pipeline.eventsOf('iterator-expired').length;
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
    const expiries = [first, second].map((p) => p.eventsOf('iterator-expired').length);
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
    const events = pipeline.eventsOf('trimmed');
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
    const events = second.eventsOf('trimmed');
    const report = reconcileAndPrint('trimmed data, with checkpoints (mocked)', { written: writer.written, delivered: deliveries }, [
      `trimmed events: ${events.map((e) => `${e.shardId} after ${e.afterSequenceNumber}`).join(', ')}`,
    ]);
    assert.ok(trimmed.length > 0, 'the trim removed records not yet read');
    assert.deepEqual(first.eventsOf('trimmed'), []);
    assert.deepEqual(
      events.map((e) => ({ shardId: e.shardId, afterSequenceNumber: e.afterSequenceNumber })),
      [{ shardId: shardA, afterSequenceNumber: checkpointA }],
    );
    assertDelivery(report, { duplicates: 'none', lost: trimmed });
  });
});
