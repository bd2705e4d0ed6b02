/**
 * The engine wired as the source node wires it (consumer → delivery → checkpoint store), without
 * Node-RED, over the mocked clients of a FakeAws. The key-value store outlives a pipeline, as a
 * file-backed context store outlives a Node-RED restart.
 */
import { parseDynamoDbArn } from '../../nodes/lib/arn';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CheckpointBackend } from '../../nodes/lib/checkpoint/checkpoint-backend';
import { CheckpointStore, type KeyValueStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import { LeaseCheckpoints } from '../../nodes/lib/lease/lease-checkpoints';
import { LeaseCoordinator } from '../../nodes/lib/lease/lease-coordinator';
import { LeasedShards } from '../../nodes/lib/lease/leased-shards';
import { RecordDelivery } from '../../nodes/lib/delivery/record-delivery';
import { MessageBuilder, type OutgoingMessage } from '../../nodes/lib/message-builder';
import { ShardPositions } from '../../nodes/lib/position/shard-positions';
import type { DataFormat } from '../../nodes/lib/cloudevent';
import { EVENT_NAMES, type AckMode } from '../../nodes/lib/source-options';
import { StreamConsumer, type ConsumerEvent } from '../../nodes/lib/stream-consumer';
import type { InitialPosition } from '../../nodes/lib/stream-session';
import { FAST_TIMING, type FakeAws } from './mock-stream';

export class MemoryKeyValue implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  async get(key: string): Promise<unknown> {
    return structuredClone(this.values.get(key));
  }
  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

export interface PipelineOptions {
  readonly ackMode: AckMode;
  readonly startingPosition?: InitialPosition;
  readonly maxInFlight?: number;
  readonly batchSize?: number;
  /** `aws` unless given (keyOfMessage reads that format). */
  readonly dataFormat?: DataFormat;
  readonly store?: KeyValueStore;
  /** Sees every message the delivery sends, e.g. to acknowledge it later with `pipeline.ack(msg)`. */
  readonly onMessage?: (message: OutgoingMessage, pipeline: Pipeline) => void;
  readonly timing?: Record<string, number>;
  /** Share the stream with other pipelines through a lease table (a real DynamoDB, e.g. DynamoDB Local). */
  readonly lease?: { readonly client: DynamoDBClient; readonly tableName: string; readonly workerId: string; readonly failoverMs: number };
}

export interface Pipeline {
  readonly sent: OutgoingMessage[];
  readonly coordinator?: LeaseCoordinator;
  /** Where the pipeline keeps its checkpoints: the store's or the lease table's. */
  readonly checkpoints?: CheckpointBackend;
  readonly events: ConsumerEvent[];
  ack(message: OutgoingMessage): void;
  /** Stops reading and closes the checkpoints (with a lease table: hands the leases over). */
  stop(): Promise<void>;
  /** Stops everything without a word to the lease table, as a killed process would. */
  crash(): Promise<void>;
}

/** The record key (`pk`) of a message in the `aws` data format. */
export function keyOfMessage(message: OutgoingMessage): string {
  return (message.payload as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S;
}

export async function startPipeline(fake: FakeAws, arn: string, options: PipelineOptions): Promise<Pipeline> {
  const sent: OutgoingMessage[] = [];
  const events: ConsumerEvent[] = [];
  const coordinator = options.lease
    ? new LeaseCoordinator({
        client: options.lease.client,
        tableName: options.lease.tableName,
        consumerName: 'source-1',
        workerId: options.lease.workerId,
        failoverMs: options.lease.failoverMs,
      })
    : undefined;
  const checkpoints: CheckpointBackend | undefined = coordinator
    ? new LeaseCheckpoints(coordinator, (error) => events.push({ type: 'problem', operation: 'lease table', kind: 'unknown', error, retryInMs: 0 }))
    : options.store
      ? new CheckpointStore(options.store, 10)
      : undefined;
  const parsed = parseDynamoDbArn(arn);
  const positions = new ShardPositions({ backend: checkpoints, capacity: options.ackMode === 'manual' ? (options.maxInFlight ?? 100) : Infinity });
  const delivery = new RecordDelivery({
    nodeId: 'source-1',
    builder: new MessageBuilder({ tableArn: parsed.tableArn, tableName: parsed.tableName, dataFormat: options.dataFormat ?? 'aws', eventNames: new Set(EVENT_NAMES) }),
    output: 'record',
    ackMode: options.ackMode,
    ackTimeoutMs: 0,
    maxRecordAgeMs: 0,
    positions,
    send: (message) => {
      sent.push(message);
      options.onMessage?.(message, pipeline);
    },
    onSkippedOldRecords: () => undefined,
  });
  const consumer = new StreamConsumer({
    dynamodb: fake.dynamodbClient,
    streams: fake.streamsClient,
    arn: parsed,
    startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
    batchSize: options.batchSize ?? 100,
    positions,
    ...(coordinator ? { assignment: new LeasedShards(coordinator) } : {}),
    deliver: (page) => delivery.deliver(page),
    onEvent: (event) => events.push(event),
    timing: { ...FAST_TIMING, ...options.timing },
  });
  const pipeline: Pipeline = {
    sent,
    ...(coordinator ? { coordinator } : {}),
    ...(checkpoints ? { checkpoints } : {}),
    events,
    ack: (message) => {
      delivery.acknowledge(message);
    },
    stop: async () => {
      delivery.close();
      positions.close();
      await consumer.stop();
      await checkpoints?.close();
    },
    crash: async () => {
      delivery.close();
      positions.close();
      await coordinator?.stop();
      await consumer.stop();
    },
  };
  await checkpoints?.load();
  consumer.start();
  return pipeline;
}
