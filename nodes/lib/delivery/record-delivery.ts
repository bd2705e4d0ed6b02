import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { MessageBuilder, OutgoingMessage } from '../message-builder';
import type { AckMode, OutputMode } from '../source-options';
import type { ShardRecords } from '../stream-session';
import { AckWindow } from './ack-window';
import type { CheckpointStore } from './checkpoint-store';
import { HandOverCheckpoints } from './hand-over-checkpoints';

/** The msg property that carries what an acknowledgement needs; plain JSON, so it survives cloning. */
export const ACK_PROPERTY = '_dynamodbStreamAck';

export interface AckToken {
  readonly node: string;
  readonly stream: string;
  readonly shard: string;
  readonly token: number;
}

export interface RecordDeliveryOptions {
  readonly nodeId: string;
  readonly builder: MessageBuilder;
  readonly output: OutputMode;
  readonly ackMode: AckMode;
  readonly maxInFlight: number;
  /** 0: never re-send unacknowledged messages. */
  readonly ackTimeoutMs: number;
  /** 0: no age limit. */
  readonly maxRecordAgeMs: number;
  readonly checkpoints?: CheckpointStore;
  /** Hands one message to the flow; called once per message, so Node-RED never clones one. */
  readonly send: (message: OutgoingMessage) => void;
  readonly onSkippedOldRecords: (count: number, shardId: string) => void;
  readonly now?: () => number;
  readonly clone?: (message: OutgoingMessage) => OutgoingMessage;
}

export type AckResult = 'acknowledged' | 'unknown' | 'not-ours';

/** Sends each page's messages and moves checkpoints: at emit time (auto) or over acknowledged prefixes (manual). */
export class RecordDelivery {
  private readonly windows = new Map<string, AckWindow<OutgoingMessage>>();
  private closed = false;
  private readonly now: () => number;
  private readonly handOver: HandOverCheckpoints | undefined;

  constructor(private readonly options: RecordDeliveryOptions) {
    this.now = options.now ?? Date.now;
    const { checkpoints } = options;
    if (checkpoints && options.ackMode === 'auto') this.handOver = new HandOverCheckpoints((stream, shard, seq) => checkpoints.record(stream, shard, seq));
  }

  /** Sends a page's messages; in manual mode, a promise that settles once they are all sent (the window may have to make room). */
  deliver(page: ShardRecords): Promise<void> | undefined {
    const last = page.records[page.records.length - 1]?.dynamodb?.SequenceNumber;
    if (!last || this.closed) return undefined;
    const fresh = this.withoutOldRecords(page);
    if (this.options.ackMode === 'auto') {
      this.sendAll(fresh, page);
      this.handOver?.handedOver(page.streamArn, page.shardId, last);
      return undefined;
    }
    if (this.options.output === 'batch') return this.deliverBatchWithAck(fresh, page, last);
    return this.deliverRecordsWithAck(page, fresh);
  }

  acknowledge(ack: unknown): AckResult {
    const token = ack as Partial<AckToken> | undefined;
    if (!token || typeof token !== 'object' || typeof token.token !== 'number' || !token.stream || !token.shard) return 'unknown';
    if (token.node !== this.options.nodeId) return 'not-ours';
    const window = this.windows.get(windowKey(token.stream, token.shard));
    const checkpoint = window?.ack(token.token);
    if (checkpoint) this.options.checkpoints?.record(token.stream, token.shard, checkpoint);
    return window ? 'acknowledged' : 'unknown';
  }

  /** Sends again what waited longer than the ack timeout for its acknowledgement; returns how many. */
  resendOverdue(): number {
    if (this.options.ackTimeoutMs <= 0) return 0;
    const now = this.now();
    let resent = 0;
    for (const window of this.windows.values()) {
      for (const delivery of window.overdue(now, this.options.ackTimeoutMs)) {
        if (!delivery.resend) continue;
        delivery.sentAt = now;
        delivery.resends += 1;
        this.options.send(this.copy(delivery.resend));
        resent += 1;
      }
    }
    return resent;
  }

  /** Unacknowledged deliveries across all shards. */
  get inFlight(): number {
    let count = 0;
    for (const window of this.windows.values()) count += window.size;
    return count;
  }

  /**
   * Releases readers waiting for room; nothing is sent afterwards. Auto-mode checkpoints not yet
   * committed are dropped: their messages may not have reached the next node (it may be stopping too).
   */
  close(): void {
    this.closed = true;
    this.handOver?.close();
    for (const window of this.windows.values()) window.close();
  }

  /**
   * One `send` per message: Node-RED clones every message but the first of an array sent in one
   * call (they might be the same object), and ours are all new objects.
   */
  private sendAll(records: _Record[], page: ShardRecords): void {
    const { builder, send } = this.options;
    if (this.options.output === 'batch') {
      const wanted = records.filter((r) => builder.wanted(r));
      if (wanted.length > 0) send(builder.batchMessage(wanted, page));
      return;
    }
    for (let i = 0; i < records.length; i++) {
      if (builder.wanted(records[i])) send(builder.recordMessage(records[i], page));
    }
  }

  /** Waits for room in the shard's window only when it is full. */
  private async deliverRecordsWithAck(page: ShardRecords, fresh: _Record[]): Promise<void> {
    const window = this.windowFor(page);
    const freshSet = fresh.length === page.records.length ? undefined : new Set(fresh);
    for (const record of page.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      if ((freshSet && !freshSet.has(record)) || !this.options.builder.wanted(record)) {
        this.checkpoint(page, window.addAcknowledged(sequenceNumber));
        continue;
      }
      if (window.full) await window.reserve();
      if (this.closed) return;
      this.sendWithAck(window, page, this.options.builder.recordMessage(record, page), sequenceNumber);
    }
  }

  private async deliverBatchWithAck(fresh: _Record[], page: ShardRecords, last: string): Promise<void> {
    const window = this.windowFor(page);
    const wanted = fresh.filter((r) => this.options.builder.wanted(r));
    if (wanted.length === 0) {
      this.checkpoint(page, window.addAcknowledged(last));
      return;
    }
    if (window.full) await window.reserve();
    if (this.closed) return;
    this.sendWithAck(window, page, this.options.builder.batchMessage(wanted, page), last);
  }

  private sendWithAck(window: AckWindow<OutgoingMessage>, page: ShardRecords, message: OutgoingMessage, lastSequenceNumber: string): void {
    const resend = this.options.ackTimeoutMs > 0 ? message : undefined;
    const delivery = window.add(lastSequenceNumber, this.now(), resend);
    const token: AckToken = { node: this.options.nodeId, stream: page.streamArn, shard: page.shardId, token: delivery.token };
    message[ACK_PROPERTY] = token;
    this.options.send(resend ? this.copy(message) : message);
  }

  private checkpoint(page: ShardRecords, sequenceNumber: string | undefined): void {
    if (sequenceNumber) this.options.checkpoints?.record(page.streamArn, page.shardId, sequenceNumber);
  }

  private withoutOldRecords(page: ShardRecords): _Record[] {
    if (this.options.maxRecordAgeMs <= 0) return page.records;
    const oldest = this.now() - this.options.maxRecordAgeMs;
    const fresh = page.records.filter((r) => (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) >= oldest);
    if (fresh.length < page.records.length) this.options.onSkippedOldRecords(page.records.length - fresh.length, page.shardId);
    return fresh;
  }

  private windowFor(page: ShardRecords): AckWindow<OutgoingMessage> {
    const key = windowKey(page.streamArn, page.shardId);
    let window = this.windows.get(key);
    if (!window) {
      window = new AckWindow(this.options.maxInFlight);
      this.windows.set(key, window);
    }
    return window;
  }

  private copy(message: OutgoingMessage): OutgoingMessage {
    return this.options.clone ? this.options.clone(message) : structuredClone(message);
  }
}

function windowKey(streamArn: string, shardId: string): string {
  return `${streamArn} ${shardId}`;
}
