import type { Checkpoint } from '../checkpoint/checkpoint';
import { compareSequenceNumbers } from '../sequence-number';
import { AckWindow, type PendingDelivery, type ReplacementPart } from './ack-window';

/** Where a GetShardIterator call starts. */
export type StartPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/**
 * Records up to this long before reading began at LATEST are read anyway when that position has to
 * be found again (after a restart, or a LATEST iterator lost before anything was delivered): the
 * machine's clock and DynamoDB's creation times may disagree, and a few older records are better
 * than missing new ones.
 */
export const LATEST_CLOCK_SKEW_MARGIN_MS = 60_000;

export interface ShardPositionOptions {
  readonly streamArn: string;
  readonly shardId: string;
  /** The saved checkpoint, or the position chosen for a shard that has none. */
  readonly start: Checkpoint;
  /** True when `start` was read from the checkpoint store, false when it was chosen now (and is saved at once). */
  readonly restored: boolean;
  /** Outstanding deliveries at most (manual acknowledgement: maxInFlight). */
  readonly capacity: number;
  /** Persists this shard's checkpoint; absent without a checkpoint store. */
  readonly save?: (checkpoint: Checkpoint) => void;
}

/**
 * The one owner of a shard's life: where reading started, what was delivered, what is acknowledged,
 * what is checkpointed, and whether the shard is finished (read to its end, every delivery of it
 * acknowledged and its SHARD_END checkpointed). Readers, delivery and the session ask it.
 */
export class ShardPosition<T = unknown> {
  readonly streamArn: string;
  readonly shardId: string;
  private readonly start: Checkpoint;
  private readonly window: AckWindow<T>;
  /** Sequence number of the last record handed to the flow (or skipped as unwanted), or of the checkpoint it resumed after. */
  private lastDelivered: string | undefined;
  /** First record of a delivery that failed before anything was delivered: where a new reader begins. */
  private failedFrom: string | undefined;
  /** A LATEST start was already used for an iterator (or came from the store): it cannot be taken again. */
  private latestUsed: boolean;
  private ended = false;
  private finished = false;
  /** The shard is no longer this worker's (its lease was lost): nothing more is sent or checkpointed. */
  private revokedFlag = false;
  private finishWaiters: Array<() => void> = [];

  constructor(private readonly options: ShardPositionOptions) {
    this.streamArn = options.streamArn;
    this.shardId = options.shardId;
    this.start = options.start;
    this.window = new AckWindow<T>(options.capacity);
    this.latestUsed = options.restored;
    if (options.start.kind === 'sequence') this.lastDelivered = options.start.sequenceNumber;
    if (options.start.kind === 'SHARD_END') this.finished = true;
    // A chosen start is remembered at once: a restart must begin where this run began, also on a shard that delivers nothing.
    if (!options.restored) options.save?.(options.start);
  }

  get revoked(): boolean {
    return this.revokedFlag;
  }

  /** Finished: nothing more to read or acknowledge; its children may start. */
  get isFinished(): boolean {
    return this.finished;
  }

  get delivered(): string | undefined {
    return this.lastDelivered;
  }

  /** Where the next iterator starts: after what was delivered, else where this position began. */
  iteratorStart(): StartPosition {
    if (this.lastDelivered) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastDelivered };
    if (this.failedFrom) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: this.failedFrom };
    switch (this.start.kind) {
      case 'LATEST':
        if (this.latestUsed) return { type: 'TRIM_HORIZON' };
        this.latestUsed = true;
        return { type: 'LATEST' };
      default:
        return { type: 'TRIM_HORIZON' };
    }
  }

  /** True for a record already delivered, or older than where reading began at LATEST. */
  isBehind(sequenceNumber: string | undefined, createdAt: Date | undefined): boolean {
    if (this.lastDelivered) return sequenceNumber !== undefined && compareSequenceNumbers(sequenceNumber, this.lastDelivered) <= 0;
    if (this.start.kind === 'LATEST' && this.latestUsed && createdAt instanceof Date) {
      return createdAt.getTime() < this.start.since - LATEST_CLOCK_SKEW_MARGIN_MS;
    }
    return false;
  }

  /** The record was handed to the flow or skipped; the reader goes on after it. */
  markDelivered(sequenceNumber: string): void {
    if (!this.lastDelivered || compareSequenceNumbers(sequenceNumber, this.lastDelivered) > 0) this.lastDelivered = sequenceNumber;
    this.failedFrom = undefined;
  }

  /** Delivering from this record failed; when nothing was delivered yet, a new reader starts at it. */
  markFailedAt(sequenceNumber: string): void {
    if (!this.lastDelivered) this.failedFrom = sequenceNumber;
  }

  // ------------------------------------------------------------ acknowledgement window

  /** Deliveries not yet acknowledged or given up. */
  get outstanding(): number {
    return this.window.unsettledCount;
  }

  get full(): boolean {
    return this.window.full;
  }

  reserve(): Promise<void> {
    return this.window.reserve();
  }

  /** A delivery that covers the records up to `lastSequenceNumber` was sent (auto mode: acknowledged when handed over). */
  sent(lastSequenceNumber: string, now: number): PendingDelivery<T> {
    const delivery = this.enqueue(lastSequenceNumber);
    this.window.markSent(delivery, now);
    return delivery;
  }

  /**
   * A delivery covering the records up to `lastSequenceNumber` joins the window: `queued` behind an
   * unsettled one of the same item `key`, else `outstanding`, to be sent by the caller (`markSent`).
   */
  enqueue(lastSequenceNumber: string, content?: T, key?: string): PendingDelivery<T> {
    this.markDelivered(lastSequenceNumber);
    return this.window.add(lastSequenceNumber, content, key);
  }

  /** The batch gathering records across pages (`batchWindow`), if one is open. */
  gathering(): PendingDelivery<T> | undefined {
    return this.window.gathering();
  }

  startGathering(lastSequenceNumber: string, content: T): PendingDelivery<T> {
    this.markDelivered(lastSequenceNumber);
    return this.window.addGathering(lastSequenceNumber, content);
  }

  extendGathering(delivery: PendingDelivery<T>, lastSequenceNumber: string): void {
    this.markDelivered(lastSequenceNumber);
    this.window.extend(delivery, lastSequenceNumber);
  }

  markSent(delivery: PendingDelivery<T>, now: number): void {
    this.window.markSent(delivery, now);
  }

  markFailed(delivery: PendingDelivery<T>): void {
    this.window.markFailed(delivery);
  }

  /** Records that need no acknowledgement (filtered out, too old). */
  skipped(lastSequenceNumber: string): void {
    this.markDelivered(lastSequenceNumber);
    this.checkpointAt(this.window.addAcknowledged(lastSequenceNumber));
  }

  /** The sent delivery (outstanding or waiting for its re-send) ending at that sequence number. */
  pendingDelivery(lastSequenceNumber: string): PendingDelivery<T> | undefined {
    return this.window.find(lastSequenceNumber);
  }

  /** Returns false when no delivery ending at that sequence number is outstanding. */
  acknowledge(lastSequenceNumber: string): boolean {
    if (this.revokedFlag) return false;
    const delivery = this.window.find(lastSequenceNumber);
    if (delivery) this.settle(delivery);
    return delivery !== undefined;
  }

  /** Acknowledged or given up; returns the delivery of the same item key that may be sent now. */
  settle(delivery: PendingDelivery<T>): PendingDelivery<T> | undefined {
    const { checkpoint, unblocked } = this.window.settle(delivery);
    this.checkpointAt(checkpoint);
    return unblocked;
  }

  /** Splits a delivery (bisected batch, partly acknowledged batch); returns the parts still to send. */
  replace(delivery: PendingDelivery<T>, parts: readonly ReplacementPart<T>[]): PendingDelivery<T>[] {
    const { open, checkpoint } = this.window.replace(delivery, parts);
    this.checkpointAt(checkpoint);
    return open;
  }

  overdue(now: number, timeoutMs: number): PendingDelivery<T>[] {
    return this.window.overdue(now, timeoutMs);
  }

  // ------------------------------------------------------------ end of the shard

  /** The reader read the shard to its end (or it vanished): finished once every delivery is acknowledged. */
  markEnded(): void {
    this.ended = true;
    this.finishIfDone();
  }

  /** Resolves when the shard is finished, or when `signal` aborts (check `isFinished`). */
  whenFinished(signal: AbortSignal): Promise<void> {
    if (this.finished || this.revokedFlag || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.finishWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Nothing is sent any more: releases a reader waiting for room. */
  close(): void {
    this.window.close();
  }

  /** The shard went to another worker: stop sending, ignore its acknowledgements, write no checkpoint. */
  revoke(): void {
    this.revokedFlag = true;
    this.window.close();
    this.wakeFinishWaiters();
  }

  private checkpointAt(sequenceNumber: string | undefined): void {
    if (sequenceNumber === undefined || this.revokedFlag) return;
    this.options.save?.({ kind: 'sequence', sequenceNumber });
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.finished || this.revokedFlag || !this.ended || this.window.size > 0) return;
    this.finished = true;
    this.options.save?.({ kind: 'SHARD_END' });
    this.wakeFinishWaiters();
  }

  private wakeFinishWaiters(): void {
    const waiters = this.finishWaiters;
    this.finishWaiters = [];
    for (const wake of waiters) wake();
  }
}
