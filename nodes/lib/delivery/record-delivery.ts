import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { MessageBuilder, OutgoingMessage } from '../message-builder';
import type { ShardPosition } from '../position/shard-position';
import type { ShardPositions } from '../position/shard-positions';
import type { AckMode, OutputMode } from '../source-options';
import type { ShardRecords } from '../stream-session';
import { ACK_PROPERTY, AckTokens } from './ack-token';
import { HandOverCheckpoints } from './hand-over-checkpoints';

export { ACK_PROPERTY };

export interface RecordDeliveryOptions {
  readonly nodeId: string;
  readonly builder: MessageBuilder;
  readonly output: OutputMode;
  readonly ackMode: AckMode;
  /** 0: never re-send unacknowledged messages. */
  readonly ackTimeoutMs: number;
  /** 0: no age limit. */
  readonly maxRecordAgeMs: number;
  /** The shard positions: told what was sent, skipped and acknowledged. */
  readonly positions: ShardPositions;
  /** Hands one message to the flow; called once per message, so Node-RED never clones one. */
  readonly send: (message: OutgoingMessage) => void;
  readonly onSkippedOldRecords: (count: number, shardId: string) => void;
  readonly now?: () => number;
  readonly clone?: (message: OutgoingMessage) => OutgoingMessage;
}

/** `stale`: from a previous instance of this node (before a redeploy or restart), ignored. */
export type AckResult = 'acknowledged' | 'unknown' | 'stale' | 'not-ours' | 'missing';

/**
 * Sends each page's messages and tells the shard's position: in auto mode a page counts as
 * acknowledged once Node-RED delivered it to the next node; in manual mode each message waits for
 * its acknowledgement, at most `maxInFlight` per shard.
 */
export class RecordDelivery {
  private closed = false;
  private readonly now: () => number;
  private readonly handOver: HandOverCheckpoints | undefined;
  private readonly tokens: AckTokens;

  constructor(private readonly options: RecordDeliveryOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = new AckTokens(options.nodeId);
    if (options.ackMode === 'auto') this.handOver = new HandOverCheckpoints();
  }

  /** Sends a page's messages; in manual mode, a promise that settles once they are all sent (the window may have to make room). */
  deliver(page: ShardRecords): Promise<void> | undefined {
    const last = page.records[page.records.length - 1]?.dynamodb?.SequenceNumber;
    if (!last || this.closed || page.position.revoked) return undefined;
    const fresh = this.withoutOldRecords(page);
    if (this.options.ackMode === 'auto') {
      this.sendAll(fresh, page);
      page.position.sent(last, 0);
      this.handOver?.handedOver(page.position, last);
      return undefined;
    }
    if (this.options.output === 'batch') return this.deliverBatchWithAck(fresh, page, last);
    return this.deliverRecordsWithAck(page, fresh);
  }

  acknowledge(ack: unknown): AckResult {
    const match = this.tokens.match(ack);
    if (match.kind === 'missing') return 'missing';
    if (match.kind === 'other-node') return 'not-ours';
    if (match.kind === 'stale') return 'stale';
    const { token } = match;
    return this.options.positions.get(token.stream, token.shard)?.acknowledge(token.seq) ? 'acknowledged' : 'unknown';
  }

  /** Sends again what waited longer than the ack timeout for its acknowledgement; returns how many. */
  resendOverdue(): number {
    if (this.options.ackTimeoutMs <= 0 || this.closed) return 0;
    const now = this.now();
    let resent = 0;
    for (const position of this.options.positions.all()) {
      for (const delivery of position.overdue(now, this.options.ackTimeoutMs)) {
        if (!delivery.resend) continue;
        delivery.sentAt = now;
        delivery.resends += 1;
        this.options.send(this.copy(delivery.resend as OutgoingMessage));
        resent += 1;
      }
    }
    return resent;
  }

  /** Unacknowledged deliveries across all shards. */
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
      if (wanted.length > 0) send(this.withStreamInfo(builder.batchMessage(wanted, page), page, wanted[wanted.length - 1]));
      return;
    }
    let sentUpTo = -1;
    try {
      for (let i = 0; i < records.length; i++) {
        if (builder.wanted(records[i])) send(this.withStreamInfo(builder.recordMessage(records[i], page), page, records[i]));
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
    const freshSet = fresh.length === page.records.length ? undefined : new Set(fresh);
    for (const record of page.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      if ((freshSet && !freshSet.has(record)) || !this.options.builder.wanted(record)) {
        position.skipped(sequenceNumber);
        continue;
      }
      if (position.full) await position.reserve();
      if (this.closed || position.revoked) return;
      this.sendWithAck(position, this.withStreamInfo(this.options.builder.recordMessage(record, page), page, record), sequenceNumber);
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
    if (this.closed || position.revoked) return;
    this.sendWithAck(position, this.withStreamInfo(this.options.builder.batchMessage(wanted, page), page, page.records[page.records.length - 1]), last);
  }

  private sendWithAck(position: ShardPosition, message: OutgoingMessage, lastSequenceNumber: string): void {
    message[ACK_PROPERTY] = this.tokens.issue(position.streamArn, position.shardId, lastSequenceNumber);
    const resend = this.options.ackTimeoutMs > 0 ? message : undefined;
    position.sent(lastSequenceNumber, this.now(), resend);
    this.options.send(resend ? this.copy(message) : message);
  }

  /** `msg.dynamodbStream`: where the message's (last) record is in the stream. */
  private withStreamInfo(message: OutgoingMessage, page: ShardRecords, record: _Record): OutgoingMessage {
    message.dynamodbStream = { streamArn: page.streamArn, shardId: page.shardId, sequenceNumber: record.dynamodb?.SequenceNumber };
    return message;
  }

  private withoutOldRecords(page: ShardRecords): _Record[] {
    if (this.options.maxRecordAgeMs <= 0) return page.records;
    const oldest = this.now() - this.options.maxRecordAgeMs;
    const fresh = page.records.filter((r) => (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) >= oldest);
    if (fresh.length < page.records.length) this.options.onSkippedOldRecords(page.records.length - fresh.length, page.shardId);
    return fresh;
  }

  private copy(message: OutgoingMessage): OutgoingMessage {
    return this.options.clone ? this.options.clone(message) : structuredClone(message);
  }
}
