import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { MessageBuilder, OutgoingMessage } from '../message-builder';
import type { ShardPosition } from '../position/shard-position';
import type { ShardPositions } from '../position/shard-positions';
import type { AckMode, OrderingMode, OutputMode } from '../source-options';
import type { ShardRecords } from '../stream-session';
import { ACK_PROPERTY } from './ack-token';
import { BatchGathering } from './batch-gathering';
import { originOf, sequenceNumberOf, type DeliveryContent } from './delivery-content';
import { FailureHandling } from './failure-handling';
import { FailurePolicy } from './failure-policy';
import { HandOverCheckpoints } from './hand-over-checkpoints';
import { itemKeyOf } from './item-key';
import { MessageSender, withStreamInfo, type Delivery } from './message-sender';
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

export { MAX_BATCH_BYTES } from './batch-gathering';

/**
 * Sends each page's messages and tells the shard's position: in auto mode a page counts as
 * acknowledged once Node-RED delivered it to the next node; in manual mode each message waits for
 * its acknowledgement (at most `maxInFlight` per shard), is sent again after a failure, and is
 * given up on the failed output after `maxRetries` failures.
 */
export class RecordDelivery {
  private readonly now: () => number;
  private readonly handOver: HandOverCheckpoints | undefined;
  private readonly sender: MessageSender;
  private readonly failures: FailureHandling;
  private readonly gathering: BatchGathering | undefined;

  constructor(private readonly options: RecordDeliveryOptions) {
    this.now = options.now ?? Date.now;
    this.sender = new MessageSender({ nodeId: options.nodeId, builder: options.builder, output: options.output, send: options.send, now: this.now });
    const policy = new FailurePolicy({
      maxRetries: options.maxRetries ?? -1,
      bisectOnError: options.bisectOnError ?? false,
      baseMs: options.redeliveryBaseMs,
      maxMs: options.redeliveryMaxMs,
      random: options.random,
    });
    this.failures = new FailureHandling(this.sender, policy, options.sendFailed);
    if (options.ackMode === 'auto') this.handOver = new HandOverCheckpoints();
    if (options.output === 'batch' && (options.batchWindowMs ?? 0) > 0) {
      this.gathering = new BatchGathering({
        builder: options.builder,
        windowMs: options.batchWindowMs ?? 0,
        batchSize: options.batchSize ?? Infinity,
        sender: this.sender,
        send: (position, batch) => this.sendGathered(position, batch),
      });
    }
  }

  /** Sends a page's messages; in manual mode, a promise that settles once they are all sent (the window may have to make room). */
  deliver(page: ShardRecords): Promise<void> | undefined {
    const last = page.records[page.records.length - 1]?.dynamodb?.SequenceNumber;
    if (!last || this.sender.isClosed || page.position.revoked) return undefined;
    const fresh = this.withoutOldRecords(page);
    if (this.gathering) return this.gathering.gather(page, fresh);
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
    const match = this.sender.tokens.match(returned?.[ACK_PROPERTY]);
    if (match.kind === 'missing') return 'missing';
    if (match.kind === 'other-node') return 'not-ours';
    if (match.kind === 'stale') return 'stale';
    const { token } = match;
    const position = this.options.positions.get(token.stream, token.shard);
    const delivery = position?.pendingDelivery(token.seq);
    if (!position || !delivery) return 'unknown';
    const outcome = returnedOutcome(returned ?? {});
    if (outcome.kind === 'success') {
      this.sender.settle(position, delivery);
      return 'acknowledged';
    }
    if (delivery.state !== 'outstanding' || token.attempt !== delivery.attempts) return 'superseded';
    if (outcome.kind === 'failure') this.failures.failed(position, delivery, outcome.error);
    else this.failures.partlyFailed(position, delivery, outcome.failedSequenceNumbers);
    return 'failed';
  }

  /** Deliveries not acknowledged within the ack timeout count as failed; returns how many. */
  failOverdue(): number {
    if (this.options.ackTimeoutMs <= 0 || this.sender.isClosed) return 0;
    const now = this.now();
    let overdue = 0;
    for (const position of this.options.positions.all()) {
      for (const delivery of position.overdue(now, this.options.ackTimeoutMs)) {
        this.failures.failed(position, delivery, { message: `Not acknowledged within ${this.options.ackTimeoutMs / 1000} s (ackTimeout)` });
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
    this.sender.close();
    this.handOver?.close();
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
      if (this.sender.isClosed || position.revoked) return;
      const content: DeliveryContent = { records: [record], origin };
      const delivery = position.enqueue(sequenceNumber, content, byKey ? itemKeyOf(record, page.keyAttributeNames) : undefined);
      if (delivery.state === 'outstanding') this.sender.sendAttempt(position, delivery);
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
    if (this.sender.isClosed || position.revoked) return;
    const content: DeliveryContent = { records: wanted, origin: originOf(page) };
    this.sender.sendAttempt(position, position.enqueue(last, content));
  }

  private sendGathered(position: ShardPosition, batch: Delivery): void {
    if (this.options.ackMode === 'manual') return this.sender.sendAttempt(position, batch);
    this.sender.sendUnacknowledged(position, batch);
    this.handOver?.handedOver(position, batch.lastSequenceNumber);
  }

  private withoutOldRecords(page: ShardRecords): _Record[] {
    if (this.options.maxRecordAgeMs <= 0) return page.records;
    const oldest = this.now() - this.options.maxRecordAgeMs;
    const fresh = page.records.filter((r) => (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) >= oldest);
    if (fresh.length < page.records.length) this.options.onSkippedOldRecords(page.records.length - fresh.length, page.shardId);
    return fresh;
  }
}
