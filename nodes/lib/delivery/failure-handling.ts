import type { OutgoingMessage } from '../message-builder';
import type { ShardPosition } from '../position/shard-position';
import { sequenceNumberOf, type DeliveryContent } from './delivery-content';
import type { FailurePolicy } from './failure-policy';
import type { Delivery, MessageSender } from './message-sender';

/** What follows a failed attempt: a re-send after the backoff, a bisected batch, or the failed output. */
export class FailureHandling {
  constructor(
    private readonly sender: MessageSender,
    private readonly policy: FailurePolicy,
    /** A given-up delivery, to the failed output. */
    private readonly sendFailed: ((message: OutgoingMessage) => void) | undefined,
  ) {}

  failed(position: ShardPosition, delivery: Delivery, error: unknown): void {
    delivery.lastError = error;
    const content = delivery.content as DeliveryContent;
    const decision = this.policy.decide(delivery.attempts, content.records.length);
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

  /** `msg.batchItemFailures`: the batch succeeded up to the first failed record; the rest is one delivery that failed. */
  partlyFailed(position: ShardPosition, delivery: Delivery, failedSequenceNumbers: ReadonlySet<string>): void {
    const content = delivery.content as DeliveryContent;
    const firstFailed = content.records.findIndex((record) => failedSequenceNumbers.has(sequenceNumberOf(record)));
    const error = { message: `${failedSequenceNumbers.size} record(s) failed (msg.batchItemFailures)` };
    if (firstFailed <= 0) {
      return this.failed(position, delivery, firstFailed < 0 ? { message: 'msg.batchItemFailures names no record of this batch' } : error);
    }
    const [rest] = position.replace(delivery, [
      {
        lastSequenceNumber: sequenceNumberOf(content.records[firstFailed - 1]),
        content: { records: content.records.slice(0, firstFailed), origin: content.origin },
        settled: true,
        attempts: delivery.attempts,
      },
      {
        lastSequenceNumber: delivery.lastSequenceNumber,
        content: { records: content.records.slice(firstFailed), origin: content.origin },
        settled: false,
        attempts: delivery.attempts,
      },
    ]);
    if (rest) this.failed(position, rest, error);
  }

  private resendLater(position: ShardPosition, delivery: Delivery, delayMs: number): void {
    this.sender.later(delayMs, () => {
      if (delivery.state === 'failed') this.sender.sendAttempt(position, delivery);
    });
  }

  /** To the failed output as the message it was, with the last error and the attempts; then checkpointed past. */
  private giveUp(position: ShardPosition, delivery: Delivery): void {
    const message = this.sender.messageOf(delivery);
    message.error = delivery.lastError;
    message.attempts = delivery.attempts;
    this.sendFailed?.(message);
    this.sender.settle(position, delivery);
  }
}
