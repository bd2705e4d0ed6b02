export interface PendingDelivery<T> {
  /** Sequence number of the last record this delivery covers: what its acknowledgement names. */
  readonly lastSequenceNumber: string;
  acked: boolean;
  sentAt: number;
  /** How often it was sent again for lack of an acknowledgement. */
  resends: number;
  /** What to send again when the ack does not come in time (kept only when re-sending is on). */
  readonly resend?: T;
}

/**
 * The deliveries of one shard that are not yet part of its checkpoint, in order. The checkpoint
 * moves over the acknowledged prefix only; at most `capacity` deliveries are outstanding, after
 * which `reserve()` waits (backpressure on the shard's reader).
 */
export class AckWindow<T> {
  private readonly pending: PendingDelivery<T>[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.pending.length;
  }

  /** True when `add` would exceed the capacity: wait with `reserve()` first. */
  get full(): boolean {
    return this.pending.length >= this.capacity;
  }

  /** Resolves once there is room for one more delivery; resolves at once when the window is closed. */
  async reserve(): Promise<void> {
    while (!this.closed && this.pending.length >= this.capacity) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  add(lastSequenceNumber: string, now: number, resend?: T): PendingDelivery<T> {
    const delivery: PendingDelivery<T> = { lastSequenceNumber, acked: false, sentAt: now, resends: 0, resend };
    this.pending.push(delivery);
    return delivery;
  }

  /**
   * Records that need no acknowledgement (filtered or too old): they join the checkpoint as soon as
   * everything before them is acknowledged. Returns the new checkpoint, if it moved.
   */
  addAcknowledged(lastSequenceNumber: string): string | undefined {
    const tail = this.pending[this.pending.length - 1];
    if (tail?.acked) {
      this.pending[this.pending.length - 1] = { ...tail, lastSequenceNumber };
      return this.advance();
    }
    if (this.pending.length === 0) return lastSequenceNumber;
    this.pending.push({ lastSequenceNumber, acked: true, sentAt: 0, resends: 0 });
    return this.advance();
  }

  /**
   * Marks the outstanding delivery ending at `sequenceNumber` acknowledged. Returns whether one was
   * outstanding, and the new checkpoint when the acknowledged prefix grew.
   */
  ack(sequenceNumber: string): { readonly known: boolean; readonly checkpoint?: string } {
    const delivery = this.pending.find((d) => !d.acked && d.lastSequenceNumber === sequenceNumber);
    if (!delivery) return { known: false };
    delivery.acked = true;
    return { known: true, checkpoint: this.advance() };
  }

  /**
   * Unacknowledged deliveries whose acknowledgement is overdue at `now`. The wait doubles with each
   * re-send (up to 64 × `timeoutMs`), so that a sink slower than the timeout is not flooded with copies.
   */
  overdue(now: number, timeoutMs: number): PendingDelivery<T>[] {
    return this.pending.filter((d) => !d.acked && now - d.sentAt >= timeoutMs * 2 ** Math.min(d.resends, 6));
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  private advance(): string | undefined {
    let checkpoint: string | undefined;
    while (this.pending.length > 0 && this.pending[0].acked) {
      checkpoint = (this.pending.shift() as PendingDelivery<T>).lastSequenceNumber;
    }
    if (checkpoint !== undefined) this.release();
    return checkpoint;
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
