import type { MessageBuilder, OutgoingMessage } from '../message-builder';
import type { PendingDelivery } from '../position/ack-window';
import type { ShardPosition } from '../position/shard-position';
import type { OutputMode } from '../source-options';
import { ACK_PROPERTY, AckTokens } from './ack-token';
import type { DeliveryContent } from './delivery-content';

export type Delivery = PendingDelivery<unknown>;

export interface MessageSenderOptions {
  readonly nodeId: string;
  readonly builder: MessageBuilder;
  readonly output: OutputMode;
  readonly send: (message: OutgoingMessage) => void;
  readonly now: () => number;
}

/**
 * Sends the attempts of manual-mode deliveries (a new message each time, with an ack token naming
 * the attempt), settles them, and runs what must happen later (re-sends, batch windows) until closed.
 */
export class MessageSender {
  readonly tokens: AckTokens;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: MessageSenderOptions) {
    this.tokens = new AckTokens(options.nodeId);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Nothing is sent for a shard that went to another worker (its lease was lost). */
  sendAttempt(position: ShardPosition, delivery: Delivery): void {
    if (position.revoked) return;
    position.markSent(delivery, this.options.now());
    const message = this.messageOf(delivery);
    message[ACK_PROPERTY] = this.tokens.issue(position.streamArn, position.shardId, delivery.lastSequenceNumber, delivery.attempts);
    this.options.send(message);
  }

  /** Auto mode: sent without a token; acknowledged once handed over. */
  sendUnacknowledged(position: ShardPosition, delivery: Delivery): void {
    if (position.revoked) return;
    position.markSent(delivery, this.options.now());
    this.options.send(this.messageOf(delivery));
  }

  /** Acknowledged or given up: the next delivery of its item key, if one waited, is sent. */
  settle(position: ShardPosition, delivery: Delivery): void {
    const unblocked = position.settle(delivery);
    if (unblocked && !this.closed) this.sendAttempt(position, unblocked);
  }

  /** A new message for each attempt: what the flow did to an earlier copy cannot change it. */
  messageOf(delivery: Delivery): OutgoingMessage {
    const { records, origin } = delivery.content as DeliveryContent;
    const { builder } = this.options;
    const message = this.options.output === 'batch' ? builder.batchMessage([...records], origin) : builder.recordMessage(records[0], origin);
    return withStreamInfo(message, origin, delivery.lastSequenceNumber);
  }

  later(delayMs: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) run();
    }, delayMs);
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** `msg.dynamodbStream`: where the message's (last) record is in the stream. */
export function withStreamInfo(message: OutgoingMessage, origin: { readonly streamArn: string; readonly shardId: string }, sequenceNumber: string): OutgoingMessage {
  message.dynamodbStream = { streamArn: origin.streamArn, shardId: origin.shardId, sequenceNumber };
  return message;
}
