import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { MessageBuilder, OutgoingMessage } from '../message-builder';
import type { PendingDelivery } from '../position/ack-window';
import type { ShardPosition } from '../position/shard-position';
import type { ShardPositions } from '../position/shard-positions';
import type { AckMode, OrderingMode, OutputMode } from '../source-options';
import type { ShardRecords } from '../stream-session';
import { ACK_PROPERTY, AckTokens } from './ack-token';
import { originOf, sequenceNumberOf, type DeliveryContent, type GatheringContent } from './delivery-content';
import { FailurePolicy } from './failure-policy';
import { HandOverCheckpoints } from './hand-over-checkpoints';
import { itemKeyOf } from './item-key';
import { returnedOutcome } from './returned-outcome';

export { ACK_PROPERTY };

export interface RecordDeliveryOptions {
  readonly nodeId: string;
  readonly builder: MessageBuilder;
  readonly output: OutputMode;
  readonly ackMode: AckMode;
  /** 0: an unacknowledged message never counts as failed by itself. */
  readonly ackTimeoutMs: number;
  /** 0: no age limit. */
  readonly maxRecordAgeMs: number;
  /** Batch output: gather records across pages for up to this long (0: one message per page). */
  readonly batchWindowMs?: number;
  /** Batch output with a window: a batch is sent once it holds this many records. */
  readonly batchSize?: number;
  /** Failed attempts before a delivery is given up on the failed output; -1 (default): never. */
  readonly maxRetries?: number;
  readonly bisectOnError?: boolean;
  /** `key`: at most one outstanding message per item key (record output, manual mode). */
  readonly ordering?: OrderingMode;
  /** Re-send backoff after a failure (defaults: REDELIVERY_BASE_MS, REDELIVERY_MAX_MS). */
  readonly redeliveryBaseMs?: number;
  readonly redeliveryMaxMs?: number;
  readonly random?: () => number;
  /** The shard positions: told what was sent, skipped and acknowledged. */
  readonly positions: ShardPositions;
  /** Hands one message to the flow; called once per message, so Node-RED never clones one. */
  readonly send: (message: OutgoingMessage) => void;
  /** A given-up delivery, to the failed output. */
  readonly sendFailed?: (message: OutgoingMessage) => void;
  readonly onSkippedOldRecords: (count: number, shardId: string) => void;
  readonly now?: () => number;
}

/**
 * `failed`: a negative acknowledgement, counted; `superseded`: a failure reported for an earlier
 * attempt of a delivery already sent again, not counted twice; `stale`: from a previous instance of
 * this node (before a redeploy or restart), ignored.
 */
export type AckResult = 'acknowledged' | 'failed' | 'superseded' | 'unknown' | 'stale' | 'not-ours' | 'missing';

/** What comes back to the source's input: the token (`ACK_PROPERTY`), `error`, `batchItemFailures`. */
export type ReturnedMessage = Readonly<Record<string, unknown>>;

type Delivery = PendingDelivery<unknown>;

/** A gathered batch is sent before it would exceed this (Lambda's invocation payload limit). */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;

/**
 * Sends each page's messages and tells the shard's position: in auto mode a page counts as
 * acknowledged once Node-RED delivered it to the next node; in manual mode each message waits for
 * its acknowledgement (at most `maxInFlight` per shard), is sent again after a failure, and is
 * given up on the failed output after `maxRetries` failures.
 */
export class RecordDelivery {
  private closed = false;
  private readonly now: () => number;
  private readonly handOver: HandOverCheckpoints | undefined;
  private readonly tokens: AckTokens;
  private readonly failures: FailurePolicy;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: RecordDeliveryOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = new AckTokens(options.nodeId);
    this.failures = new FailurePolicy({
      maxRetries: options.maxRetries ?? -1,
      bisectOnError: options.bisectOnError ?? false,
      baseMs: options.redeliveryBaseMs,
      maxMs: options.redeliveryMaxMs,
      random: options.random,
    });
    if (options.ackMode === 'auto') this.handOver = new HandOverCheckpoints();
  }

  /** Sends a page's messages; in manual mode, a promise that settles once they are all sent (the window may have to make room). */
  deliver(page: ShardRecords): Promise<void> | undefined {
    const last = page.records[page.records.length - 1]?.dynamodb?.SequenceNumber;
    if (!last || this.closed) return undefined;
    const fresh = this.withoutOldRecords(page);
    if (this.options.output === 'batch' && (this.options.batchWindowMs ?? 0) > 0) return this.gather(page, fresh);
    if (this.options.ackMode === 'auto') {
      this.sendAll(fresh, page);
      page.position.sent(last, 0);
      this.handOver?.handedOver(page.position, last);
      return undefined;
    }
    if (this.options.output === 'batch') return this.deliverBatchWithAck(fresh, page, last);
    return this.deliverRecordsWithAck(page, fresh);
  }

  /** A message came back to the input: an acknowledgement, a negative one (`msg.error`), or a partial one (`msg.batchItemFailures`). */
  acknowledge(returned: ReturnedMessage | undefined): AckResult {
    const match = this.tokens.match(returned?.[ACK_PROPERTY]);
    if (match.kind === 'missing') return 'missing';
    if (match.kind === 'other-node') return 'not-ours';
    if (match.kind === 'stale') return 'stale';
    const { token } = match;
    const position = this.options.positions.get(token.stream, token.shard);
    const delivery = position?.pendingDelivery(token.seq);
    if (!position || !delivery) return 'unknown';
    const outcome = returnedOutcome(returned ?? {});
    if (outcome.kind === 'success') {
      this.settle(position, delivery);
      return 'acknowledged';
    }
    if (delivery.state !== 'outstanding' || token.attempt !== delivery.attempts) return 'superseded';
    if (outcome.kind === 'failure') this.failed(position, delivery, outcome.error);
    else this.partlyFailed(position, delivery, outcome.failedSequenceNumbers);
    return 'failed';
  }

  /** Deliveries not acknowledged within the ack timeout count as failed; returns how many. */
  failOverdue(): number {
    if (this.options.ackTimeoutMs <= 0 || this.closed) return 0;
    const now = this.now();
    let overdue = 0;
    for (const position of this.options.positions.all()) {
      for (const delivery of position.overdue(now, this.options.ackTimeoutMs)) {
        this.failed(position, delivery, { message: `Not acknowledged within ${this.options.ackTimeoutMs / 1000} s (ackTimeout)` });
        overdue += 1;
      }
    }
    return overdue;
  }

  /** Unacknowledged deliveries across all shards (with those waiting for their key or a re-send). */
  get inFlight(): number {
    let count = 0;
    for (const position of this.options.positions.all()) count += position.outstanding;
    return count;
  }

  /**
   * Nothing is sent afterwards. Auto-mode pages not yet delivered by Node-RED stay unacknowledged:
   * their messages may not have reached the next node (it may be stopping too).
   */
  close(): void {
    this.closed = true;
    this.handOver?.close();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * One `send` per message: Node-RED clones every message but the first of an array sent in one
   * call (they might be the same object), and ours are all new objects. The position learns each
   * record sent, so a failing record is where a new reader begins.
   */
  private sendAll(records: _Record[], page: ShardRecords): void {
    const { builder, send } = this.options;
    if (this.options.output === 'batch') {
      const wanted = records.filter((r) => builder.wanted(r));
      if (wanted.length > 0) send(withStreamInfo(builder.batchMessage(wanted, page), page, sequenceNumberOf(wanted[wanted.length - 1])));
      return;
    }
    let sentUpTo = -1;
    try {
      for (let i = 0; i < records.length; i++) {
        if (builder.wanted(records[i])) send(withStreamInfo(builder.recordMessage(records[i], page), page, sequenceNumberOf(records[i])));
        sentUpTo = i;
      }
    } finally {
      const sequenceNumber = sentUpTo >= 0 ? records[sentUpTo].dynamodb?.SequenceNumber : undefined;
      if (sequenceNumber && sentUpTo < records.length - 1) page.position.markDelivered(sequenceNumber);
    }
  }

  /** Waits for room in the shard's window only when it is full. */
  private async deliverRecordsWithAck(page: ShardRecords, fresh: _Record[]): Promise<void> {
    const { position } = page;
    const origin = originOf(page);
    const byKey = this.options.ordering === 'key';
    const freshSet = fresh.length === page.records.length ? undefined : new Set(fresh);
    for (const record of page.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      if ((freshSet && !freshSet.has(record)) || !this.options.builder.wanted(record)) {
        position.skipped(sequenceNumber);
        continue;
      }
      if (position.full) await position.reserve();
      if (this.closed) return;
      const content: DeliveryContent = { records: [record], origin };
      const delivery = position.enqueue(sequenceNumber, content, byKey ? itemKeyOf(record, page.keyAttributeNames) : undefined);
      if (delivery.state === 'outstanding') this.sendAttempt(position, delivery);
    }
  }

  private async deliverBatchWithAck(fresh: _Record[], page: ShardRecords, last: string): Promise<void> {
    const { position } = page;
    const wanted = fresh.filter((r) => this.options.builder.wanted(r));
    if (wanted.length === 0) {
      position.skipped(last);
      return;
    }
    if (position.full) await position.reserve();
    if (this.closed) return;
    const content: DeliveryContent = { records: wanted, origin: originOf(page) };
    this.sendAttempt(position, position.enqueue(last, content));
  }

  private sendAttempt(position: ShardPosition, delivery: Delivery): void {
    position.markSent(delivery, this.now());
    const message = this.messageOf(delivery);
    message[ACK_PROPERTY] = this.tokens.issue(position.streamArn, position.shardId, delivery.lastSequenceNumber, delivery.attempts);
    this.options.send(message);
  }

  private settle(position: ShardPosition, delivery: Delivery): void {
    const unblocked = position.settle(delivery);
    if (unblocked && !this.closed) this.sendAttempt(position, unblocked);
  }

  private failed(position: ShardPosition, delivery: Delivery, error: unknown): void {
    delivery.lastError = error;
    const content = delivery.content as DeliveryContent;
    const decision = this.failures.decide(delivery.attempts, content.records.length);
    if (decision.kind === 'give-up') return this.giveUp(position, delivery);
    if (decision.kind === 'retry') {
      position.markFailed(delivery);
      return this.resendLater(position, delivery, decision.delayMs);
    }
    const half = Math.ceil(content.records.length / 2);
    const halves = [content.records.slice(0, half), content.records.slice(half)];
    const parts = halves.map((records, i) => ({
      lastSequenceNumber: i === 0 ? sequenceNumberOf(records[records.length - 1]) : delivery.lastSequenceNumber,
      content: { records, origin: content.origin },
      settled: false,
      attempts: 0,
    }));
    for (const part of position.replace(delivery, parts)) {
      part.lastError = error;
      position.markFailed(part);
      this.resendLater(position, part, decision.delayMs);
    }
  }

  /** The batch succeeded up to the first failed record; the rest is one delivery that failed. */
  private partlyFailed(position: ShardPosition, delivery: Delivery, failedSequenceNumbers: ReadonlySet<string>): void {
    const content = delivery.content as DeliveryContent;
    const firstFailed = content.records.findIndex((record) => failedSequenceNumbers.has(sequenceNumberOf(record)));
    const error = { message: `${failedSequenceNumbers.size} record(s) failed (msg.batchItemFailures)` };
    if (firstFailed <= 0) {
      const unknown = firstFailed < 0 ? { message: 'msg.batchItemFailures names no record of this batch' } : error;
      return this.failed(position, delivery, unknown);
    }
    const [rest] = position.replace(delivery, [
      { lastSequenceNumber: sequenceNumberOf(content.records[firstFailed - 1]), content: { records: content.records.slice(0, firstFailed), origin: content.origin }, settled: true, attempts: delivery.attempts },
      { lastSequenceNumber: delivery.lastSequenceNumber, content: { records: content.records.slice(firstFailed), origin: content.origin }, settled: false, attempts: delivery.attempts },
    ]);
    if (rest) this.failed(position, rest, error);
  }

  private resendLater(position: ShardPosition, delivery: Delivery, delayMs: number): void {
    this.later(delayMs, () => {
      if (delivery.state === 'failed') this.sendAttempt(position, delivery);
    });
  }

  /**
   * `batchWindow`: the page's wanted records join the shard's gathering batch, which is sent once it
   * holds `batchSize` records, would exceed MAX_BATCH_BYTES, or its window (started by its first record)
   * ends. Records not wanted extend it, so that its acknowledgement covers them too.
   */
  private async gather(page: ShardRecords, fresh: _Record[]): Promise<void> {
    const { position } = page;
    const origin = originOf(page);
    const freshSet = fresh.length === page.records.length ? undefined : new Set(fresh);
    for (const record of page.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      const open = position.gathering();
      if ((freshSet && !freshSet.has(record)) || !this.options.builder.wanted(record)) {
        if (open) position.extendGathering(open, sequenceNumber);
        else position.skipped(sequenceNumber);
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(record));
      if (open && (open.content as GatheringContent).bytes + bytes > MAX_BATCH_BYTES) this.sendGathered(position, open);
      if (!position.gathering() && position.full) await position.reserve();
      if (this.closed) return;
      const batch = position.gathering() ?? this.startBatch(position, sequenceNumber, origin);
      const content = batch.content as GatheringContent;
      content.records.push(record);
      content.bytes += bytes;
      position.extendGathering(batch, sequenceNumber);
      if (content.records.length >= (this.options.batchSize ?? Infinity)) this.sendGathered(position, batch);
    }
  }

  private startBatch(position: ShardPosition, sequenceNumber: string, origin: GatheringContent['origin']): Delivery {
    const content: GatheringContent = { records: [], origin, bytes: 0 };
    const batch = position.startGathering(sequenceNumber, content);
    this.later(this.options.batchWindowMs ?? 0, () => {
      if (batch.state === 'gathering') this.sendGathered(position, batch);
    });
    return batch;
  }

  private sendGathered(position: ShardPosition, batch: Delivery): void {
    if (this.options.ackMode === 'manual') return this.sendAttempt(position, batch);
    position.markSent(batch, this.now());
    this.options.send(this.messageOf(batch));
    this.handOver?.handedOver(position, batch.lastSequenceNumber);
  }

  private later(delayMs: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) run();
    }, delayMs);
    this.timers.add(timer);
  }

  /** To the failed output as the message it was, with the last error and the attempts; then checkpointed past. */
  private giveUp(position: ShardPosition, delivery: Delivery): void {
    const message = this.messageOf(delivery);
    message.error = delivery.lastError;
    message.attempts = delivery.attempts;
    this.options.sendFailed?.(message);
    this.settle(position, delivery);
  }

  /** A new message for each attempt: what the flow did to an earlier copy cannot change it. */
  private messageOf(delivery: Delivery): OutgoingMessage {
    const { records, origin } = delivery.content as DeliveryContent;
    const { builder } = this.options;
    const message = this.options.output === 'batch' ? builder.batchMessage([...records], origin) : builder.recordMessage(records[0], origin);
    return withStreamInfo(message, origin, delivery.lastSequenceNumber);
  }

  private withoutOldRecords(page: ShardRecords): _Record[] {
    if (this.options.maxRecordAgeMs <= 0) return page.records;
    const oldest = this.now() - this.options.maxRecordAgeMs;
    const fresh = page.records.filter((r) => (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) >= oldest);
    if (fresh.length < page.records.length) this.options.onSkippedOldRecords(page.records.length - fresh.length, page.shardId);
    return fresh;
  }
}

/** `msg.dynamodbStream`: where the message's (last) record is in the stream. */
function withStreamInfo(message: OutgoingMessage, origin: { readonly streamArn: string; readonly shardId: string }, sequenceNumber: string): OutgoingMessage {
  message.dynamodbStream = { streamArn: origin.streamArn, shardId: origin.shardId, sequenceNumber };
  return message;
}
