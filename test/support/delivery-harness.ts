/** A RecordDelivery in manual mode (by default) over shard positions with an in-memory checkpoint store, without a consumer. */
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { CheckpointStore, type KeyValueStore } from '../../nodes/lib/checkpoint/checkpoint-store';
import type { AckToken } from '../../nodes/lib/delivery/ack-token';
import { ACK_PROPERTY, RecordDelivery, type RecordDeliveryOptions } from '../../nodes/lib/delivery/record-delivery';
import { ShardPositions } from '../../nodes/lib/position/shard-positions';
import { MessageBuilder, type OutgoingMessage } from '../../nodes/lib/message-builder';
import { EVENT_NAMES, type EventName } from '../../nodes/lib/source-options';
import type { ShardRecords } from '../../nodes/lib/stream-session';

export class MemoryKeyValue implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  writes = 0;
  async get(key: string): Promise<unknown> {
    return structuredClone(this.values.get(key));
  }
  async set(key: string, value: unknown): Promise<void> {
    this.writes += 1;
    this.values.set(key, structuredClone(value));
  }
}

export const STREAM = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000';

export function record(seq: number, eventName: EventName = 'INSERT', createdAt = new Date()): _Record {
  return {
    eventID: `id-${seq}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    dynamodb: { Keys: { pk: { S: `k${seq}` } }, SequenceNumber: String(seq).padStart(21, '0'), SizeBytes: 10, StreamViewType: 'KEYS_ONLY', ApproximateCreationDateTime: createdAt },
  };
}

/** The sequence number a store holds for the shard, if it holds one (not TRIM_HORIZON, LATEST, SHARD_END). */
/** A record of the item `pk = key`: records sharing a key are versions of one item. */
export function keyedRecord(sequence: number, key: string): _Record {
  const base = record(sequence, 'MODIFY');
  return { ...base, dynamodb: { ...base.dynamodb, Keys: { pk: { S: key } } } };
}

export function checkpointed(store: CheckpointStore, shardId = 'shard-1'): string | undefined {
  const checkpoint = store.checkpoints(STREAM).get(shardId);
  return checkpoint?.kind === 'sequence' ? checkpoint.sequenceNumber : undefined;
}

export function seq(n: number): string {
  return String(n).padStart(21, '0');
}

export function delivery(overrides: Partial<RecordDeliveryOptions> & { maxInFlight?: number } = {}) {
  const sent: OutgoingMessage[] = [];
  const failed: OutgoingMessage[] = [];
  const checkpoints = new CheckpointStore(new MemoryKeyValue(), 60_000);
  const positions = new ShardPositions({ backend: checkpoints, capacity: overrides.ackMode === 'auto' ? Infinity : (overrides.maxInFlight ?? 2) });
  const skipped: number[] = [];
  const page = (records: _Record[], shardId = 'shard-1'): ShardRecords => ({
    streamArn: STREAM,
    shardId,
    keyAttributeNames: ['pk'],
    records,
    position: positions.open(STREAM, shardId, () => ({ kind: 'TRIM_HORIZON' })),
  });
  const subject = new RecordDelivery({
    nodeId: 'n1',
    builder: new MessageBuilder({ tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders', tableName: 'orders', dataFormat: 'aws', eventNames: new Set(EVENT_NAMES) }),
    output: 'record',
    ackMode: 'manual',
    ackTimeoutMs: 0,
    maxRecordAgeMs: 0,
    positions,
    send: (message) => sent.push(message),
    sendFailed: (message) => failed.push(message),
    onSkippedOldRecords: (count) => skipped.push(count),
    ...overrides,
  });
  return { subject, sent, failed, checkpoints, skipped, page, positions };
}

export const tokenOf = (msg: OutgoingMessage): AckToken => msg[ACK_PROPERTY] as AckToken;

/** The message as it comes back to the input: only its token matters for a positive acknowledgement. */
export const tokenBack = (msg: OutgoingMessage): OutgoingMessage => ({ [ACK_PROPERTY]: tokenOf(msg) });

